use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// OAuth 2.0 token request (RFC 6749), as JSON or as a form.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
#[schema(example = json!({"grant_type": "password", "username": "coordinator@wa-aimh.org", "password": "a long passphrase"}))]
pub enum TokenRequest {
    /// A person signs in with email and password.
    Password { username: String, password: String },
    /// Exchange a refresh token for a new access token and a new refresh token.
    RefreshToken { refresh_token: String },
    /// A machine client authenticates with its credentials (also accepted as HTTP Basic).
    ClientCredentials {
        client_id: String,
        client_secret: String,
        /// Space-separated subset of the client's scopes; all of them by default.
        scope: Option<String>,
    },
}

impl Validate for TokenRequest {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiIsInR5cCI6ImF0K2p3dCJ9...",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "rt_5b0f0c8a..."
}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Single use: each refresh returns a new one and retires the old.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Revokes a refresh token and every token descended from the same sign-in (RFC 7009).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    #[schema(min_length = 1, max_length = 512)]
    #[validate(length(min = 1, max = 512))]
    pub token: String,
    /// Accepted for RFC 7009 compatibility; only refresh tokens can be revoked.
    #[serde(default)]
    pub token_type_hint: Option<String>,
}

/// OAuth 2.0 Authorization Server Metadata (RFC 8414), the subset this service supports.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerMetadata {
    pub issuer: String,
    pub token_endpoint: String,
    pub revocation_endpoint: String,
    pub jwks_uri: String,
    pub grant_types_supported: Vec<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
}
