//! The webhook worker: turns new changes into deliveries, then sends the due ones a few
//! at a time, logging each attempt. Any number of replicas may run it: dispatch is
//! serialized by a row lock and deliveries are claimed with a lease.
use std::time::Duration;

use futures_util::future::join_all;
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::{config::WebhookSettings, features::partners::webhooks};

const BATCH: u64 = 16;

#[derive(Clone)]
pub struct WebhookWorker {
    pub db: DatabaseConnection,
    pub settings: WebhookSettings,
    pub links: crate::mail::links::Links,
}

impl WebhookWorker {
    pub async fn run(self, poll: Duration, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.tick().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook tick failed; will retry"),
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!("webhook worker stopped");
    }

    /// One pass: dispatch new changes, then attempt one batch of due deliveries.
    /// Returns how much work it found (0: nothing waiting).
    pub async fn tick(&self) -> Result<usize, sea_orm::DbErr> {
        let dispatched = webhooks::dispatch(&self.db).await?;
        // The lease outlasts the slowest attempt of a batch sent side by side.
        let lease = self.settings.timeout * 2 + Duration::from_secs(30);
        let claimed = webhooks::claim_due(&self.db, BATCH, lease).await?;
        let sent = claimed.len();
        let outcomes = join_all(claimed.iter().map(|(d, s)| webhooks::send(&self.settings, s, d))).await;
        for ((delivery, _), outcome) in claimed.iter().zip(outcomes) {
            if let Some(error) = &outcome.error {
                tracing::info!(delivery = %delivery.id, attempt = delivery.attempts, %error, "webhook attempt failed");
            }
            webhooks::record(&self.db, &self.settings, &self.links, delivery, &outcome).await?;
        }
        Ok(dispatched + sent)
    }
}
