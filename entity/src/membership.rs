use sea_orm::entity::prelude::*;

/// A person's membership of a plan. Its dates are set when it is paid; its status on a day is computed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub plan_id: Uuid,
    /// `pending_payment`, `paid` or `cancelled`.
    pub state: String,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub source: String,
    pub external_reference: Option<String>,
    pub invoice_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
