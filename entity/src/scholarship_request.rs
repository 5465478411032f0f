use sea_orm::entity::prelude::*;

/// A person's request for a scholarship, and the award once decided.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scholarship_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub fund_id: Uuid,
    pub person_id: Uuid,
    pub amount_cents: i64,
    /// The fee kind it is for.
    pub purpose: String,
    pub statement: String,
    pub invoice_id: Option<Uuid>,
    /// `pending`, `approved`, `denied` or `waitlisted`.
    pub status: String,
    pub awarded_cents: i64,
    /// How much of the award has been credited to invoices.
    pub applied_cents: i64,
    pub reason: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
