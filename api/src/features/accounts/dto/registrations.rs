use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::{
    features::accounts::dto::people::Address, features::accounts::dto::people::Language,
    features::accounts::dto::people::check_address, features::accounts::dto::people::check_email,
    features::accounts::dto::people::check_name, features::accounts::dto::people::check_phone,
    features::billing::dto::Invoice,
};

pub use crate::{domain::credentials::DegreeLevel as EducationLevel, domain::credentials::WorkKind};

/// The credential categories a person may aim for (IMH-E® and ECMH-E®).
pub const CATEGORY_CODES: &[&str] = &[
    "IFA",
    "IFS",
    "IFRS",
    "IMHS",
    "IMHM-C",
    "IMHM-P",
    "IMHM-R/F",
    "ECFA",
    "ECFS",
    "ECFRS",
    "ECMHS",
    "ECMHM-C",
    "ECMHM-P",
    "ECMHM-R/F",
];

/// Registration for endorsement: who the person is and where they stand.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "given_name": "Ana", "family_name": "López", "email": "ana.lopez@example.org", "preferred_language": "es",
    "phone": "+1 206 555 0100", "address": {"city": "Seattle", "region": "WA", "country": "US"},
    "highest_education": "bachelor", "years_of_experience": 3, "work_kinds": ["prevention_early_intervention"],
    "rsc_hours_received": 12.5, "target_category": "IFS"
}))]
pub struct NewRegistration {
    #[schema(min_length = 1, max_length = 100, pattern = r#"^[^\\"<>]*\S[^\\"<>]*$"#)]
    pub given_name: String,
    #[schema(min_length = 1, max_length = 100, pattern = r#"^[^\\"<>]*\S[^\\"<>]*$"#)]
    pub family_name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    pub preferred_language: Language,
    pub phone: Option<String>,
    pub address: Option<Address>,
    pub highest_education: EducationLevel,
    /// Years working with infants, young children and families (0-70).
    pub years_of_experience: i32,
    pub work_kinds: Vec<WorkKind>,
    /// Hours of reflective supervision/consultation received so far, in quarter hours (e.g. 12.25).
    pub rsc_hours_received: f64,
    /// The category aimed for, if known (e.g. `IFS`).
    pub target_category: Option<String>,
}

impl Validate for NewRegistration {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_name("given_name", &self.given_name, &mut errors);
        check_name("family_name", &self.family_name, &mut errors);
        check_email("email", &self.email, &mut errors);
        check_phone(&self.phone, &mut errors);
        if let Some(a) = &self.address {
            check_address(a, &mut errors);
        }
        if !(0..=70).contains(&self.years_of_experience) {
            errors.add(
                "years_of_experience",
                ValidationError::new("range").with_message("must be between 0 and 70".into()),
            );
        }
        if self.work_kinds.len() > 7 {
            errors.add("work_kinds", ValidationError::new("length").with_message("at most 7 kinds".into()));
        }
        let quarters = self.rsc_hours_received * 4.0;
        if !(0.0..=10_000.0).contains(&self.rsc_hours_received) || quarters.fract() != 0.0 {
            errors.add(
                "rsc_hours_received",
                ValidationError::new("quarter_hours")
                    .with_message("must be between 0 and 10000 hours, in quarter hours".into()),
            );
        }
        if let Some(c) = &self.target_category
            && !CATEGORY_CODES.contains(&c.as_str())
        {
            errors.add(
                "target_category",
                ValidationError::new("unknown_category")
                    .with_message(format!("must be one of {}", CATEGORY_CODES.join(", ")).into()),
            );
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// The registration just made: the account (pending) and the fee to pay.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registration {
    pub id: Uuid,
    pub person_id: Uuid,
    pub affiliate_id: Uuid,
    pub status: entity::registration::RegistrationStatus,
    pub invoice: Invoice,
}
