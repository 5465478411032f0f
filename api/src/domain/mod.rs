//! Pure rules: no I/O, no HTTP, no SQL. Parsed types here make invalid states
//! unrepresentable for the services that use them.
pub mod affiliate;
pub mod application;
pub mod credentials;
pub mod endorsement;
pub mod engine;
#[cfg(test)]
mod engine_tests;
pub mod hours;
pub mod invoice;
pub mod labels;
pub mod membership;
pub mod money;
pub mod people;
pub mod policy;
pub mod reference;
pub mod registration;
pub mod renewal;
pub mod roles;
pub mod schedule;
pub mod scholarship;
pub mod scopes;
pub mod webhooks;
