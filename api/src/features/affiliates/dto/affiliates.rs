use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidateEmail, ValidateUrl, ValidationError, ValidationErrors};

use crate::{domain::affiliate::AffiliateCode, domain::affiliate::Currency, domain::affiliate::TimeZone};
use entity::affiliate;

/// An association that runs endorsement.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0194f3a0-0000-7000-8000-000000000001",
    "code": "wa",
    "name": "Washington Association for Infant Mental Health",
    "time_zone": "America/Los_Angeles",
    "currency": "USD",
    "contact_email": "endorsement@wa-aimh.org",
    "website_url": "https://wa-aimh.org",
    "created_at": "2026-11-23T08:00:00Z",
    "updated_at": "2026-11-23T08:00:00Z",
    "version": 1
}))]
pub struct Affiliate {
    pub id: Uuid,
    /// Short code used in URLs.
    pub code: String,
    pub name: String,
    /// IANA time zone in which the affiliate's dates are read.
    pub time_zone: String,
    /// ISO 4217 currency of its fees.
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: String,
    #[schema(format = Email)]
    pub contact_email: Option<String>,
    #[schema(format = "uri")]
    pub website_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases on every change; sent as the ETag.
    pub version: i64,
}

impl From<affiliate::Model> for Affiliate {
    fn from(m: affiliate::Model) -> Self {
        Affiliate {
            id: m.id,
            code: m.code,
            name: m.name,
            time_zone: m.time_zone,
            currency: m.currency,
            contact_email: m.contact_email,
            website_url: m.website_url,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

fn parsed<T>(result: Result<T, String>, code: &'static str) -> Result<(), ValidationError> {
    result.map(|_| ()).map_err(|msg| ValidationError::new(code).with_message(msg.into()))
}

fn valid_code(v: &str) -> Result<(), ValidationError> {
    parsed(AffiliateCode::parse(v), "invalid_code")
}
fn valid_time_zone(v: &str) -> Result<(), ValidationError> {
    parsed(TimeZone::parse(v), "invalid_time_zone")
}
fn valid_currency(v: &str) -> Result<(), ValidationError> {
    parsed(Currency::parse(v), "invalid_currency")
}
fn valid_name(v: &str) -> Result<(), ValidationError> {
    let n = v.trim().chars().count();
    if (1..=200).contains(&n) {
        Ok(())
    } else {
        Err(ValidationError::new("length").with_message("must be 1 to 200 characters long".into()))
    }
}
fn valid_email(v: &str) -> Result<(), ValidationError> {
    if v.validate_email() && v.len() <= 254 {
        Ok(())
    } else {
        Err(ValidationError::new("email").with_message("must be an email address".into()))
    }
}
fn valid_website(v: &str) -> Result<(), ValidationError> {
    if v.validate_url() && (v.starts_with("https://") || v.starts_with("http://")) && v.len() <= 2048 {
        Ok(())
    } else {
        Err(ValidationError::new("url").with_message("must be an http(s) URL".into()))
    }
}

/// A new affiliate (admins only).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "mi",
    "name": "Michigan Association for Infant Mental Health",
    "time_zone": "America/Detroit",
    "currency": "USD",
    "contact_email": "endorsement@mi-aimh.org"
}))]
pub struct NewAffiliate {
    #[validate(custom(function = "valid_code"))]
    #[schema(min_length = 2, max_length = 32, pattern = "^[a-z][a-z0-9-]*[a-z0-9]$")]
    pub code: String,
    #[validate(custom(function = "valid_name"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(custom(function = "valid_time_zone"))]
    #[schema(min_length = 1, max_length = 64)]
    pub time_zone: String,
    #[validate(custom(function = "valid_currency"))]
    #[schema(pattern = "^[A-Z]{3}$", min_length = 3, max_length = 3)]
    pub currency: String,
    #[validate(custom(function = "valid_email"))]
    #[schema(format = Email, max_length = 254)]
    pub contact_email: Option<String>,
    #[validate(custom(function = "valid_website"))]
    #[schema(format = "uri", max_length = 2048, pattern = "^https?://")]
    pub website_url: Option<String>,
}

/// Changes to an affiliate; absent fields are left as they are, `null` clears an
/// optional field. The code and currency cannot change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Center for Early Relational Health (Washington)", "website_url": null}))]
pub struct AffiliatePatch {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[schema(min_length = 1, max_length = 64)]
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::double_option")]
    #[schema(value_type = Option<String>, nullable, format = Email, max_length = 254)]
    pub contact_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::extract::double_option")]
    #[schema(value_type = Option<String>, nullable, format = "uri", max_length = 2048, pattern = "^https?://")]
    pub website_url: Option<Option<String>>,
}

impl Validate for AffiliatePatch {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut check = |field: &'static str, result: Result<(), ValidationError>| {
            if let Err(e) = result {
                errors.add(field, e);
            }
        };
        if let Some(v) = &self.name {
            check("name", valid_name(v));
        }
        if let Some(v) = &self.time_zone {
            check("time_zone", valid_time_zone(v));
        }
        if let Some(Some(v)) = &self.contact_email {
            check("contact_email", valid_email(v));
        }
        if let Some(Some(v)) = &self.website_url {
            check("website_url", valid_website(v));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AffiliateListQuery {
    /// Page size, 1-200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
