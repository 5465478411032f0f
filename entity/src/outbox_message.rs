use sea_orm::entity::prelude::*;

/// A side effect (an email today; webhooks later) written in the same transaction as
/// the change that caused it and delivered by the background worker.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: OutboxKind,
    pub payload: Json,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// While set in the future, one worker holds this message; it expires so that a
    /// crashed worker's messages are picked up again.
    pub locked_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

closed_set! {
    /// What an outbox message asks the worker to do.
    pub enum OutboxKind {
        /// Send the email in the payload.
        Email = "email",
        /// Issue a password-reset link for the address in the payload, if it has an account.
        PasswordReset = "password_reset",
        /// Resend the temporary login for the address in the payload, if it is pending.
        TemporaryLoginResend = "temporary_login_resend",
    }
}

closed_set! {
    /// Where an outbox message stands.
    pub enum OutboxStatus {
        /// Waiting for (another) attempt.
        Pending = "pending",
        Sent = "sent",
        /// Gave up after its attempts, or undeliverable.
        Dead = "dead",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
