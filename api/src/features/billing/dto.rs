use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::domain::money::Money;
use entity::{fee_schedule, invoice, invoice_entry, invoice_line};

pub use entity::sets::{ChargeKind, FeeKind};

/// A fee in an affiliate's schedule, in force from `effective_from`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0194f3a0-0000-7000-8000-0000000000f1", "kind": "registration", "category": null, "amount": {"amount_cents": 2500, "currency": "USD"}, "effective_from": "2015-01-01"}))]
pub struct Fee {
    pub id: Uuid,
    pub kind: FeeKind,
    /// For per-category fees (processing): the category code.
    pub category: Option<String>,
    pub amount: Money,
    pub effective_from: NaiveDate,
}

impl From<fee_schedule::Model> for Fee {
    fn from(m: fee_schedule::Model) -> Self {
        Fee {
            id: m.id,
            kind: m.fee_kind,
            category: (!m.category.is_empty()).then_some(m.category),
            amount: Money::new(m.amount_cents, &m.currency),
            effective_from: m.effective_from,
        }
    }
}

/// A new version of one fee, from a date on.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "processing", "category": "IMHS", "amount": {"amount_cents": 20000, "currency": "USD"}, "effective_from": "2027-01-01"}))]
pub struct NewFee {
    pub kind: FeeKind,
    #[schema(min_length = 2, max_length = 16)]
    #[validate(length(min = 2, max = 16))]
    pub category: Option<String>,
    pub amount: Money,
    pub effective_from: NaiveDate,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeeQuery {
    /// The day whose fees to show (the affiliate's today by default).
    pub on: Option<NaiveDate>,
    /// Rows per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceLine {
    pub description: String,
    pub fee_kind: ChargeKind,
    pub amount: Money,
}

/// A payment, refund, waiver or credit recorded against an invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceEntry {
    pub id: Uuid,
    pub kind: InvoiceEntryKind,
    pub method: Option<PaymentMethod>,
    pub amount: Money,
    pub reference: Option<String>,
    pub reason: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Invoice {
    pub id: Uuid,
    /// Human-readable number to quote when paying.
    pub number: String,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub purpose: InvoicePurpose,
    pub status: InvoiceStatus,
    pub total: Money,
    pub paid: Money,
    pub refunded: Money,
    pub credited: Money,
    pub waived: Money,
    /// What is still owed: total - (paid - refunded) - credited - waived.
    pub balance: Money,
    pub lines: Vec<InvoiceLine>,
    pub entries: Vec<InvoiceEntry>,
    pub settled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl Invoice {
    pub fn build(m: invoice::Model, lines: Vec<invoice_line::Model>, entries: Vec<invoice_entry::Model>) -> Invoice {
        let c = m.currency.clone();
        let money = |v: i64| Money::new(v, &c);
        let balance = m.total_cents - (m.paid_cents - m.refunded_cents) - m.credited_cents - m.waived_cents;
        Invoice {
            id: m.id,
            number: m.number,
            affiliate_id: m.affiliate_id,
            person_id: m.person_id,
            purpose: m.purpose,
            status: m.status,
            total: money(m.total_cents),
            paid: money(m.paid_cents),
            refunded: money(m.refunded_cents),
            credited: money(m.credited_cents),
            waived: money(m.waived_cents),
            balance: money(balance),
            lines: lines
                .into_iter()
                .map(|l| InvoiceLine {
                    description: l.description,
                    fee_kind: l.fee_kind,
                    amount: money(l.amount_cents),
                })
                .collect(),
            entries: entries
                .into_iter()
                .map(|e| InvoiceEntry {
                    id: e.id,
                    kind: e.kind,
                    method: e.method,
                    amount: money(e.amount_cents),
                    reference: e.reference,
                    reason: e.reason,
                    recorded_at: e.recorded_at,
                })
                .collect(),
            settled_at: m.settled_at,
            created_at: m.created_at,
            version: m.version,
        }
    }
}

/// What a ledger entry records. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Payment,
    Refund,
    Waiver,
}

impl From<EntryKind> for InvoiceEntryKind {
    fn from(kind: EntryKind) -> Self {
        match kind {
            EntryKind::Payment => InvoiceEntryKind::Payment,
            EntryKind::Refund => InvoiceEntryKind::Refund,
            EntryKind::Waiver => InvoiceEntryKind::Waiver,
        }
    }
}

pub use entity::invoice::{InvoicePurpose, InvoiceStatus};
pub use entity::invoice_entry::{InvoiceEntryKind, PaymentMethod};

/// A payment (partial allowed), a refund, or a waiver with its reason. A payment or
/// waiver larger than the balance is refused, as is a refund larger than what was paid.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "payment", "method": "check", "amount": {"amount_cents": 2500, "currency": "USD"}, "reference": "check #1042"}))]
pub struct NewEntry {
    pub kind: EntryKind,
    /// Required for payments and refunds.
    pub method: Option<PaymentMethod>,
    pub amount: Money,
    /// Processor transaction id, check number, ...
    pub reference: Option<String>,
    /// Required for waivers and refunds.
    pub reason: Option<String>,
}

impl Validate for NewEntry {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        let mut errors = validator::ValidationErrors::new();
        let err =
            |code: &'static str, msg: &'static str| validator::ValidationError::new(code).with_message(msg.into());
        match self.kind {
            EntryKind::Payment | EntryKind::Refund if self.method.is_none() => {
                errors.add("method", err("required", "payments and refunds need a method"))
            }
            EntryKind::Waiver if self.method.is_some() => {
                errors.add("method", err("not_allowed", "waivers have no method"))
            }
            _ => {}
        }
        if self.method == Some(PaymentMethod::Scholarship) {
            errors.add("method", err("not_allowed", "scholarship credits are recorded by the service"));
        }
        if matches!(self.kind, EntryKind::Waiver | EntryKind::Refund)
            && self.reason.as_deref().is_none_or(|r| r.trim().is_empty())
        {
            errors.add("reason", err("required", "waivers and refunds need a reason"));
        }
        if self.reference.as_ref().is_some_and(|r| r.len() > 200) {
            errors.add("reference", err("length", "must be at most 200 characters long"));
        }
        if self.reason.as_ref().is_some_and(|r| r.len() > 500) {
            errors.add("reason", err("length", "must be at most 500 characters long"));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvoiceListQuery {
    /// Only invoices in this status.
    pub status: Option<InvoiceStatus>,
    /// Only this person's invoices (coordinators).
    pub person_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
