//! Use-cases. Each public function is one transaction (or none, for reads) and takes
//! the connection it needs; rules come from `domain`, HTTP stays in `routes`.
pub mod affiliates;
pub mod audit;
pub mod changes;
pub mod idempotency;
pub mod outbox;
pub mod people;
pub mod rate_limit;
pub mod sessions;
