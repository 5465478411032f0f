use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    pub purpose: InvoicePurpose,
    /// The record that waits for settlement (a registration, a membership).
    pub subject_id: Option<Uuid>,
    pub total_cents: i64,
    pub paid_cents: i64,
    pub refunded_cents: i64,
    pub credited_cents: i64,
    pub waived_cents: i64,
    pub status: InvoiceStatus,
    pub settled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

/// Where an invoice stands: `open` until payments, credits and waivers cover it, then
/// `settled`; `void` when cancelled. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "settled")]
    Settled,
    #[sea_orm(string_value = "void")]
    Void,
}

/// What an invoice is for; settling it causes what waited for it. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum InvoicePurpose {
    /// The registration fee: settling it sends the temporary login.
    #[sea_orm(string_value = "registration")]
    Registration,
    /// Membership dues: settling it activates the membership.
    #[sea_orm(string_value = "membership")]
    Membership,
    /// An application's processing fee.
    #[sea_orm(string_value = "processing")]
    Processing,
    /// The exam fee of a sitting.
    #[sea_orm(string_value = "exam")]
    Exam,
    /// The yearly renewal (and its late fee).
    #[sea_orm(string_value = "renewal")]
    Renewal,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::person::Entity", from = "Column::PersonId", to = "super::person::Column::Id")]
    Person,
    #[sea_orm(has_many = "super::invoice_entry::Entity")]
    InvoiceEntry,
    #[sea_orm(has_many = "super::invoice_line::Entity")]
    InvoiceLine,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl Related<super::invoice_entry::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::InvoiceEntry.def()
    }
}

impl Related<super::invoice_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::InvoiceLine.def()
    }
}

crate::versioned!(created_at, updated_at);
