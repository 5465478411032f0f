//! The emails the service sends (delivered through the outbox by `workers::mailer`).
pub mod emails;
