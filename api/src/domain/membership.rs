//! Membership terms. A calendar-year plan bought before its cut-off (1 October by default)
//! runs to 31 December of that year; bought on or after it, to 31 December of the next.
//! A fixed-months plan runs N months less a day. Renewing early starts the day after the
//! current membership ends. All dates are in the affiliate's time zone.
use chrono::{Datelike, Duration, Months, NaiveDate};
use entity::membership::MembershipState;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermRule {
    /// Calendar year; purchases on or after (`month`, `day`) run to the end of next year.
    CalendarYear {
        cutoff_month: u32,
        cutoff_day: u32,
    },
    FixedMonths(u32),
}

impl TermRule {
    pub const DEFAULT_CALENDAR_YEAR: TermRule = TermRule::CalendarYear { cutoff_month: 10, cutoff_day: 1 };

    pub fn validate(&self) -> Result<(), String> {
        match *self {
            TermRule::CalendarYear { cutoff_month, cutoff_day } => {
                // Any real day of the year; 29 February would not exist most years.
                if NaiveDate::from_ymd_opt(2023, cutoff_month, cutoff_day).is_none() {
                    return Err(format!("{cutoff_month:02}-{cutoff_day:02} is not a day of every year"));
                }
                Ok(())
            }
            TermRule::FixedMonths(n) if (1..=120).contains(&n) => Ok(()),
            TermRule::FixedMonths(n) => Err(format!("{n} months is not between 1 and 120")),
        }
    }
}

/// The first and last day of a membership bought on `bought_on`, given the end of the
/// person's current membership of the same affiliate, if any.
pub fn term(
    rule: TermRule,
    bought_on: NaiveDate,
    current_ends_on: Option<NaiveDate>,
) -> Option<(NaiveDate, NaiveDate)> {
    let starts_on = match current_ends_on {
        Some(end) if end >= bought_on => end.succ_opt()?,
        _ => bought_on,
    };
    let ends_on = match rule {
        TermRule::CalendarYear { cutoff_month, cutoff_day } => {
            let cutoff = NaiveDate::from_ymd_opt(starts_on.year(), cutoff_month, cutoff_day)?;
            let year = if starts_on >= cutoff { starts_on.year() + 1 } else { starts_on.year() };
            NaiveDate::from_ymd_opt(year, 12, 31)?
        }
        TermRule::FixedMonths(n) => {
            // The day before the anniversary; when the anniversary day does not exist
            // (31 Jan + 1 month, 29 Feb + 12), the term ends on the month's last day.
            let same_day = starts_on.checked_add_months(Months::new(n))?;
            if same_day.day() == starts_on.day() { same_day - Duration::days(1) } else { same_day }
        }
    };
    Some((starts_on, ends_on))
}

entity::closed_set! {
    /// A membership's status on a day (in the affiliate's time zone), from whether it is
    /// paid and its dates. New values may be added later.
    #[schema(as = MembershipDayStatus)]
    pub enum Status {
        PendingPayment = "pending_payment",
        Upcoming = "upcoming",
        Active = "active",
        Expired = "expired",
        Cancelled = "cancelled",
    }
}

pub fn status_on(
    state: MembershipState,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    day: NaiveDate,
) -> Status {
    match (state, starts_on, ends_on) {
        (MembershipState::Cancelled, ..) => Status::Cancelled,
        (MembershipState::Paid, Some(start), Some(_)) if day < start => Status::Upcoming,
        (MembershipState::Paid, Some(_), Some(end)) if day <= end => Status::Active,
        (MembershipState::Paid, Some(_), Some(_)) => Status::Expired,
        _ => Status::PendingPayment,
    }
}

/// What happens to a membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipEvent {
    /// Its invoice is settled.
    Pay,
    /// A partner's sync says it is paid, or cancelled.
    Synced(MembershipState),
}

