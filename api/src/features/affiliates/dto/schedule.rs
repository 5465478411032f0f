//! The submission schedule: deadlines, exam weeks, informational sessions.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::http::validate::{order, text};
use entity::schedule_event;

// ---- schedule ----

pub use entity::schedule_event::EventKind;

#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleEvent {
    pub id: Uuid,
    pub affiliate_id: Uuid,
    pub kind: EventKind,
    pub title: String,
    /// In the affiliate's time zone.
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Local times (`HH:MM`), for sessions.
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub time_zone: String,
    /// For deadlines: the categories accepted; empty means all.
    #[schema(value_type = Vec<crate::domain::credentials::CategoryCode>)]
    pub categories: Vec<String>,
    pub version: i64,
}

impl ScheduleEvent {
    pub fn build(m: schedule_event::Model, time_zone: &str) -> ScheduleEvent {
        ScheduleEvent {
            categories: serde_json::from_value(m.categories).unwrap_or_default(),
            id: m.id,
            affiliate_id: m.affiliate_id,
            kind: m.kind,
            title: m.title,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            start_time: m.start_time,
            end_time: m.end_time,
            time_zone: time_zone.to_string(),
            version: m.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "submission_deadline", "title": "Submission deadline for all categories", "starts_on": "2027-01-15", "categories": []}))]
pub struct NewScheduleEvent {
    pub kind: EventKind,
    #[schema(min_length = 1, max_length = 300, pattern = r"\S")]
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Local time, `HH:MM`.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start_time: Option<String>,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub end_time: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<crate::domain::credentials::CategoryCode>)]
    pub categories: Vec<String>,
}

impl Validate for NewScheduleEvent {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        text(&mut e, "title", &self.title, 300);
        order(&mut e, "ends_on", Some(self.starts_on), self.ends_on);
        for (field, t) in [("start_time", &self.start_time), ("end_time", &self.end_time)] {
            if let Some(t) = t
                && chrono::NaiveTime::parse_from_str(t, "%H:%M").is_err()
            {
                e.add(field, ValidationError::new("invalid_time").with_message("must be HH:MM".into()));
            }
        }
        if self.kind != EventKind::SubmissionDeadline && !self.categories.is_empty() {
            e.add(
                "categories",
                ValidationError::new("not_allowed").with_message("only deadlines accept categories".into()),
            );
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScheduleQuery {
    /// `submission_deadline`, `exam_week`, `informational_session` or `renewal_period`.
    pub kind: Option<EventKind>,
    /// From this day on.
    pub from: Option<NaiveDate>,
    /// Up to this day.
    pub to: Option<NaiveDate>,
    /// Rows per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}
