use sea_orm::entity::prelude::*;

/// A partner URL that receives the affiliate's changes of the chosen kinds.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub url: String,
    /// JSON array of record kinds; empty means every kind.
    pub kinds: Json,
    pub description: Option<String>,
    /// `whsec_` + base64 key. The sender must sign with it, so it cannot be hashed.
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    pub status: SubscriptionStatus,
    pub disabled_reason: Option<String>,
    pub owner_email: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

closed_set! {
    /// Whether a subscription receives events. New values may be added later.
    pub enum SubscriptionStatus {
        Active = "active",
        Disabled = "disabled",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::webhook_delivery::Entity")]
    WebhookDelivery,
}

impl Related<super::webhook_delivery::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WebhookDelivery.def()
    }
}

crate::versioned!(created_at, updated_at);
