//! Webhook subscriptions, the deliveries made from the change log, and each attempt.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookSubscriptions {
    Table,
    Id,
    AffiliateId,
    Url,
    Kinds,
    Description,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    Status,
    DisabledReason,
    OwnerEmail,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    SubscriptionId,
    AffiliateId,
    EventPosition,
    EventType,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastStatusCode,
    LastError,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    SubscriptionId,
    AttemptedAt,
    StatusCode,
    LatencyMs,
    Error,
}

#[derive(DeriveIden)]
enum WebhookDispatch {
    Table,
    Id,
    LastPosition,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookSubscriptions::Table)
                    .col(pk_uuid(WebhookSubscriptions::Id))
                    .col(uuid(WebhookSubscriptions::AffiliateId))
                    .col(string_len(WebhookSubscriptions::Url, 2048))
                    .col(json_binary(WebhookSubscriptions::Kinds))
                    .col(string_len_null(WebhookSubscriptions::Description, 200))
                    .col(string_len(WebhookSubscriptions::Secret, 128))
                    .col(string_len_null(WebhookSubscriptions::PreviousSecret, 128))
                    .col(timestamp_with_time_zone_null(WebhookSubscriptions::PreviousSecretExpiresAt))
                    .col(string_len(WebhookSubscriptions::Status, 16))
                    .col(string_len_null(WebhookSubscriptions::DisabledReason, 500))
                    .col(string_len_null(WebhookSubscriptions::OwnerEmail, 320))
                    .col(string_len(WebhookSubscriptions::CreatedBy, 64))
                    .col(timestamp_with_time_zone(WebhookSubscriptions::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookSubscriptions::UpdatedAt))
                    .col(big_integer(WebhookSubscriptions::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_subscriptions_affiliate")
                    .table(WebhookSubscriptions::Table)
                    .col(WebhookSubscriptions::AffiliateId)
                    .col(WebhookSubscriptions::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(pk_uuid(WebhookDeliveries::Id))
                    .col(uuid(WebhookDeliveries::SubscriptionId))
                    .col(uuid(WebhookDeliveries::AffiliateId))
                    .col(big_integer(WebhookDeliveries::EventPosition))
                    .col(string_len(WebhookDeliveries::EventType, 64))
                    .col(json_binary(WebhookDeliveries::Payload))
                    .col(string_len(WebhookDeliveries::Status, 16))
                    .col(integer(WebhookDeliveries::Attempts))
                    .col(timestamp_with_time_zone(WebhookDeliveries::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::LockedUntil))
                    .col(integer_null(WebhookDeliveries::LastStatusCode))
                    .col(string_len_null(WebhookDeliveries::LastError, 500))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::DeliveredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_subscription")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::SubscriptionId)
                            .to(WebhookSubscriptions::Table, WebhookSubscriptions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_webhook_deliveries_event")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::SubscriptionId)
                    .col(WebhookDeliveries::EventPosition)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_deliveries_due")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(pk_uuid(WebhookAttempts::Id))
                    .col(uuid(WebhookAttempts::DeliveryId))
                    .col(uuid(WebhookAttempts::SubscriptionId))
                    .col(timestamp_with_time_zone(WebhookAttempts::AttemptedAt))
                    .col(integer_null(WebhookAttempts::StatusCode))
                    .col(big_integer(WebhookAttempts::LatencyMs))
                    .col(string_len_null(WebhookAttempts::Error, 500))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_attempts_delivery")
                            .from(WebhookAttempts::Table, WebhookAttempts::DeliveryId)
                            .to(WebhookDeliveries::Table, WebhookDeliveries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_attempts_delivery")
                    .table(WebhookAttempts::Table)
                    .col(WebhookAttempts::DeliveryId)
                    .col(WebhookAttempts::AttemptedAt)
                    .to_owned(),
            )
            .await?;
        // The dispatcher reads the whole log in position order.
        manager
            .create_index(
                Index::create()
                    .name("ix_change_log_position")
                    .table(Alias::new("change_log"))
                    .col(Alias::new("position"))
                    .to_owned(),
            )
            .await?;
        // The dispatcher's place in the change log: one row, locked while it advances.
        manager
            .create_table(
                Table::create()
                    .table(WebhookDispatch::Table)
                    .col(small_integer(WebhookDispatch::Id).primary_key())
                    .col(big_integer(WebhookDispatch::LastPosition))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO webhook_dispatch (id, last_position) SELECT 1, COALESCE(MAX(position), 0) FROM change_log",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_change_log_position").table(Alias::new("change_log")).to_owned())
            .await?;
        for t in ["webhook_dispatch", "webhook_attempts", "webhook_deliveries", "webhook_subscriptions"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
