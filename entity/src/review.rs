use sea_orm::entity::prelude::*;

/// A reviewer assigned to an application, and their recommendation once given.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub reviewer_id: Uuid,
    pub assigned_by: Option<Uuid>,
    pub assigned_at: DateTimeUtc,
    /// An advisory review before submission: feedback only, no part in the decision.
    pub advisory: bool,
    pub recommendation: Option<Recommendation>,
    pub reasons: Option<String>,
    pub comments: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub version: i64,
}

closed_set! {
    /// A reviewer's recommendation. New values may be added later.
    pub enum Recommendation {
        Approve = "approve",
        Defer = "defer",
        OnHold = "on_hold",
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
    #[sea_orm(belongs_to = "super::person::Entity", from = "Column::ReviewerId", to = "super::person::Column::Id")]
    Reviewer,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

crate::versioned!();
