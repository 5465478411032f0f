use sea_orm::entity::prelude::*;

/// A payment, refund, waiver or credit recorded against an invoice. Entries are never changed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub invoice_id: Uuid,
    pub affiliate_id: Uuid,
    pub kind: String,
    pub method: Option<String>,
    pub amount_cents: i64,
    pub reference: Option<String>,
    pub reason: Option<String>,
    pub recorded_by_kind: String,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
