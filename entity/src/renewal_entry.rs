use sea_orm::entity::prelude::*;

/// A training or RSC entry of the renewal year (the portfolio's own kinds).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "renewal_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub renewal_id: Uuid,
    pub kind: RenewalEntryKind,
    pub data: Json,
    pub created_at: DateTimeUtc,
    pub version: i64,
}

closed_set! {
    /// What a renewal records beyond the attestation. New values may be added later.
    pub enum RenewalEntryKind {
        Trainings = "trainings",
        Rsc = "rsc",
    }
}

impl From<RenewalEntryKind> for crate::portfolio_entry::PortfolioKind {
    fn from(kind: RenewalEntryKind) -> Self {
        match kind {
            RenewalEntryKind::Trainings => Self::Trainings,
            RenewalEntryKind::Rsc => Self::Rsc,
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::renewal::Entity", from = "Column::RenewalId", to = "super::renewal::Column::Id")]
    Renewal,
}

impl Related<super::renewal::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Renewal.def()
    }
}

crate::versioned!(created_at);
