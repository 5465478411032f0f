use sea_orm::entity::prelude::*;

/// A reference rater invited by the applicant; acts through a single-use link whose hash is kept.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "application_references")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub rater_name: String,
    pub rater_email: String,
    pub relationship: String,
    pub kind: ReferenceKind,
    pub status: ReferenceStatus,
    pub token_hash: String,
    pub expires_at: DateTimeUtc,
    pub invited_at: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
    pub ratings: Option<Json>,
    pub comments: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
    /// When the reminder before the deadline (link expiry, sitting) went out.
    pub reminded_at: Option<DateTimeUtc>,
}

closed_set! {
    /// Who a reference rater is to the applicant. New values may be added later.
    pub enum ReferenceKind {
        Supervisor = "supervisor",
        ReflectiveSupervisor = "reflective_supervisor",
        Colleague = "colleague",
        /// Someone the applicant supervises or consults with.
        Supervisee = "supervisee",
    }
}

closed_set! {
    /// Where a reference stands as stored. New values may be added later.
    pub enum ReferenceStatus {
        /// The rater was invited and has not answered.
        Invited = "invited",
        /// The rater submitted their ratings.
        Submitted = "submitted",
        /// The rater declined.
        Declined = "declined",
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
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

crate::versioned!(created_at, updated_at);
