//! Use-cases. Each public function is one transaction (or none, for reads) and takes
//! the connection it needs; rules come from `domain`, HTTP stays in `routes`.
pub mod accounts;
pub mod affiliates;
pub mod applications;
pub mod audit;
pub mod catalog;
pub mod changes;
pub mod clients;
pub mod emails;
pub mod fees;
pub mod fitcheck;
pub mod idempotency;
pub mod invoices;
pub mod login_tokens;
pub mod memberships;
pub mod outbox;
pub mod people;
pub mod people_repr;
pub mod policies;
pub mod portfolio;
pub mod rate_limit;
pub mod references;
pub mod registrations;
pub mod schedule;
pub mod sessions;
pub mod settlement;
