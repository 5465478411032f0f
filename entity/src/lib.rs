//! sea-orm entities: one module per table. No behaviour lives here; rules are in
//! `api::domain` and use-cases in `api::services`.
pub mod affiliate;
pub mod audit_event;
pub mod change_log;
pub mod credential_category;
pub mod credential_family;
pub mod fee_schedule;
pub mod idempotency_key;
pub mod invoice;
pub mod invoice_entry;
pub mod invoice_line;
pub mod login_token;
pub mod machine_client;
pub mod membership;
pub mod membership_plan;
pub mod outbox_message;
pub mod person;
pub mod policy_version;
pub mod rate_limit;
pub mod refresh_token;
pub mod registration;
pub mod role_assignment;
