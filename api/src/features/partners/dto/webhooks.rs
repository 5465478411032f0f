//! Webhook subscriptions, their deliveries and each attempt.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use entity::{
    sets::RecordKind, webhook_attempt, webhook_delivery, webhook_delivery::DeliveryStatus, webhook_subscription,
};

fn check_url(url: &str, errors: &mut ValidationErrors) {
    if url.len() > 2048 || url::Url::parse(url).is_err() {
        errors.add("url", ValidationError::new("url").with_message("must be an absolute URL".into()));
    }
}

fn check_description(d: &Option<String>, errors: &mut ValidationErrors) {
    if d.as_ref().is_some_and(|d| d.chars().count() > 200) {
        errors.add("description", ValidationError::new("length").with_message("must be at most 200 characters".into()));
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    /// Where events are POSTed: `https`, on a public address.
    #[schema(
        example = "https://crm.example.org/hooks/endorse",
        format = "uri",
        max_length = 2048,
        pattern = "^https?://[^/?#@\\s]+"
    )]
    pub url: String,
    /// Record kinds to receive; empty or absent for all.
    #[serde(default)]
    pub kinds: Vec<RecordKind>,
    #[schema(max_length = 200)]
    pub description: Option<String>,
}

impl Validate for NewSubscription {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_url(&self.url, &mut e);
        check_description(&self.description, &mut e);
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// Changes to a subscription; absent fields stay. `enabled: true` re-enables one that
/// was disabled after failing (its pending deliveries resume).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionPatch {
    /// `https`, on a public address (`http` only where private targets are allowed, for testing).
    #[schema(format = "uri", max_length = 2048, pattern = "^https?://[^/?#@\\s]+")]
    pub url: Option<String>,
    pub kinds: Option<Vec<RecordKind>>,
    #[schema(max_length = 200)]
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

impl Validate for SubscriptionPatch {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if let Some(u) = &self.url {
            check_url(u, &mut e);
        }
        check_description(&self.description, &mut e);
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Subscription {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub url: String,
    pub kinds: Vec<RecordKind>,
    pub description: Option<String>,
    pub status: entity::webhook_subscription::SubscriptionStatus,
    pub disabled_reason: Option<String>,
    /// Until then, deliveries are also signed with the previous secret.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<webhook_subscription::Model> for Subscription {
    fn from(m: webhook_subscription::Model) -> Self {
        Subscription {
            id: m.id,
            affiliate_id: m.affiliate_id,
            url: m.url,
            kinds: serde_json::from_value(m.kinds).unwrap_or_default(),
            description: m.description,
            status: m.status,
            disabled_reason: m.disabled_reason,
            previous_secret_expires_at: m.previous_secret_expires_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

/// A subscription with its signing secret: shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionWithSecret {
    #[serde(flatten)]
    pub subscription: Subscription,
    /// `whsec_…`: verify `webhook-signature` with it (Standard Webhooks). Not shown again.
    pub secret: String,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretRotation {
    /// How long the previous secret keeps signing too, 0 to 72 hours (default 24).
    #[schema(minimum = 0, maximum = 72)]
    #[validate(range(min = 0, max = 72))]
    pub overlap_hours: Option<i64>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryListQuery {
    pub status: Option<DeliveryStatus>,
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    #[validate(range(min = 1, max = 200))]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    /// The `webhook-id` header of every attempt of this delivery.
    #[schema(example = "msg_0194f3a0000070008000000000000001")]
    pub webhook_id: String,
    pub id: Uuid,
    pub subscription_id: Uuid,
    /// The change-feed event this delivers.
    pub event_id: String,
    pub event_type: String,
    pub status: entity::webhook_delivery::DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

pub fn webhook_id(id: Uuid) -> String {
    format!("msg_{}", id.simple())
}

impl From<webhook_delivery::Model> for Delivery {
    fn from(m: webhook_delivery::Model) -> Self {
        Delivery {
            webhook_id: webhook_id(m.id),
            id: m.id,
            subscription_id: m.subscription_id,
            event_id: m.payload["data"]["event_id"].as_str().unwrap_or_default().to_string(),
            event_type: m.event_type,
            next_attempt_at: (m.status == DeliveryStatus::Pending).then_some(m.next_attempt_at),
            status: m.status,
            attempts: m.attempts,
            last_status_code: m.last_status_code,
            last_error: m.last_error,
            created_at: m.created_at,
            delivered_at: m.delivered_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Attempt {
    pub attempted_at: DateTime<Utc>,
    /// The partner's HTTP status; absent when no response came (refused, timed out).
    pub status_code: Option<i32>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

impl From<webhook_attempt::Model> for Attempt {
    fn from(m: webhook_attempt::Model) -> Self {
        Attempt { attempted_at: m.attempted_at, status_code: m.status_code, latency_ms: m.latency_ms, error: m.error }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: Delivery,
    /// The body that is POSTed (the same on every attempt).
    pub payload: serde_json::Value,
    /// Every attempt, oldest first.
    pub log: Vec<Attempt>,
}
