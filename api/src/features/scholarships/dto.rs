use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::domain::money::Money;
pub use entity::scholarship_request::{ScholarshipPurpose, ScholarshipStatus};
use entity::{scholarship_fund, scholarship_request};

#[derive(Debug, Serialize, ToSchema)]
pub struct Fund {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub name: String,
    pub sponsor: Option<String>,
    pub budget: Money,
    pub remaining: Money,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// What it pays for.
    pub covers: Vec<ScholarshipPurpose>,
}

impl From<scholarship_fund::Model> for Fund {
    fn from(m: scholarship_fund::Model) -> Self {
        Fund {
            covers: serde_json::from_value(m.covers).unwrap_or_default(),
            id: m.id,
            affiliate_id: m.affiliate_id,
            name: m.name,
            sponsor: m.sponsor,
            remaining: Money::new(m.budget_cents - m.awarded_cents, &m.currency),
            budget: Money::new(m.budget_cents, &m.currency),
            starts_on: m.starts_on,
            ends_on: m.ends_on,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Reflective supervision fund", "sponsor": "A foundation", "budget": {"amount_cents": 500000, "currency": "USD"}, "starts_on": "2026-01-01", "ends_on": "2026-12-31", "covers": ["registration", "processing", "rsc"]}))]
pub struct NewFund {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    pub sponsor: Option<String>,
    pub budget: Money,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[schema(min_items = 1)]
    pub covers: Vec<ScholarshipPurpose>,
}

impl Validate for NewFund {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            e.add("name", ValidationError::new("length").with_message("must be 1 to 200 characters long".into()));
        }
        if self.ends_on < self.starts_on {
            e.add("ends_on", ValidationError::new("before_start").with_message("must not be before starts_on".into()));
        }
        if self.covers.is_empty() {
            e.add("covers", ValidationError::new("length").with_message("name at least one purpose".into()));
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScholarshipRequest {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub person_id: Uuid,
    pub amount: Money,
    pub purpose: ScholarshipPurpose,
    pub statement: String,
    pub invoice_id: Option<Uuid>,
    pub status: ScholarshipStatus,
    pub awarded: Money,
    /// Credited to invoices so far; for costs paid outside this service (RSC), the whole
    /// award once approved, as the association disburses it.
    pub applied: Money,
    pub reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl ScholarshipRequest {
    pub fn build(m: scholarship_request::Model, currency: &str) -> Self {
        ScholarshipRequest {
            id: m.id,
            fund_id: m.fund_id,
            person_id: m.person_id,
            amount: Money::new(m.amount_cents, currency),
            purpose: m.purpose,
            statement: m.statement,
            invoice_id: m.invoice_id,
            status: m.status,
            awarded: Money::new(m.awarded_cents, currency),
            applied: Money::new(m.applied_cents, currency),
            reason: m.reason,
            decided_at: m.decided_at,
            version: m.version,
        }
    }
}

/// A request; staff may make it for a person (e.g. one who cannot sign in yet).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScholarshipRequest {
    pub fund_id: Uuid,
    pub amount: Money,
    pub purpose: ScholarshipPurpose,
    #[schema(min_length = 1, pattern = r"\S")]
    pub statement: String,
    /// The invoice it should be credited to, if known.
    pub invoice_id: Option<Uuid>,
    /// Staff only: the person it is for.
    pub person_id: Option<Uuid>,
}

impl Validate for NewScholarshipRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.statement.trim().is_empty() || self.statement.len() > 10_000 {
            e.add(
                "statement",
                ValidationError::new("length").with_message("must be 1 to 10000 characters long".into()),
            );
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// A coordinator's decision on a scholarship request. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScholarshipDecisionKind {
    Approve,
    Deny,
    Waitlist,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScholarshipDecision {
    pub decision: ScholarshipDecisionKind,
    /// For a partial award; the amount requested by default.
    pub amount: Option<Money>,
    pub reason: Option<String>,
}

impl Validate for ScholarshipDecision {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.decision != ScholarshipDecisionKind::Approve
            && self.reason.as_deref().is_none_or(|r| r.trim().is_empty())
        {
            e.add(
                "reason",
                ValidationError::new("required").with_message("give the reason to deny or waitlist".into()),
            );
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScholarshipListQuery {
    pub status: Option<ScholarshipStatus>,
    /// Rows per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}
