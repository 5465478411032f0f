use sea_orm::entity::prelude::*;

/// An applicant's registration for a sitting, and its results.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub sitting_id: Uuid,
    pub invoice_id: Option<Uuid>,
    pub status: ExamRegistrationStatus,
    pub part1_score: Option<i32>,
    pub part2_passed: Option<bool>,
    pub recorded_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub version: i64,
    /// When the reminder before the deadline (link expiry, sitting) went out.
    pub reminded_at: Option<DateTimeUtc>,
}

closed_set! {
    /// Where an exam registration stands. New values may be added later.
    pub enum ExamRegistrationStatus {
        Registered = "registered",
        Passed = "passed",
        Failed = "failed",
        Absent = "absent",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::application::Entity",
        from = "Column::ApplicationId",
        to = "super::application::Column::Id"
    )]
    Application,
    #[sea_orm(
        belongs_to = "super::exam_sitting::Entity",
        from = "Column::SittingId",
        to = "super::exam_sitting::Column::Id"
    )]
    ExamSitting,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl Related<super::exam_sitting::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ExamSitting.def()
    }
}

crate::versioned!(created_at);
