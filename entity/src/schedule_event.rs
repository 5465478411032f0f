use sea_orm::entity::prelude::*;

/// A published date of an affiliate: submission deadline, exam week, informational session, renewal period.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "schedule_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub kind: EventKind,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// Category codes accepted (deadlines); empty: all.
    pub categories: Json,
    pub created_at: DateTimeUtc,
    pub version: i64,
}

closed_set! {
    /// What a schedule event is. New values may be added later.
    pub enum EventKind {
        SubmissionDeadline = "submission_deadline",
        ExamWeek = "exam_week",
        InformationalSession = "informational_session",
        RenewalPeriod = "renewal_period",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

crate::versioned!(created_at);
