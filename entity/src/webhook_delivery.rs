use sea_orm::entity::prelude::*;

/// One event for one subscription; its id is the `webhook-id` on every attempt.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub affiliate_id: Uuid,
    pub event_position: i64,
    pub event_type: String,
    pub payload: Json,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

closed_set! {
    /// Where a webhook delivery stands. New values may be added later.
    pub enum DeliveryStatus {
        /// Waiting for (another) attempt.
        Pending = "pending",
        Delivered = "delivered",
        /// Gave up after its attempts.
        Failed = "failed",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::webhook_subscription::Entity",
        from = "Column::SubscriptionId",
        to = "super::webhook_subscription::Column::Id"
    )]
    WebhookSubscription,
    #[sea_orm(has_many = "super::webhook_attempt::Entity")]
    WebhookAttempt,
}

impl Related<super::webhook_subscription::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WebhookSubscription.def()
    }
}

impl Related<super::webhook_attempt::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WebhookAttempt.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
