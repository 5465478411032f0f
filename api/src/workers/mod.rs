//! Background work that runs beside the HTTP server in every replica.
pub mod backoff;
pub mod mailer;
pub mod outbox;
pub mod webhooks;
