pub mod review;

use crate::http::validate::{order, text};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::{
    domain::credentials::AgeBand, domain::credentials::CompetencyDomain, domain::credentials::DegreeLevel,
    domain::credentials::ReferenceKind, domain::credentials::TrainingTag, domain::credentials::WorkKind,
    domain::engine::Evaluation, domain::hours::Hours,
};
use entity::{application, application_event, application_reference};

#[derive(Debug, Serialize, ToSchema)]
pub struct Application {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub category: String,
    /// The policy version this application is held to, whatever is published later.
    pub policy_version_id: Uuid,
    pub kind: ApplicationKind,
    pub reinstates_endorsement_id: Option<Uuid>,
    #[serde(rename = "status")]
    pub state: entity::application::ApplicationState,
    /// The deadline whose review cycle it belongs to, once submitted.
    pub deadline_id: Option<Uuid>,
    pub processing_invoice_id: Option<Uuid>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<application::Model> for Application {
    fn from(m: application::Model) -> Self {
        Application {
            id: m.id,
            affiliate_id: m.affiliate_id,
            person_id: m.person_id,
            category: m.category_code,
            policy_version_id: m.policy_version_id,
            kind: m.kind,
            reinstates_endorsement_id: m.reinstates_endorsement_id,
            state: m.state,
            deadline_id: m.deadline_id,
            processing_invoice_id: m.processing_invoice_id,
            submitted_at: m.submitted_at,
            decided_at: m.decided_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationEvent {
    #[serde(rename = "from_status")]
    pub from_state: Option<entity::application::ApplicationState>,
    #[serde(rename = "to_status")]
    pub to_state: entity::application::ApplicationState,
    pub actor_kind: ActorKind,
    pub reason: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl From<application_event::Model> for ApplicationEvent {
    fn from(m: application_event::Model) -> Self {
        ApplicationEvent {
            from_state: m.from_state,
            to_state: m.to_state,
            actor_kind: m.actor_kind,
            reason: m.reason,
            occurred_at: m.occurred_at,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// Category slug or code, e.g. `imhs`.
    #[schema(min_length = 2, max_length = 16)]
    #[validate(length(min = 2, max = 16))]
    pub category: String,
    /// Reinstate a lapsed endorsement of this category (updated membership, experience
    /// since the lapse, three new reference ratings, the Code of Ethics, the processing fee).
    #[serde(default)]
    pub reinstatement: bool,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApplicationListQuery {
    /// Filter by status.
    #[serde(rename = "status")]
    pub state: Option<entity::application::ApplicationState>,
    /// Filter by category code.
    pub category: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    #[schema(max_length = 2000)]
    #[validate(length(max = 2000))]
    pub reason: Option<String>,
}

/// Readiness: the engine's evaluation of the portfolio against the application's policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub application_id: Uuid,
    pub policy_version_id: Uuid,
    pub on: NaiveDate,
    /// Every requirement but the exam is met: the application can be submitted (fee aside).
    pub ready_to_submit: bool,
    pub evaluation: Evaluation,
}

// ---- portfolio ----

pub use entity::application::ApplicationKind;
pub use entity::portfolio_entry::PortfolioKind;
pub use entity::sets::ActorKind;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EducationItem {
    pub level: DegreeLevel,
    pub field: Option<String>,
    pub institution: String,
    pub start_date: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkItem {
    pub role: String,
    pub employer: String,
    pub kind: WorkKind,
    #[serde(default)]
    pub ages_served: Vec<AgeBand>,
    pub paid: bool,
    pub hours_per_week: Option<Hours>,
    pub families_served: Option<u32>,
    pub start_date: NaiveDate,
    /// Absent: ongoing.
    pub end_date: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingItem {
    pub title: String,
    pub provider: String,
    pub date: NaiveDate,
    pub hours: Hours,
    #[serde(default)]
    pub tags: Vec<TrainingTag>,
    pub age_focus: Option<AgeBand>,
    #[serde(default)]
    pub competency_domains: Vec<CompetencyDomain>,
}

/// How reflective supervision/consultation was given. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RscFormat {
    Individual,
    Group,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RscItem {
    pub provider_name: String,
    /// The provider's endorsement number, where known: RSC counts as from an endorsed
    /// provider only with it.
    pub provider_endorsement_number: Option<String>,
    pub format: RscFormat,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hours: Hours,
    /// About the RSC the applicant provides to others.
    #[serde(default)]
    pub about_own_provision: bool,
}

/// One portfolio entry; which fields apply depends on its kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum PortfolioItem {
    Education(EducationItem),
    Work(WorkItem),
    Training(TrainingItem),
    Rsc(RscItem),
}

impl Validate for EducationItem {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        text(&mut e, "institution", &self.institution, 200);
        if let Some(f) = &self.field {
            text(&mut e, "field", f, 200);
        }
        order(&mut e, "completed_on", self.start_date, self.completed_on);
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

impl Validate for WorkItem {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        text(&mut e, "role", &self.role, 200);
        text(&mut e, "employer", &self.employer, 200);
        order(&mut e, "end_date", Some(self.start_date), self.end_date);
        if self.hours_per_week.is_some_and(|h| h > Hours::whole(100)) {
            e.add("hours_per_week", ValidationError::new("range").with_message("must be at most 100".into()));
        }
        if self.families_served.is_some_and(|f| f > 100_000) {
            e.add("families_served", ValidationError::new("range").with_message("must be at most 100000".into()));
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

impl Validate for TrainingItem {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        text(&mut e, "title", &self.title, 300);
        text(&mut e, "provider", &self.provider, 200);
        if self.hours.quarters() == 0 || self.hours > Hours::whole(2000) {
            e.add("hours", ValidationError::new("range").with_message("must be more than 0 and at most 2000".into()));
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

impl Validate for RscItem {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        text(&mut e, "provider_name", &self.provider_name, 200);
        if let Some(n) = &self.provider_endorsement_number {
            text(&mut e, "provider_endorsement_number", n, 64);
        }
        order(&mut e, "end_date", Some(self.start_date), Some(self.end_date));
        if self.hours.quarters() == 0 || self.hours > Hours::whole(2000) {
            e.add("hours", ValidationError::new("range").with_message("must be more than 0 and at most 2000".into()));
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PortfolioEntry {
    pub id: Uuid,
    pub application_id: Uuid,
    pub kind: PortfolioKind,
    pub item: PortfolioItem,
    /// Checked by a coordinator (for education: the transcript was seen).
    pub verified: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

// ---- attestation ----

pub const CODE_OF_ETHICS_VERSION: &str = "2026-1";

#[derive(Debug, Serialize, ToSchema)]
pub struct AttestationText {
    pub version: String,
    pub text: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAttestation {
    /// The version of the text being signed; it must be the current one.
    #[schema(min_length = 1, max_length = 32)]
    #[validate(length(min = 1, max = 32))]
    pub text_version: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Attestation {
    pub id: Uuid,
    pub kind: entity::attestation::AttestationKind,
    pub text_version: String,
    pub signed_at: DateTime<Utc>,
}

// ---- references ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Maria Chen", "email": "maria.chen@example.org", "relationship": "Clinical supervisor since 2021", "kind": "supervisor"}))]
pub struct NewReference {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 200)]
    pub relationship: String,
    pub kind: ReferenceKind,
}

impl Validate for NewReference {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        text(&mut e, "name", &self.name, 200);
        crate::features::accounts::dto::people::check_person_name_chars("name", &self.name, &mut e);
        text(&mut e, "relationship", &self.relationship, 200);
        crate::features::accounts::dto::people::check_email("email", &self.email, &mut e);
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// What the applicant sees of a reference: its status, never its content.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceStatus {
    pub id: Uuid,
    pub name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    pub relationship: String,
    pub kind: ReferenceKind,
    pub status: crate::domain::reference::ReferenceState,
    pub invited_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub version: i64,
}

/// A reference: its status for everyone who may see the application; the rater's
/// ratings and comments only for reviewers and coordinators (absent for the applicant).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceContent {
    #[serde(flatten)]
    pub status: ReferenceStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratings: Option<Vec<Rating>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
}

pub fn reference_status(m: &application_reference::Model, now: DateTime<Utc>) -> ReferenceStatus {
    let status = crate::domain::reference::shown(m.status, m.expires_at <= now);
    ReferenceStatus {
        id: m.id,
        name: m.rater_name.clone(),
        email: m.rater_email.clone(),
        relationship: m.relationship.clone(),
        kind: m.kind,
        status,
        invited_at: m.invited_at,
        responded_at: m.responded_at,
        expires_at: m.expires_at,
        version: m.version,
    }
}

/// A rating of one competency domain, 1 (not observed) to 5 (exemplary).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    pub domain: CompetencyDomain,
    pub rating: u8,
    pub comment: Option<String>,
}

/// What a rater sees when opening the link: who asked, for what.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceRequest {
    pub applicant_name: String,
    pub affiliate_name: String,
    pub category: String,
    pub category_name: String,
    pub rater_name: String,
    pub relationship: String,
    /// The domains to rate.
    pub domains: Vec<CompetencyDomain>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceSubmission {
    /// The code from the rater's link.
    pub token: String,
    /// At least one domain rated.
    #[schema(min_items = 1)]
    pub ratings: Vec<Rating>,
    pub comments: Option<String>,
}

impl Validate for ReferenceSubmission {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.ratings.is_empty() {
            e.add("ratings", ValidationError::new("required").with_message("rate at least one domain".into()));
        }
        for (i, r) in self.ratings.iter().enumerate() {
            if !(1..=5).contains(&r.rating) {
                e.add(
                    "ratings",
                    ValidationError::new("range").with_message(format!("ratings[{i}].rating must be 1 to 5").into()),
                );
            }
            if self.ratings[..i].iter().any(|o| o.domain == r.domain) {
                e.add(
                    "ratings",
                    ValidationError::new("duplicate").with_message(format!("ratings[{i}].domain appears twice").into()),
                );
            }
            if r.comment.as_ref().is_some_and(|c| c.len() > 4000) {
                e.add(
                    "ratings",
                    ValidationError::new("length").with_message(format!("ratings[{i}].comment is too long").into()),
                );
            }
        }
        if self.comments.as_ref().is_some_and(|c| c.len() > 10_000) {
            e.add("comments", ValidationError::new("length").with_message("must be at most 10000 characters".into()));
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceDecline {
    /// The code from the rater's link.
    #[schema(min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200))]
    pub token: String,
    #[schema(max_length = 2000)]
    #[validate(length(max = 2000))]
    pub reason: Option<String>,
}
