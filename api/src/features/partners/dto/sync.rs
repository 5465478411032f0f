//! Partner sync: the change feed, bulk upserts keyed by the partner's own ids, and CSV
//! imports that share the upsert rules.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::{
    error::Problem, features::accounts::dto::people::Address, features::accounts::dto::people::Language,
    features::accounts::dto::people::check_address, features::accounts::dto::people::check_email,
    features::accounts::dto::people::check_name, features::accounts::dto::people::check_phone,
    features::applications::dto::PortfolioItem, features::applications::dto::PortfolioKind,
};

/// Most items one bulk request may carry (413 `too_many_items` beyond it).
pub const MAX_SYNC_ITEMS: usize = 1000;

// ---- change feed ----

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The `next_cursor` of the previous page; absent to start from the beginning.
    pub cursor: Option<String>,
    /// Events per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    #[validate(range(min = 1, max = 200))]
    pub limit: Option<i64>,
}

/// One change: the record as it was after the change, or a tombstone for a delete.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeEvent {
    /// Unique and stable: the same change always has the same id.
    #[schema(example = "chg_1042")]
    pub event_id: String,
    pub kind: entity::sets::RecordKind,
    pub record_id: Uuid,
    /// The partner's id for the record, where one was given through sync or import.
    pub external_id: Option<String>,
    /// The record's version after this change; versions of a record only grow.
    pub version: i64,
    /// A `delete` is a tombstone: `representation` is null.
    pub operation: entity::change_log::Operation,
    pub changed_at: DateTime<Utc>,
    /// The record as the API shows it (the kind's own schema).
    pub representation: Option<Value>,
}

/// The schema of a kind's `representation` in the feed and in webhook events: the record
/// as the API shows it elsewhere.
pub fn representation_schema(kind: entity::sets::RecordKind) -> &'static str {
    use entity::sets::RecordKind::*;
    match kind {
        Affiliate => "Affiliate",
        Person => "Person",
        Membership => "Membership",
        Invoice => "Invoice",
        Application => "Application",
        Endorsement => "Endorsement",
        Renewal => "Renewal",
        RenewalEntry => "RenewalEntry",
        ScholarshipRequest => "ScholarshipRequest",
    }
}

/// A page of the change feed, in commit order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeFeed {
    pub data: Vec<ChangeEvent>,
    /// Always present: save it and pass it as `cursor` on the next poll (also after an
    /// empty page). A change committed later always comes after it.
    pub next_cursor: String,
    /// True when more events are waiting: fetch again at once instead of waiting.
    pub has_more: bool,
}

// ---- bulk upsert ----

pub fn check_external_id(field: &'static str, v: &str, errors: &mut ValidationErrors) {
    let n = v.chars().count();
    if !(1..=255).contains(&n) || v.trim() != v || v.chars().any(char::is_control) {
        errors.add(
            field,
            ValidationError::new("invalid_external_id")
                .with_message("must be 1 to 255 characters, without control characters or outer spaces".into()),
        );
    }
}

/// A person as the partner keeps them. Every field is written on each upsert (absent
/// optional fields are cleared), so sending the same record twice changes nothing.
#[derive(Clone, Debug, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PersonSync {
    /// The partner's id for this person: unique within the affiliate.
    pub external_id: String,
    /// Unique across the service. An existing account of the affiliate with this email
    /// and no external id yet is linked to `external_id` rather than duplicated.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 100, pattern = r#"^[^\\"<>]*\S[^\\"<>]*$"#)]
    pub given_name: String,
    #[schema(min_length = 1, max_length = 100, pattern = r#"^[^\\"<>]*\S[^\\"<>]*$"#)]
    pub family_name: String,
    #[serde(default)]
    pub preferred_language: Option<Language>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<Address>,
}

impl Validate for PersonSync {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_external_id("external_id", &self.external_id, &mut e);
        check_email("email", &self.email, &mut e);
        check_name("given_name", &self.given_name, &mut e);
        check_name("family_name", &self.family_name, &mut e);
        check_phone(&self.phone, &mut e);
        if let Some(a) = &self.address {
            check_address(a, &mut e);
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// The state of a membership a partner syncs. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncedMembershipState {
    Paid,
    Cancelled,
}

impl From<SyncedMembershipState> for entity::membership::MembershipState {
    fn from(state: SyncedMembershipState) -> Self {
        match state {
            SyncedMembershipState::Paid => Self::Paid,
            SyncedMembershipState::Cancelled => Self::Cancelled,
        }
    }
}

/// A membership bought on the partner's site.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipSync {
    pub external_id: String,
    /// The person's `external_id`.
    pub person_external_id: String,
    /// A plan of the affiliate.
    pub plan_id: Uuid,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Default `paid`.
    #[serde(default)]
    #[serde(rename = "status", alias = "state")]
    pub state: Option<SyncedMembershipState>,
}

