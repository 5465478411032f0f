use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::domain::engine::Evaluation;
use entity::renewal;

#[derive(Debug, Serialize, ToSchema)]
pub struct RenewalPeriod {
    pub affiliate_id: Uuid,
    pub year: i32,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Renewals may still be submitted until this day, with the late fee.
    pub late_until: Option<NaiveDate>,
    pub auto_approve: bool,
    /// Days before the close on which reminders go out.
    pub reminder_offsets: Vec<i64>,
    /// False when this is the default (1 October - 31 December), not one the affiliate set.
    pub configured: bool,
    pub time_zone: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewalPeriodInput {
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub late_until: Option<NaiveDate>,
    #[serde(default)]
    pub auto_approve: bool,
    #[serde(default = "default_offsets")]
    pub reminder_offsets: Vec<i64>,
}

fn default_offsets() -> Vec<i64> {
    vec![30, 7, 1]
}

impl Validate for RenewalPeriodInput {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.closes_on < self.opens_on {
            e.add("closes_on", ValidationError::new("before_start").with_message("must not be before opens_on".into()));
        }
        if self.late_until.is_some_and(|l| l <= self.closes_on) {
            e.add("late_until", ValidationError::new("before_close").with_message("must be after closes_on".into()));
        }
        if self.reminder_offsets.len() > 10 || self.reminder_offsets.iter().any(|o| !(0..=365).contains(o)) {
            e.add(
                "reminder_offsets",
                ValidationError::new("range").with_message("at most 10 offsets of 0 to 365 days".into()),
            );
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Renewal {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub year: i32,
    #[serde(rename = "status")]
    pub state: entity::renewal::RenewalState,
    pub provides_rsc: bool,
    pub ethics_signed_at: Option<DateTime<Utc>>,
    pub invoice_id: Option<Uuid>,
    pub return_reasons: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<renewal::Model> for Renewal {
    fn from(m: renewal::Model) -> Self {
        Renewal {
            id: m.id,
            affiliate_id: m.affiliate_id,
            person_id: m.person_id,
            year: m.year,
            state: m.state,
            provides_rsc: m.provides_rsc,
            ethics_signed_at: m.ethics_signed_at,
            invoice_id: m.invoice_id,
            return_reasons: m.return_reasons,
            submitted_at: m.submitted_at,
            decided_at: m.decided_at,
            version: m.version,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewalAttestation {
    /// The Code of Ethics text version re-signed (the current one).
    #[schema(min_length = 1, max_length = 32)]
    #[validate(length(min = 1, max = 32))]
    pub text_version: String,
    /// Whether the endorsee provides reflective supervision/consultation to others.
    pub provides_rsc: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryRenewal {
    pub endorsement_number: String,
    pub category: String,
    pub evaluation: Evaluation,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RenewalReadiness {
    pub year: i32,
    /// Every due endorsement's requirements are met.
    pub ready: bool,
    /// One evaluation per endorsement due this year (hours counted once, for all).
    pub categories: Vec<CategoryRenewal>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRenewal {
    #[schema(min_length = 1, max_length = 4000)]
    #[validate(length(min = 1, max = 4000))]
    pub reasons: String,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RenewalStatusQuery {
    #[param(minimum = 2000, maximum = 2200)]
    #[validate(range(min = 2000, max = 2200))]
    pub year: i32,
    pub status: Option<crate::domain::renewal::RenewalStanding>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// One endorsee's renewal status for a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct RenewalStatus {
    pub person_id: Uuid,
    pub name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    pub status: crate::domain::renewal::RenewalStanding,
    pub renewal_id: Option<Uuid>,
    /// The categories of the endorsements due.
    #[schema(value_type = Vec<crate::domain::credentials::CategoryCode>)]
    pub endorsements: Vec<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobRequest {
    /// The day to run as (the affiliate's today by default); for catching up.
    pub today: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobReport {
    /// How many records the run changed (endorsements lapsed, reminders sent). Zero when
    /// run again: the jobs are idempotent.
    pub changed: u64,
}

/// The most items one bulk request may carry.
pub const MAX_BULK_ITEMS: usize = 500;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveItem {
    pub renewal_id: Uuid,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnItem {
    pub renewal_id: Uuid,
    pub reasons: String,
}

/// A payment made outside this service (e.g. on the association's site) for a renewal's invoice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentItem {
    pub renewal_id: Uuid,
    pub amount: crate::domain::money::Money,
    pub method: crate::features::billing::dto::PaymentMethod,
    pub reference: Option<String>,
}

/// One run of a renewal job, for the bulk `run_lapse` and `send_reminders` actions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobItem {
    /// Affiliate code or id (the caller's own, unless an administrator).
    pub affiliate: String,
    /// The day to run as (the affiliate's today by default).
    pub today: Option<NaiveDate>,
}

/// A bulk renewal action: each item is applied on its own, with its own result.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[schema(example = json!({"action": "approve", "items": [{"renewal_id": "0194f3a0-0000-7000-8000-0000000000aa"}]}))]
pub enum BulkRenewalRequest {
    Approve {
        #[schema(max_items = 500)]
        items: Vec<ApproveItem>,
    },
    Return {
        #[schema(max_items = 500)]
        items: Vec<ReturnItem>,
    },
    RecordPayment {
        #[schema(max_items = 500)]
        items: Vec<PaymentItem>,
    },
    /// Runs the lapse job for each affiliate named (idempotent).
    RunLapse {
        #[schema(max_items = 500)]
        items: Vec<JobItem>,
    },
    /// Sends the reminders due for each affiliate named (once per person, year and offset).
    SendReminders {
        #[schema(max_items = 500)]
        items: Vec<JobItem>,
    },
}

impl Validate for BulkRenewalRequest {
    /// What the schema states of every item is refused as a whole (422); what depends on
    /// the records is each item's own result.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if let BulkRenewalRequest::RecordPayment { items } = self {
            for (i, item) in items.iter().enumerate() {
                if !(0..=crate::domain::money::MAX_SAFE_CENTS).contains(&item.amount.amount_cents) {
                    let message =
                        format!("items[{i}].amount.amount_cents must be 0 to {}", crate::domain::money::MAX_SAFE_CENTS);
                    errors.add("items", validator::ValidationError::new("range").with_message(message.into()));
                }
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

impl BulkRenewalRequest {
    pub fn len(&self) -> usize {
        match self {
            BulkRenewalRequest::Approve { items } => items.len(),
            BulkRenewalRequest::Return { items } => items.len(),
            BulkRenewalRequest::RecordPayment { items } => items.len(),
            BulkRenewalRequest::RunLapse { items } | BulkRenewalRequest::SendReminders { items } => items.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

entity::closed_set! {
    /// Whether one item of a bulk request succeeded. New values may be added later.
    pub enum ItemStatus {
        Ok = "ok",
        Error = "error",
    }
}

/// One item's outcome: the renewal as it now stands (or, for a job, how many records it
/// changed), or the problem that stopped it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkItemResult {
    pub index: usize,
    /// The renewal the item named (renewal actions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal_id: Option<Uuid>,
    /// The affiliate the item named (job actions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affiliate: Option<String>,
    pub status: ItemStatus,
    pub renewal: Option<Renewal>,
    /// Records the job changed (endorsements lapsed, reminders sent); 0 when run again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed: Option<u64>,
    pub problem: Option<crate::error::Problem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    pub succeeded: usize,
    pub failed: usize,
    pub results: Vec<BulkItemResult>,
}

pub use entity::renewal_entry::RenewalEntryKind;

/// A training or RSC entry recorded on a renewal.
#[derive(Debug, Serialize, ToSchema)]
pub struct RenewalEntry {
    pub id: Uuid,
    pub renewal_id: Uuid,
    pub kind: RenewalEntryKind,
    pub item: crate::features::applications::dto::PortfolioItem,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}
