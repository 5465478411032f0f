use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::domain::scopes::Scope;
use entity::machine_client;

/// A machine client (a partner's system or a script) of one affiliate.
#[derive(Debug, Serialize, ToSchema)]
pub struct Client {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub name: String,
    /// The OAuth `client_id`.
    pub client_id: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<machine_client::Model> for Client {
    fn from(m: machine_client::Model) -> Self {
        Client {
            id: m.id,
            affiliate_id: m.affiliate_id,
            name: m.name,
            client_id: m.client_id,
            scopes: crate::domain::scopes::parse(&m.scopes).unwrap_or_default(),
            created_at: m.created_at,
            revoked_at: m.revoked_at,
            version: m.version,
        }
    }
}

/// A client with its secret: shown once, at creation or rotation; only a hash is kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientWithSecret {
    #[serde(flatten)]
    pub client: Client,
    pub client_secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Renewal script", "scopes": ["renewals:read", "renewals:write"]}))]
pub struct NewClient {
    pub name: String,
    pub scopes: Vec<Scope>,
}

impl Validate for NewClient {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if !(1..=200).contains(&self.name.trim().chars().count()) {
            errors.add("name", ValidationError::new("length").with_message("must be 1 to 200 characters long".into()));
        }
        if self.scopes.is_empty() {
            errors.add("scopes", ValidationError::new("required").with_message("at least one scope".into()));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// Keep accepting the old secret for this many seconds (0-604800) while deployments switch.
    #[schema(minimum = 0, maximum = 604800)]
    #[validate(range(min = 0, max = 604800))]
    #[serde(default)]
    pub keep_previous_for_seconds: i64,
}
