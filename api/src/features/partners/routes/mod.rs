//! The partners handlers: thin, each extracts, calls one use-case and maps its result.
pub mod sync;
pub mod webhooks;
