//! The yearly renewal: who is due, when a period closes and lapses, when reminders go
//! out, and the new expiry. Dates are the affiliate's.
use chrono::{Datelike, Duration, NaiveDate};

/// The period a year gets when the affiliate set none: 1 October to 31 December, no late
/// window, reminders 30, 7 and 1 days before the close.
pub struct Period {
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub late_until: Option<NaiveDate>,
    pub reminder_offsets: Vec<i64>,
}

pub fn default_period(year: i32) -> Option<Period> {
    Some(Period {
        opens_on: NaiveDate::from_ymd_opt(year, 10, 1)?,
        closes_on: NaiveDate::from_ymd_opt(year, 12, 31)?,
        late_until: None,
        reminder_offsets: vec![30, 7, 1],
    })
}

/// An endorsement is due in `year` when it runs through that year's period only; one
/// issued during the year runs to the end of the next and is not due.
pub fn is_due(expires_on: NaiveDate, year: i32) -> bool {
    expires_on.year() == year
}

/// After approval: through the end of the next year's period.
pub fn new_expiry(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year + 1, 12, 31)
}

/// The first day on which unrenewed endorsements of `year` are lapsed.
pub fn lapses_on(period: &Period) -> NaiveDate {
    period.late_until.unwrap_or(period.closes_on) + Duration::days(1)
}

/// Whether a late fee applies to a renewal submitted on `day`.
pub fn is_late(period: &Period, day: NaiveDate) -> bool {
    day > period.closes_on && period.late_until.is_some_and(|l| day <= l)
}

/// The reminder offsets whose day has come on `today` (while the period is open).
pub fn reminders_due(period: &Period, today: NaiveDate) -> Vec<i64> {
    if today < period.opens_on || today > period.closes_on {
        return Vec::new();
    }
    period.reminder_offsets.iter().copied().filter(|o| today >= period.closes_on - Duration::days(*o)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn who_is_due() {
        assert!(is_due(d("2026-12-31"), 2026), "endorsed in 2025: renews in 2026");
        assert!(!is_due(d("2027-12-31"), 2026), "endorsed during 2026: not due in 2026");
        assert_eq!(new_expiry(2026), Some(d("2027-12-31")));
    }

    #[test]
    fn lapse_and_late_window() {
        let mut p = default_period(2026).unwrap_or_else(|| panic!("period"));
        assert_eq!(lapses_on(&p), d("2027-01-01"));
        assert!(!is_late(&p, d("2027-01-05")));
        p.late_until = Some(d("2027-01-31"));
        assert_eq!(lapses_on(&p), d("2027-02-01"));
        assert!(is_late(&p, d("2027-01-05")));
        assert!(!is_late(&p, d("2026-12-31")));
    }

    #[test]
    fn reminders_fall_on_their_days() {
        let p = default_period(2026).unwrap_or_else(|| panic!("period"));
        assert_eq!(reminders_due(&p, d("2026-11-30")), Vec::<i64>::new());
        assert_eq!(reminders_due(&p, d("2026-12-01")), vec![30]);
        assert_eq!(reminders_due(&p, d("2026-12-24")), vec![30, 7]);
        assert_eq!(reminders_due(&p, d("2026-12-31")), vec![30, 7, 1]);
        assert_eq!(reminders_due(&p, d("2027-01-01")), Vec::<i64>::new());
        assert_eq!(reminders_due(&p, d("2026-09-30")), Vec::<i64>::new());
    }
}

pub use entity::renewal::RenewalState;

/// What happens to a renewal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenewalEvent {
    Submit,
    Approve,
    Return,
}

/// Entries and the attestation change while the renewal is open or returned.
pub fn is_editable(state: RenewalState) -> bool {
    matches!(state, RenewalState::Open | RenewalState::Returned)
}

/// The state after `event`, or why it may not happen. A renewal is submitted while
/// editable, and decided by staff once submitted; approval is final.
pub fn transition(from: RenewalState, event: RenewalEvent) -> Result<RenewalState, &'static str> {
    use RenewalEvent::*;
    use RenewalState::*;
    match (from, event) {
        (Open | Returned, Submit) => Ok(Submitted),
        (Submitted, Approve) => Ok(Approved),
        (Submitted, Return) => Ok(Returned),
        (Submitted, Submit) => Err("it waits for a decision"),
        (Approved, _) => Err("it is approved"),
        (Open | Returned, Approve | Return) => Err("only submitted renewals are decided"),
    }
}

entity::closed_set! {
    /// Where a person stands for a year's renewal, as staff lists it: `due` (an endorsement
    /// runs through the year and nothing is opened), the renewal's own state, or `lapsed`.
    /// New values may be added later.
    pub enum RenewalStanding {
        Due = "due",
        Open = "open",
        Submitted = "submitted",
        Approved = "approved",
        Returned = "returned",
        Lapsed = "lapsed",
    }
}

impl From<RenewalState> for RenewalStanding {
    fn from(state: RenewalState) -> Self {
        match state {
            RenewalState::Open => RenewalStanding::Open,
            RenewalState::Submitted => RenewalStanding::Submitted,
            RenewalState::Approved => RenewalStanding::Approved,
            RenewalState::Returned => RenewalStanding::Returned,
        }
    }
}

impl RenewalStanding {
    /// The renewal state this standing is, when it is one.
    pub fn state(self) -> Option<RenewalState> {
        match self {
            RenewalStanding::Open => Some(RenewalState::Open),
            RenewalStanding::Submitted => Some(RenewalState::Submitted),
            RenewalStanding::Approved => Some(RenewalState::Approved),
            RenewalStanding::Returned => Some(RenewalState::Returned),
            RenewalStanding::Due | RenewalStanding::Lapsed => None,
        }
    }
}

#[cfg(test)]
mod lifecycle_tests {
    use super::RenewalEvent::*;
    use super::RenewalState::*;
    use super::*;

    #[test]
    fn every_move() {
        let refused_submitted = Err("it waits for a decision");
        let approved = Err("it is approved");
        let undecidable = Err("only submitted renewals are decided");
        let cases = [
            (Open, Submit, Ok(Submitted)),
            (Open, Approve, undecidable),
            (Open, Return, undecidable),
            (Returned, Submit, Ok(Submitted)),
            (Returned, Approve, undecidable),
            (Returned, Return, undecidable),
            (Submitted, Submit, refused_submitted),
            (Submitted, Approve, Ok(Approved)),
            (Submitted, Return, Ok(Returned)),
            (Approved, Submit, approved),
            (Approved, Approve, approved),
            (Approved, Return, approved),
        ];
        for (from, event, expected) in cases {
            assert_eq!(transition(from, event), expected, "{from:?} {event:?}");
        }
    }

    #[test]
    fn standings_name_states() {
        for state in RenewalState::ALL {
            assert_eq!(RenewalStanding::from(*state).state(), Some(*state));
        }
        assert_eq!(RenewalStanding::Due.state(), None);
        assert_eq!(RenewalStanding::Lapsed.state(), None);
        assert!(is_editable(Open) && is_editable(Returned));
        assert!(!is_editable(Submitted) && !is_editable(Approved));
    }
}
