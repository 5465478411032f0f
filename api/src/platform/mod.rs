//! What every capability writes through, in the caller's transaction: the audit log, the
//! change log partners read, the outbox of side effects, idempotency records, the
//! database-backed rate limits, and the affiliate's clock.
pub mod audit;
pub mod change_log;
pub mod clock;
pub mod idempotency;
pub mod outbox;
pub mod rate_limit;
pub mod tenancy;
