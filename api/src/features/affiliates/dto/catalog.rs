use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::{domain::engine::Evaluation, domain::engine::Profile, domain::policy::Requirements};
use entity::{credential_category, credential_family};

#[derive(Debug, Serialize, ToSchema)]
pub struct Family {
    /// `IMH-E` or `ECMH-E`.
    pub code: String,
    pub name: String,
    pub age_focus: String,
    pub description: String,
}

impl From<credential_family::Model> for Family {
    fn from(m: credential_family::Model) -> Self {
        Family { code: m.code, name: m.name, age_focus: m.age_focus, description: m.description }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "IFS", "slug": "ifs", "family": "IMH-E", "name": "Infant Family Specialist", "name_es": "Especialista en Familia e Infancia", "abbreviation": "IFS", "scope_of_work": "Prevention and early intervention: serving the social emotional well-being of infants and toddlers (0-3).", "age_focus": "infant_toddler", "example_roles": ["Home Visitor/Home Visiting Supervisor", "Doula"], "rank": 2, "track": null}))]
pub struct Category {
    pub code: String,
    /// URL-safe code (`imhm-rf` for `IMHM-R/F`).
    pub slug: String,
    pub family: String,
    pub name: String,
    /// The name in Spanish, shown to Spanish-speaking readers (emails use it).
    pub name_es: Option<String>,
    pub abbreviation: String,
    pub scope_of_work: String,
    pub age_focus: String,
    pub example_roles: Vec<String>,
    /// Level within the family: 1 associate to 5 mentor.
    pub rank: i32,
    /// Mentor categories only.
    pub track: Option<entity::credential_category::MentorTrack>,
}

impl From<credential_category::Model> for Category {
    fn from(m: credential_category::Model) -> Self {
        Category {
            example_roles: serde_json::from_value(m.example_roles).unwrap_or_default(),
            code: m.code,
            slug: m.slug,
            family: m.family_code,
            name: m.name,
            name_es: m.name_es,
            abbreviation: m.abbreviation,
            scope_of_work: m.scope_of_work,
            age_focus: m.age_focus,
            rank: m.rank,
            track: m.track,
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CategoryQuery {
    /// `IMH-E` or `ECMH-E`.
    #[param(pattern = "^([Ii][Mm][Hh]|[Ee][Cc][Mm][Hh])-[Ee]$")]
    pub family: Option<String>,
    /// Rows per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OnQuery {
    /// The day (`YYYY-MM-DD`, the affiliate's today by default).
    pub on: Option<NaiveDate>,
}

/// The day whose policies to list, and the page.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PolicyListQuery {
    /// The day (`YYYY-MM-DD`, the affiliate's today by default).
    pub on: Option<NaiveDate>,
    /// Rows per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyVersion {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub category: String,
    /// 1, 2, ... per affiliate and category.
    pub number: i32,
    pub effective_from: NaiveDate,
    pub requirements: Requirements,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A new version of a category's requirements, in force from a date (not in the past,
/// and after the latest version), so that evaluations already made never change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPolicyVersion {
    pub effective_from: NaiveDate,
    pub requirements: Requirements,
    pub notes: Option<String>,
}

impl Validate for NewPolicyVersion {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.notes.as_ref().is_some_and(|n| n.len() > 2000) {
            errors.add(
                "notes",
                ValidationError::new("length").with_message("must be at most 2000 characters long".into()),
            );
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// A profile to hold against requirements.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    pub profile: Profile,
    /// The day to evaluate on (the affiliate's today by default).
    pub on: Option<NaiveDate>,
}

impl Validate for ProfileRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        for (path, message) in self.profile.problems() {
            errors.add(
                "profile",
                ValidationError::new("invalid_profile").with_message(format!("profile.{path} {message}").into()),
            );
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// How a person fits one category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryFit {
    pub category: String,
    pub name: String,
    pub family: String,
    pub policy_version_id: Uuid,
    /// Education, work, training and RSC are all met: this category fits now.
    pub qualifies: bool,
    /// What is missing for it to fit, in words.
    pub gaps: Vec<String>,
    /// What applying still takes (references, membership, Code of Ethics, exam).
    pub application_steps: Vec<String>,
    pub evaluation: Evaluation,
}

entity::closed_set! {
    /// What a fit check read. New values may be added later.
    pub enum FitSource {
        /// The profile sent with the request.
        Request = "request",
        /// Estimated from the person's registration answers.
        Registration = "registration",
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FitCheck {
    pub affiliate_id: Uuid,
    pub on: NaiveDate,
    pub source: FitSource,
    pub categories: Vec<CategoryFit>,
}
