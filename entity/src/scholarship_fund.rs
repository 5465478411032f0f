use sea_orm::entity::prelude::*;

/// A scholarship fund: a budget that covers some kinds of fees for a period.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "scholarship_funds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub name: String,
    pub sponsor: Option<String>,
    pub budget_cents: i64,
    /// Never above the budget: awards are added by a conditional update.
    pub awarded_cents: i64,
    pub currency: String,
    pub starts_on: Date,
    pub ends_on: Date,
    /// Fee kinds: registration, processing, exam, renewal, membership, rsc.
    pub covers: Json,
    pub created_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::scholarship_request::Entity")]
    ScholarshipRequest,
}

impl Related<super::scholarship_request::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ScholarshipRequest.def()
    }
}

crate::versioned!(created_at);
