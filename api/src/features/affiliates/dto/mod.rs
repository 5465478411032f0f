//! Request and response bodies of affiliates: the public contract, never entity models.
pub mod affiliates;
pub mod catalog;
pub mod schedule;
