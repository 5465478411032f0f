//! The accounts handlers: thin, each extracts, calls one use-case and maps its result.
pub mod auth;
pub mod clients;
pub mod delivery;
pub mod me;
pub mod people;
pub mod registrations;
