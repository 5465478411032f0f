use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A payment, refund, waiver or credit recorded against an invoice. Entries are never changed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub invoice_id: Uuid,
    pub affiliate_id: Uuid,
    pub kind: InvoiceEntryKind,
    pub method: Option<PaymentMethod>,
    pub amount_cents: i64,
    pub reference: Option<String>,
    pub reason: Option<String>,
    pub recorded_by_kind: crate::sets::ActorKind,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTimeUtc,
}

/// What an entry does to an invoice's balance. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum InvoiceEntryKind {
    #[sea_orm(string_value = "payment")]
    Payment,
    #[sea_orm(string_value = "refund")]
    Refund,
    #[sea_orm(string_value = "waiver")]
    Waiver,
    /// A scholarship award applied to the invoice.
    #[sea_orm(string_value = "credit")]
    Credit,
}

/// How a payment was made. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Card, through an external processor (give its reference).
    #[sea_orm(string_value = "card")]
    Card,
    #[sea_orm(string_value = "check")]
    Check,
    /// Paid by an employer or another third party.
    #[sea_orm(string_value = "employer")]
    Employer,
    #[sea_orm(string_value = "other")]
    Other,
    /// A scholarship award credited to the invoice (recorded by the service, never by staff).
    #[sea_orm(string_value = "scholarship")]
    Scholarship,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::invoice::Entity", from = "Column::InvoiceId", to = "super::invoice::Column::Id")]
    Invoice,
}

impl Related<super::invoice::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Invoice.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
