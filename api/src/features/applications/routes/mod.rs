//! The applications handlers: thin, each extracts, calls one use-case and maps its result.
pub mod applications;
pub mod exams;
pub mod reminders;
pub mod review;
