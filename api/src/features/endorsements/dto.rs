use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use entity::endorsement;

#[derive(Debug, Serialize, ToSchema)]
pub struct Endorsement {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub person_id: Uuid,
    pub application_id: Option<Uuid>,
    pub category: String,
    /// Human-readable, e.g. `WA-IMHS-000042`.
    pub number: String,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub status: entity::endorsement::EndorsementStatus,
    /// IFRS emerging: counts as endorsed while finishing the requirements.
    pub emerging: bool,
    /// Shown in the public directory.
    pub listed: bool,
    pub version: i64,
}

impl From<endorsement::Model> for Endorsement {
    fn from(m: endorsement::Model) -> Self {
        Endorsement {
            id: m.id,
            affiliate_id: m.affiliate_id,
            person_id: m.person_id,
            application_id: m.application_id,
            category: m.category_code,
            number: m.number,
            issued_on: m.issued_on,
            expires_on: m.expires_on,
            status: m.status,
            emerging: m.emerging,
            listed: m.listed,
            version: m.version,
        }
    }
}

/// What anyone may know of an endorsement. The holder's name is shown only while the
/// endorsement is listed in the public directory; for an unlisted one, a caller who
/// supplies a name (`?name=`) is told whether it is the holder's (`name_matches`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub number: String,
    /// The holder's name; `null` when the holder opted out of the directory.
    pub holder_name: Option<String>,
    /// Whether the holder is listed in the public directory.
    pub listed: bool,
    /// When `name` was given: whether it is the holder's (case, accents and spacing aside).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_matches: Option<bool>,
    pub category: String,
    pub status: entity::endorsement::EndorsementStatus,
    pub emerging: bool,
    pub valid_through: NaiveDate,
}

/// `GET /v1/registry/{number}`: a name to confirm against the holder's.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// The holder's name as the caller knows it (e.g. `Ana López`); the answer says
    /// whether it matches, and never reveals the name of an unlisted holder.
    #[param(min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegistryQuery {
    /// Part of the holder's name.
    #[param(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub name: Option<String>,
    /// Category slug or code.
    pub category: Option<String>,
    /// Affiliate code.
    pub affiliate: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingChange {
    pub listed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedCredential {
    /// A JWT (`typ: vc+jwt`, EdDSA) verifiable with `/.well-known/jwks.json`.
    pub credential: String,
}