/// The state after `event`, or why it cannot happen.
pub fn transition(from: MembershipState, event: MembershipEvent) -> Result<MembershipState, &'static str> {
    use MembershipState as S;
    match (from, event) {
        (S::PendingPayment, MembershipEvent::Pay) => Ok(S::Paid),
        (S::Paid, MembershipEvent::Pay) => Err("the membership is paid already"),
        (S::Cancelled, MembershipEvent::Pay) => Err("the membership is cancelled"),
        // The partner's record is the source of truth for what it syncs.
        (_, MembershipEvent::Synced(to)) => Ok(to),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn calendar_year_edges() {
        let rule = TermRule::DEFAULT_CALENDAR_YEAR;
        let cases = [
            ("2026-01-01", "2026-01-01", "2026-12-31"),
            ("2026-09-30", "2026-09-30", "2026-12-31"),
            ("2026-10-01", "2026-10-01", "2027-12-31"),
            ("2026-12-31", "2026-12-31", "2027-12-31"),
            ("2024-02-29", "2024-02-29", "2024-12-31"),
            ("2024-10-01", "2024-10-01", "2025-12-31"),
        ];
        for (bought, start, end) in cases {
            assert_eq!(term(rule, d(bought), None), Some((d(start), d(end))), "bought {bought}");
        }
    }

    #[test]
    fn renewing_early_starts_after_the_current_term() {
        let rule = TermRule::DEFAULT_CALENDAR_YEAR;
        // Active to 2026-12-31, renewed in November: all of 2027.
        assert_eq!(term(rule, d("2026-11-15"), Some(d("2026-12-31"))), Some((d("2027-01-01"), d("2027-12-31"))));
        // Renewed in June while active to the end of the year: still all of 2027.
        assert_eq!(term(rule, d("2026-06-01"), Some(d("2026-12-31"))), Some((d("2027-01-01"), d("2027-12-31"))));
        // Lapsed memberships do not push the start.
        assert_eq!(term(rule, d("2027-03-01"), Some(d("2026-12-31"))), Some((d("2027-03-01"), d("2027-12-31"))));
    }

    #[test]
    fn fixed_months_edges() {
        let rule = TermRule::FixedMonths(12);
        assert_eq!(term(rule, d("2026-03-15"), None), Some((d("2026-03-15"), d("2027-03-14"))));
        assert_eq!(term(rule, d("2024-02-29"), None), Some((d("2024-02-29"), d("2025-02-28"))));
        assert_eq!(term(TermRule::FixedMonths(1), d("2026-01-31"), None), Some((d("2026-01-31"), d("2026-02-28"))));
        assert_eq!(term(TermRule::FixedMonths(1), d("2024-01-31"), None), Some((d("2024-01-31"), d("2024-02-29"))));
        assert_eq!(term(rule, d("2026-12-31"), None), Some((d("2026-12-31"), d("2027-12-30"))));
    }

    #[test]
    fn rules_are_validated() {
        assert!(TermRule::CalendarYear { cutoff_month: 2, cutoff_day: 29 }.validate().is_err());
        assert!(TermRule::CalendarYear { cutoff_month: 13, cutoff_day: 1 }.validate().is_err());
        assert!(TermRule::FixedMonths(0).validate().is_err());
        assert!(TermRule::FixedMonths(12).validate().is_ok());
        assert!(TermRule::DEFAULT_CALENDAR_YEAR.validate().is_ok());
    }

    #[test]
    fn status_follows_the_day() {
        let (s, e) = (Some(d("2026-01-01")), Some(d("2026-12-31")));
        let paid = MembershipState::Paid;
        assert_eq!(status_on(paid, s, e, d("2025-12-31")), Status::Upcoming);
        assert_eq!(status_on(paid, s, e, d("2026-01-01")), Status::Active);
        assert_eq!(status_on(paid, s, e, d("2026-12-31")), Status::Active);
        assert_eq!(status_on(paid, s, e, d("2027-01-01")), Status::Expired);
        assert_eq!(status_on(MembershipState::PendingPayment, None, None, d("2026-06-01")), Status::PendingPayment);
        assert_eq!(status_on(MembershipState::Cancelled, s, e, d("2026-06-01")), Status::Cancelled);
    }

    #[test]
    fn every_move() {
        use MembershipState as S;
        let cases = [
            (S::PendingPayment, MembershipEvent::Pay, Ok(S::Paid)),
            (S::Paid, MembershipEvent::Pay, Err("the membership is paid already")),
            (S::Cancelled, MembershipEvent::Pay, Err("the membership is cancelled")),
            (S::PendingPayment, MembershipEvent::Synced(S::Cancelled), Ok(S::Cancelled)),
            (S::Paid, MembershipEvent::Synced(S::Cancelled), Ok(S::Cancelled)),
            (S::Cancelled, MembershipEvent::Synced(S::Paid), Ok(S::Paid)),
        ];
        for (from, event, expected) in cases {
            assert_eq!(transition(from, event), expected, "{from:?} {event:?}");
        }
    }
}
