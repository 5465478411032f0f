use sea_orm::entity::prelude::*;

/// One fee of an affiliate from a date on; the fee in force on a day is the latest row not after it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fee_schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub fee_kind: crate::sets::FeeKind,
    /// The credential category for per-category fees; empty otherwise.
    pub category: String,
    pub amount_cents: i64,
    pub currency: String,
    pub effective_from: Date,
    pub created_at: DateTimeUtc,
    pub created_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
