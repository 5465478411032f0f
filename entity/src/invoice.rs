use sea_orm::entity::prelude::*;

/// What a person owes for one purpose, in minor units; settled when payments, credits and waivers cover it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub number: String,
    pub currency: String,
    pub purpose: String,
    /// The record that waits for settlement (a registration, a membership).
    pub subject_id: Option<Uuid>,
    pub total_cents: i64,
    pub paid_cents: i64,
    pub refunded_cents: i64,
    pub credited_cents: i64,
    pub waived_cents: i64,
    pub status: String,
    pub settled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
