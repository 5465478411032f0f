//! Exams and endorsements: the pass rule, how long an approval to sit lasts, when a
//! retake may happen, when an endorsement expires, and how it is numbered.
use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A policy's exam settings (defaults: 80% on part 1 and a pass on part 2; approval to sit
/// lasts 12 months; a retake waits 90 days).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExamRule {
    #[serde(default = "default_pass")]
    #[schema(minimum = 1, maximum = 100)]
    pub part1_pass_percent: i32,
    #[serde(default = "default_valid")]
    #[schema(minimum = 1, maximum = 60)]
    pub approval_valid_months: u32,
    #[serde(default = "default_wait")]
    #[schema(minimum = 0, maximum = 730)]
    pub retake_wait_days: i64,
}

fn default_pass() -> i32 {
    80
}
fn default_valid() -> u32 {
    12
}
fn default_wait() -> i64 {
    90
}

impl Default for ExamRule {
    fn default() -> Self {
        ExamRule {
            part1_pass_percent: default_pass(),
            approval_valid_months: default_valid(),
            retake_wait_days: default_wait(),
        }
    }
}

impl ExamRule {
    pub fn passed(&self, part1_percent: i32, part2_passed: bool) -> bool {
        part1_percent >= self.part1_pass_percent && part2_passed
    }

    /// The last day an approval given on `approved_on` allows a sitting.
    pub fn approval_ends(&self, approved_on: NaiveDate) -> NaiveDate {
        approved_on.checked_add_months(Months::new(self.approval_valid_months)).unwrap_or(NaiveDate::MAX)
            - Duration::days(1)
    }

    /// The first day a retake may be sat after a failed sitting on `failed_on`.
    pub fn retake_from(&self, failed_on: NaiveDate) -> NaiveDate {
        failed_on + Duration::days(self.retake_wait_days)
    }
}

/// An endorsement issued during a year runs through the renewal period of the next
/// year (31 December): someone endorsed during a year does not renew that year.
pub fn expires_on(issued_on: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(issued_on.year() + 1, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// `WA-IMHS-000042`; a category's `/` is dropped (`IMHM-RF`).
pub fn number(affiliate_code: &str, category_code: &str, sequence: i64) -> String {
    format!("{}-{}-{sequence:06}", affiliate_code.to_uppercase(), category_code.replace('/', ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn pass_rule() {
        let r = ExamRule::default();
        assert!(r.passed(80, true));
        assert!(!r.passed(79, true));
        assert!(!r.passed(100, false));
    }

    #[test]
    fn approval_and_retake_windows() {
        let r = ExamRule::default();
        assert_eq!(r.approval_ends(d("2026-03-15")), d("2027-03-14"));
        assert_eq!(r.retake_from(d("2026-04-07")), d("2026-07-06"));
    }

    #[test]
    fn expiry_is_the_end_of_next_year() {
        assert_eq!(expires_on(d("2026-01-02")), d("2027-12-31"));
        assert_eq!(expires_on(d("2026-12-31")), d("2027-12-31"));
    }

    #[test]
    fn numbers() {
        assert_eq!(number("wa", "IMHS", 42), "WA-IMHS-000042");
        assert_eq!(number("wa", "IMHM-R/F", 7), "WA-IMHM-RF-000007");
    }
}

pub use entity::endorsement::EndorsementStatus;
pub use entity::exam_registration::ExamRegistrationStatus;

/// What happens to an exam registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExamEvent {
    Result { passed: bool },
    Absent,
}

/// The status after `event`, or why it may not happen: a result is recorded once.
pub fn exam_transition(from: ExamRegistrationStatus, event: ExamEvent) -> Result<ExamRegistrationStatus, &'static str> {
    match (from, event) {
        (ExamRegistrationStatus::Registered, ExamEvent::Result { passed: true }) => Ok(ExamRegistrationStatus::Passed),
        (ExamRegistrationStatus::Registered, ExamEvent::Result { passed: false }) => Ok(ExamRegistrationStatus::Failed),
        (ExamRegistrationStatus::Registered, ExamEvent::Absent) => Ok(ExamRegistrationStatus::Absent),
        (ExamRegistrationStatus::Passed | ExamRegistrationStatus::Failed | ExamRegistrationStatus::Absent, _) => {
            Err("its result is recorded already")
        }
    }
}

/// What happens to an endorsement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndorsementEvent {
    /// Its period closed without a renewal.
    Lapse,
    /// A reinstatement application was approved.
    Reinstate,
    /// A renewal was approved: it runs another year.
    Renew,
}

/// The status after `event`, or why it may not happen.
pub fn endorsement_transition(
    from: EndorsementStatus,
    event: EndorsementEvent,
) -> Result<EndorsementStatus, &'static str> {
    use EndorsementEvent::*;
    use EndorsementStatus::*;
    match (from, event) {
        (Active, Lapse) => Ok(Lapsed),
        (Active, Renew) => Ok(Active),
        (Lapsed, Reinstate) => Ok(Active),
        (Lapsed, Lapse | Renew) => Err("it has lapsed; it is reinstated through an application"),
        (Active, Reinstate) => Err("it is active"),
        (Archived | Revoked, _) => Err("it is no longer in force"),
    }
}

#[cfg(test)]
mod lifecycle_tests {
    use super::*;

    #[test]
    fn every_exam_move() {
        use ExamRegistrationStatus::*;
        let done = Err("its result is recorded already");
        let cases = [
            (Registered, ExamEvent::Result { passed: true }, Ok(Passed)),
            (Registered, ExamEvent::Result { passed: false }, Ok(Failed)),
            (Registered, ExamEvent::Absent, Ok(Absent)),
            (Passed, ExamEvent::Result { passed: false }, done),
            (Failed, ExamEvent::Result { passed: true }, done),
            (Absent, ExamEvent::Result { passed: true }, done),
            (Passed, ExamEvent::Absent, done),
        ];
        for (from, event, expected) in cases {
            assert_eq!(exam_transition(from, event), expected, "{from:?} {event:?}");
        }
    }

    #[test]
    fn every_endorsement_move() {
        use EndorsementEvent::*;
        use EndorsementStatus::*;
        let lapsed = Err("it has lapsed; it is reinstated through an application");
        let gone = Err("it is no longer in force");
        let cases = [
            (Active, Lapse, Ok(Lapsed)),
            (Active, Renew, Ok(Active)),
            (Active, Reinstate, Err("it is active")),
            (Lapsed, Reinstate, Ok(Active)),
            (Lapsed, Lapse, lapsed),
            (Lapsed, Renew, lapsed),
            (Archived, Reinstate, gone),
            (Archived, Renew, gone),
            (Revoked, Reinstate, gone),
            (Revoked, Lapse, gone),
        ];
        for (from, event, expected) in cases {
            assert_eq!(endorsement_transition(from, event), expected, "{from:?} {event:?}");
        }
    }
}
