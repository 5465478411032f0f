use sea_orm::entity::prelude::*;

/// One portfolio entry (education, work, training or RSC) of an application; its fields are in `data`, typed by `kind`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "portfolio_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub kind: PortfolioKind,
    pub data: Json,
    /// Set by a coordinator (e.g. a transcript seen).
    pub verified: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

closed_set! {
    /// A portfolio tab. New values may be added later.
    pub enum PortfolioKind {
        Education = "education",
        Work = "work",
        Trainings = "trainings",
        Rsc = "rsc",
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
