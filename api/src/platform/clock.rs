//! The affiliate's clock: dates are the affiliate's, in its time zone.
use chrono::NaiveDate;

use crate::{db, domain::affiliate::TimeZone};
use entity::affiliate;

/// The affiliate's "today".
pub fn today(affiliate: &affiliate::Model) -> NaiveDate {
    let tz = TimeZone::parse(&affiliate.time_zone).unwrap_or(TimeZone(chrono_tz::UTC));
    tz.local_date(db::now())
}
