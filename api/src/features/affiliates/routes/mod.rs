//! The affiliates handlers: thin, each extracts, calls one use-case and maps its result.
pub mod affiliates;
pub mod catalog;
pub mod schedule;
