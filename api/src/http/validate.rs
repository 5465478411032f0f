//! Small validation rules that several DTOs share.
use chrono::NaiveDate;
use validator::{ValidationError, ValidationErrors};

/// Text of 1 to `max` characters (after trimming).
pub fn text(errors: &mut ValidationErrors, field: &'static str, v: &str, max: usize) {
    if v.trim().is_empty() || v.chars().count() > max {
        errors.add(
            field,
            ValidationError::new("length").with_message(format!("must be 1 to {max} characters long").into()),
        );
    }
}

/// An end date that is not before its start.
pub fn order(errors: &mut ValidationErrors, field: &'static str, start: Option<NaiveDate>, end: Option<NaiveDate>) {
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        errors
            .add(field, ValidationError::new("before_start").with_message("must not be before the start date".into()));
    }
}
