//! The outbox worker: claims due messages, delivers them, and records the outcome,
//! retrying failures with exponential backoff until `OUTBOX_MAX_ATTEMPTS`. It also
//! sweeps expired idempotency keys and rate-limit windows.
use std::{sync::Arc, time::Duration};

use chrono::Utc;
use lettre::message::Mailbox;
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use super::{
    backoff,
    mailer::{MailError, Mailer},
};
use crate::{
    features::accounts::profile as accounts, features::accounts::registrations, http::metrics::Metrics,
    platform::idempotency, platform::outbox, platform::outbox::EmailMessage, platform::outbox::OutboxKind,
    platform::rate_limit,
};

const BATCH: u64 = 20;
const LEASE: Duration = Duration::from_secs(300);
const RETRY_BASE: Duration = Duration::from_secs(30);
const RETRY_MAX: Duration = Duration::from_secs(3600);
const SWEEP_EVERY: u32 = 60;

#[derive(Clone)]
pub struct OutboxWorker {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    pub from: Mailbox,
    pub max_attempts: i32,
    pub metrics: Arc<Metrics>,
    /// Where links in emails point (for the jobs that write emails).
    pub links: crate::mail::links::Links,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    pub delivered: usize,
    pub failed: usize,
}

impl OutboxWorker {
    /// Runs until `shutdown` turns true; the delivery in progress is finished first.
    pub async fn run(self, poll: Duration, mut shutdown: watch::Receiver<bool>) {
        let mut ticks: u32 = 0;
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.tick().await {
                Ok(report) if report.delivered + report.failed > 0 => {
                    tracing::debug!(delivered = report.delivered, failed = report.failed, "outbox tick");
                    // More may be waiting: go again without sleeping.
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox tick failed; will retry"),
            }
            ticks = ticks.wrapping_add(1);
            if ticks.is_multiple_of(SWEEP_EVERY) {
                self.sweep().await;
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!("outbox worker stopped");
    }

    /// One pass: claim a batch and try each message once.
    pub async fn tick(&self) -> Result<TickReport, sea_orm::DbErr> {
        let claimed = outbox::claim_due(&self.db, BATCH, LEASE).await?;
        let mut report = TickReport::default();
        for message in claimed {
            let result = match message.kind {
                OutboxKind::Email => match serde_json::from_value::<EmailMessage>(message.payload.clone()) {
                    Ok(email) => self.mailer.send(message.id, &self.from, &email).await,
                    Err(e) => Err(MailError::Undeliverable(format!("unreadable email payload: {e}"))),
                },
                OutboxKind::PasswordReset | OutboxKind::TemporaryLoginResend => {
                    self.run_job(&message).await.map_err(MailError::Transient)
                }
            };
            match result {
                Ok(()) => {
                    outbox::mark_delivered(&self.db, message.id).await?;
                    self.metrics.outbox_deliveries.with_label_values(&[message.kind.as_str(), "delivered"]).inc();
                    report.delivered += 1;
                }
                Err(error) => {
                    let retryable = matches!(error, MailError::Transient(_));
                    let error = error.to_string();
                    let retry_at = (retryable && message.attempts < self.max_attempts).then(|| {
                        let wait = backoff::delay(message.attempts, RETRY_BASE, RETRY_MAX, backoff::random_jitter());
                        Utc::now() + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::hours(1))
                    });
                    if !retryable {
                        tracing::warn!(id = %message.id, %error, "outbox message undeliverable; not retried");
                    } else if retry_at.is_none() {
                        tracing::error!(id = %message.id, attempts = message.attempts, %error, "outbox message abandoned");
                    } else {
                        tracing::warn!(id = %message.id, attempts = message.attempts, %error, "outbox delivery failed");
                    }
                    outbox::mark_failed(&self.db, message.id, &error, retry_at).await?;
                    self.metrics.outbox_deliveries.with_label_values(&[message.kind.as_str(), "failed"]).inc();
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    /// An account job: look the address up and write the email it calls for, if any.
    async fn run_job(&self, message: &entity::outbox_message::Model) -> Result<(), String> {
        let email = message.payload.get("email").and_then(|v| v.as_str()).ok_or("job without an email")?;
        let done = if message.kind == OutboxKind::PasswordReset {
            accounts::send_password_reset(&self.db, &self.links, email).await
        } else {
            registrations::send_temporary_login_again(&self.db, &self.links, email).await
        };
        done.map_err(|e| e.to_string())
    }

    pub async fn sweep(&self) {
        if let Err(e) = idempotency::purge_expired(&self.db).await {
            tracing::warn!(error = %e, "could not purge expired idempotency keys");
        }
        if let Err(e) = rate_limit::purge_expired(&self.db).await {
            tracing::warn!(error = %e, "could not purge expired rate-limit windows");
        }
    }
}