impl Validate for MembershipSync {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_external_id("external_id", &self.external_id, &mut e);
        check_external_id("person_external_id", &self.person_external_id, &mut e);
        if self.ends_on < self.starts_on {
            e.add("ends_on", ValidationError::new("before_start").with_message("must not be before starts_on".into()));
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// A training or RSC entry for the person's renewal of `year` (the renewal is opened
/// when the person has an endorsement due that year).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewalEntrySync {
    pub external_id: String,
    pub person_external_id: String,
    #[schema(minimum = 2000, maximum = 2200)]
    pub year: i32,
    pub kind: entity::renewal_entry::RenewalEntryKind,
    /// A training item for `trainings`, an RSC item for `rsc`.
    pub item: PortfolioItem,
}

impl Validate for RenewalEntrySync {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_external_id("external_id", &self.external_id, &mut e);
        check_external_id("person_external_id", &self.person_external_id, &mut e);
        if !(2000..=2200).contains(&self.year) {
            e.add("year", ValidationError::new("range").with_message("must be between 2000 and 2200".into()));
        }
        let inner = match &self.item {
            PortfolioItem::Training(t) if PortfolioKind::from(self.kind) == PortfolioKind::Trainings => t.validate(),
            PortfolioItem::Rsc(r) if PortfolioKind::from(self.kind) == PortfolioKind::Rsc => r.validate(),
            _ => {
                e.add(
                    "item",
                    ValidationError::new("kind_mismatch")
                        .with_message("must be a training for `trainings` or an RSC entry for `rsc`".into()),
                );
                Ok(())
            }
        };
        let e = match inner {
            Ok(()) => e,
            Err(inner) => ValidationErrors::merge(Err(e), "item", Err(inner)).err().unwrap_or_default(),
        };
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// The status of an endorsement imported from a legacy system. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegacyEndorsementStatus {
    Active,
    Lapsed,
}

impl From<LegacyEndorsementStatus> for entity::endorsement::EndorsementStatus {
    fn from(status: LegacyEndorsementStatus) -> Self {
        match status {
            LegacyEndorsementStatus::Active => Self::Active,
            LegacyEndorsementStatus::Lapsed => Self::Lapsed,
        }
    }
}

/// An endorsement issued before this service, with its original number and dates.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndorsementSync {
    pub external_id: String,
    pub person_external_id: String,
    /// A category code of the catalog (`GET /v1/credential-categories`), e.g. `IFS` or `IMHM-C`.
    pub category: String,
    /// The number it was issued under; unique across the service.
    pub number: String,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub status: LegacyEndorsementStatus,
    /// Shown in the public registry (default true).
    #[serde(default)]
    pub listed: Option<bool>,
}

impl Validate for EndorsementSync {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_external_id("external_id", &self.external_id, &mut e);
        check_external_id("person_external_id", &self.person_external_id, &mut e);
        let n = self.number.chars().count();
        if !(1..=64).contains(&n) || self.number.trim() != self.number {
            e.add("number", ValidationError::new("length").with_message("must be 1 to 64 characters".into()));
        }
        if self.expires_on < self.issued_on {
            e.add(
                "expires_on",
                ValidationError::new("before_start").with_message("must not be before issued_on".into()),
            );
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// Items are checked one by one: a malformed item gets its own problem, the rest apply.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PeopleSyncRequest {
    #[schema(value_type = Vec<PersonSync>, max_items = 1000)]
    pub items: Vec<Value>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MembershipSyncRequest {
    #[schema(value_type = Vec<MembershipSync>, max_items = 1000)]
    pub items: Vec<Value>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RenewalEntrySyncRequest {
    #[schema(value_type = Vec<RenewalEntrySync>, max_items = 1000)]
    pub items: Vec<Value>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EndorsementSyncRequest {
    #[schema(value_type = Vec<EndorsementSync>, max_items = 1000)]
    pub items: Vec<Value>,
}

/// What a sync item or import row did. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    Created,
    Updated,
    Unchanged,
    Failed,
}

/// What happened to one item.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncItemResult {
    /// The item's place in `items` (from 0), or the data row's number in a CSV import
    /// (from 1, the header not counted).
    pub index: usize,
    pub external_id: Option<String>,
    pub status: SyncStatus,
    /// The record's id here (absent when the item failed).
    pub id: Option<Uuid>,
    pub version: Option<i64>,
    /// Why the item failed (a problem document as a request would get).
    pub problem: Option<Problem>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct SyncCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncResponse {
    pub counts: SyncCounts,
    /// One result per item, in order.
    pub results: Vec<SyncItemResult>,
}

// ---- CSV import ----

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Check every row against the data (nothing is written).
    DryRun,
    /// Write every row, or nothing when any row has a problem (422).
    Apply,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `dry_run` (default) or `apply`.
    #[param(inline)]
    pub mode: Option<ImportMode>,
}

/// The outcome of an import: per-row results; `applied` says whether it was written.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub applied: bool,
    pub rows: usize,
    pub counts: SyncCounts,
    pub results: Vec<SyncItemResult>,
}
