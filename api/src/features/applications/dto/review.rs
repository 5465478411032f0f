//! Reviews, decisions and exams of an application.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use entity::{exam_registration, exam_sitting, review};

// ---- review ----

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewerAssignment {
    pub reviewer_id: Uuid,
    /// An advisory review of a draft (or deferred) application, before submission: the
    /// applicant sees its feedback; it takes no part in the decision.
    #[serde(default)]
    pub advisory: bool,
}

pub use entity::exam_registration::ExamRegistrationStatus;
pub use entity::review::Recommendation;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub recommendation: Recommendation,
    /// Required to defer or hold.
    pub reasons: Option<String>,
    pub comments: Option<String>,
}

impl Validate for ReviewInput {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.recommendation != Recommendation::Approve && self.reasons.as_deref().is_none_or(|r| r.trim().is_empty())
        {
            e.add("reasons", ValidationError::new("required").with_message("give the reasons to defer or hold".into()));
        }
        for (f, v) in [("reasons", &self.reasons), ("comments", &self.comments)] {
            if v.as_ref().is_some_and(|x| x.len() > 10_000) {
                e.add(f, ValidationError::new("length").with_message("must be at most 10000 characters".into()));
            }
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Review {
    pub id: Uuid,
    pub application_id: Uuid,
    pub reviewer_id: Uuid,
    pub advisory: bool,
    pub assigned_at: DateTime<Utc>,
    pub recommendation: Option<Recommendation>,
    pub reasons: Option<String>,
    pub comments: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
}

impl From<review::Model> for Review {
    fn from(m: review::Model) -> Self {
        Review {
            id: m.id,
            application_id: m.application_id,
            reviewer_id: m.reviewer_id,
            advisory: m.advisory,
            assigned_at: m.assigned_at,
            recommendation: m.recommendation,
            reasons: m.reasons,
            comments: m.comments,
            submitted_at: m.submitted_at,
        }
    }
}

/// A coordinator's decision on an application. New values may be added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Endorse (or, with an exam, approve to sit it).
    Approve,
    /// IFRS: emerging.
    Emerging,
    Defer,
    Hold,
    Resume,
    Decline,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub decision: DecisionKind,
    /// Required to defer, hold or decline; sent to the applicant.
    pub reasons: Option<String>,
}

impl Validate for Decision {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let needs = matches!(self.decision, DecisionKind::Defer | DecisionKind::Hold | DecisionKind::Decline);
        if needs && self.reasons.as_deref().is_none_or(|r| r.trim().is_empty()) {
            e.add("reasons", ValidationError::new("required").with_message("give the reasons".into()));
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

// ---- exam ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSitting {
    pub sitting_on: NaiveDate,
    pub location: String,
    pub capacity: i32,
}

impl Validate for NewSitting {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.location.trim().is_empty() || self.location.len() > 300 {
            e.add("location", ValidationError::new("length").with_message("must be 1 to 300 characters long".into()));
        }
        if !(1..=10_000).contains(&self.capacity) {
            e.add("capacity", ValidationError::new("range").with_message("must be between 1 and 10000".into()));
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Sitting {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub sitting_on: NaiveDate,
    pub location: String,
    pub capacity: i32,
    pub seats_left: i64,
}

impl Sitting {
    pub fn build(m: exam_sitting::Model, taken: i64) -> Sitting {
        Sitting {
            seats_left: (m.capacity as i64 - taken).max(0),
            id: m.id,
            affiliate_id: m.affiliate_id,
            sitting_on: m.sitting_on,
            location: m.location,
            capacity: m.capacity,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExamSignup {
    pub sitting_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExamRegistration {
    pub id: Uuid,
    pub application_id: Uuid,
    pub sitting_id: Uuid,
    pub invoice_id: Option<Uuid>,
    pub status: ExamRegistrationStatus,
    pub part1_score: Option<i32>,
    pub part2_passed: Option<bool>,
    pub version: i64,
}

impl From<exam_registration::Model> for ExamRegistration {
    fn from(m: exam_registration::Model) -> Self {
        ExamRegistration {
            id: m.id,
            application_id: m.application_id,
            sitting_id: m.sitting_id,
            invoice_id: m.invoice_id,
            status: m.status,
            part1_score: m.part1_score,
            part2_passed: m.part2_passed,
            version: m.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExamResult {
    /// Part 1 (multiple choice), percent correct.
    pub part1_score: i32,
    /// Part 2 (written vignettes).
    pub part2_passed: bool,
}

impl Validate for ExamResult {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if !(0..=100).contains(&self.part1_score) {
            e.add("part1_score", ValidationError::new("range").with_message("must be between 0 and 100".into()));
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// Advisory feedback as the applicant sees it (the reviewer is not named).
#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisoryFeedback {
    pub recommendation: Option<Recommendation>,
    pub reasons: Option<String>,
    pub comments: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
}
