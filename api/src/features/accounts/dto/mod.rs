//! Request and response bodies of accounts: the public contract, never entity models.
pub mod auth;
pub mod clients;
pub mod people;
pub mod registrations;
