use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::features::billing::dto::Invoice;
use crate::{domain::membership::TermRule, domain::money::Money};
use entity::membership_plan;

/// How long a plan's membership runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Term {
    /// To 31 December; bought on or after the cut-off (`MM-DD`, default `10-01`), to 31 December of the next year.
    CalendarYear {
        #[serde(default = "default_cutoff")]
        #[schema(pattern = "^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
        next_year_from: String,
    },
    /// A fixed number of months (1-120) from the purchase.
    FixedMonths {
        #[schema(minimum = 1, maximum = 120)]
        months: u32,
    },
}

fn default_cutoff() -> String {
    "10-01".into()
}

impl Term {
    pub fn rule(&self) -> Result<TermRule, String> {
        let rule = match self {
            Term::CalendarYear { next_year_from } => {
                let (m, d) = next_year_from.split_once('-').ok_or("the cut-off must be MM-DD")?;
                let (m, d) = (m.parse::<u32>().map_err(|_| "bad month")?, d.parse::<u32>().map_err(|_| "bad day")?);
                TermRule::CalendarYear { cutoff_month: m, cutoff_day: d }
            }
            Term::FixedMonths { months } => TermRule::FixedMonths(*months),
        };
        rule.validate()?;
        Ok(rule)
    }

    pub fn of(plan: &membership_plan::Model) -> Term {
        match (plan.term_kind, plan.term_months) {
            (membership_plan::TermKind::FixedMonths, Some(m)) => Term::FixedMonths { months: m.max(0) as u32 },
            _ => Term::CalendarYear {
                next_year_from: format!("{:02}-{:02}", plan.cutoff_month.unwrap_or(10), plan.cutoff_day.unwrap_or(1)),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Plan {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub name: String,
    /// The name in Spanish, shown to Spanish-speaking members (emails, front ends); `null`
    /// shows `name`.
    pub name_es: Option<String>,
    pub dues: Money,
    pub term: Term,
    /// Organizational plans do not count towards endorsement.
    pub qualifies_for_endorsement: bool,
    /// Inactive plans cannot be joined.
    pub active: bool,
    pub version: i64,
}

impl From<membership_plan::Model> for Plan {
    fn from(m: membership_plan::Model) -> Self {
        Plan {
            term: Term::of(&m),
            id: m.id,
            affiliate_id: m.affiliate_id,
            dues: Money::new(m.dues_cents, &m.currency),
            name: m.name,
            name_es: m.name_es,
            qualifies_for_endorsement: m.qualifies_for_endorsement,
            active: m.active,
            version: m.version,
        }
    }
}

fn check_plan_name(field: &'static str, v: &str, errors: &mut ValidationErrors) {
    if !(1..=200).contains(&v.trim().chars().count()) {
        errors.add(field, ValidationError::new("length").with_message("must be 1 to 200 characters long".into()));
    }
}

fn check_term(t: &Term, errors: &mut ValidationErrors) {
    if let Err(m) = t.rule() {
        errors.add("term", ValidationError::new("invalid_term").with_message(m.into()));
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Individual membership", "name_es": "Membresía individual", "dues": {"amount_cents": 8000, "currency": "USD"}, "term": {"kind": "calendar_year", "next_year_from": "10-01"}, "qualifies_for_endorsement": true}))]
pub struct NewPlan {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// The name in Spanish (optional).
    #[schema(min_length = 1, max_length = 200)]
    pub name_es: Option<String>,
    pub dues: Money,
    pub term: Term,
    pub qualifies_for_endorsement: bool,
}

impl Validate for NewPlan {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_plan_name("name", &self.name, &mut errors);
        if let Some(n) = &self.name_es {
            check_plan_name("name_es", n, &mut errors);
        }
        check_term(&self.term, &mut errors);
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanPatch {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// The name in Spanish; `null` removes it.
    #[serde(default, deserialize_with = "crate::http::extract::double_option")]
    #[schema(value_type = Option<String>, nullable, min_length = 1, max_length = 200)]
    pub name_es: Option<Option<String>>,
    pub dues: Option<Money>,
    pub term: Option<Term>,
    pub qualifies_for_endorsement: Option<bool>,
    pub active: Option<bool>,
}

impl Validate for PlanPatch {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if let Some(n) = &self.name {
            check_plan_name("name", n, &mut errors);
        }
        if let Some(Some(n)) = &self.name_es {
            check_plan_name("name_es", n, &mut errors);
        }
        if let Some(t) = &self.term {
            check_term(t, &mut errors);
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Membership {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub plan_id: Uuid,
    /// Today, in the affiliate's time zone.
    pub status: crate::domain::membership::Status,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub source: entity::membership::MembershipSource,
    pub external_reference: Option<String>,
    pub invoice_id: Option<Uuid>,
    pub qualifies_for_endorsement: bool,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// Joining (or renewing) a plan: the membership and its invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct Joined {
    pub membership: Membership,
    pub invoice: Invoice,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinPlan {
    pub plan_id: Uuid,
}

/// A membership bought elsewhere (e.g. on the association's own site).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"plan_id": "0194f3a0-0000-7000-8000-0000000000a1", "bought_on": "2026-03-02", "reference": "wa-aimh.org order 5531"}))]
pub struct ExternalMembership {
    pub plan_id: Uuid,
    /// The purchase date; the term follows the plan's rule from it.
    pub bought_on: NaiveDate,
    /// Overrides the computed last day.
    pub ends_on: Option<NaiveDate>,
    pub reference: Option<String>,
}

impl Validate for ExternalMembership {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if let Some(end) = self.ends_on
            && end < self.bought_on
        {
            errors.add(
                "ends_on",
                ValidationError::new("before_start").with_message("must not be before bought_on".into()),
            );
        }
        if self.reference.as_ref().is_some_and(|r| r.len() > 200) {
            errors.add(
                "reference",
                ValidationError::new("length").with_message("must be at most 200 characters long".into()),
            );
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MembershipStatusQuery {
    /// The day to ask about (`YYYY-MM-DD`, the affiliate's today by default).
    pub on: Option<NaiveDate>,
}

/// Whether a person is a member on a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipStatus {
    pub person_id: Uuid,
    pub on: NaiveDate,
    /// A paid membership covers the day.
    pub active: bool,
    /// A paid membership of a plan that counts for endorsement covers the day.
    pub qualifies_for_endorsement: bool,
    pub membership: Option<Membership>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MembershipListQuery {
    /// Status on `on`.
    pub status: Option<crate::domain::membership::Status>,
    pub on: Option<NaiveDate>,
    pub person_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
