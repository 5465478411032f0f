use sea_orm::entity::prelude::*;

/// An affiliate's renewal period for a year (dates in its time zone), its late window and reminders.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "renewal_periods")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub year: i32,
    pub opens_on: Date,
    pub closes_on: Date,
    pub late_until: Option<Date>,
    /// Complete, paid renewals are approved without a coordinator.
    pub auto_approve: bool,
    /// Days before the close on which reminders go out.
    pub reminder_offsets: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

crate::versioned!(created_at, updated_at);
