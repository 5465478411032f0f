//! An affiliate's identity and settings, parsed once so the rest of the code can trust them.
use std::fmt;

/// Short lowercase code used in URLs and reports (`wa`, `mi`, `wi-aimh`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AffiliateCode(String);

impl AffiliateCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok_len = (2..=32).contains(&raw.len());
        let ok_chars = raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let ok_ends = raw.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && !raw.ends_with('-');
        if ok_len && ok_chars && ok_ends {
            Ok(AffiliateCode(raw.to_string()))
        } else {
            Err(format!("`{raw}` is not a code: 2-32 characters of a-z, 0-9 and '-', starting with a letter"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AffiliateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An IANA time zone: every date an affiliate publishes is read in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeZone(pub chrono_tz::Tz);

impl TimeZone {
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.parse::<chrono_tz::Tz>()
            .map(TimeZone)
            .map_err(|_| format!("`{raw}` is not an IANA time zone such as America/Los_Angeles"))
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The calendar day at `instant` in this zone ("today" for the affiliate).
    pub fn local_date(&self, instant: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        instant.with_timezone(&self.0).date_naive()
    }
}

/// ISO 4217 currency code of the affiliate's fees. Only currencies with two minor
/// digits are accepted, because all money is stored as integer cents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Currency(String);

const CURRENCIES: &[&str] =
    &["USD", "CAD", "EUR", "GBP", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "MXN", "ZAR", "SGD", "HKD"];

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if CURRENCIES.contains(&raw) {
            Ok(Currency(raw.to_string()))
        } else {
            Err(format!("`{raw}` is not a supported ISO 4217 currency ({})", CURRENCIES.join(", ")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        for ok in ["wa", "mi", "wi-aimh", "a1"] {
            assert!(AffiliateCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "w", "WA", "1wa", "wa-", "w a", "wá", &"x".repeat(33)] {
            assert!(AffiliateCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(TimeZone::parse("America/Los_Angeles").map(|t| t.name()), Ok("America/Los_Angeles"));
        assert!(TimeZone::parse("PST8PDT-ish").is_err());
        assert!(TimeZone::parse("").is_err());
    }

    #[test]
    fn today_is_the_affiliate_s_day() {
        use chrono::TimeZone as _;
        let tz = TimeZone::parse("America/Los_Angeles").expect("tz");
        // 06:30 UTC on 1 October is still 30 September in Washington.
        let instant = chrono::Utc.with_ymd_and_hms(2026, 10, 1, 6, 30, 0).single().expect("time");
        assert_eq!(tz.local_date(instant), chrono::NaiveDate::from_ymd_opt(2026, 9, 30).expect("date"));
        let later = chrono::Utc.with_ymd_and_hms(2026, 10, 1, 7, 0, 0).single().expect("time");
        assert_eq!(tz.local_date(later), chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("date"));
    }

    #[test]
    fn currencies_are_known_codes() {
        assert!(Currency::parse("USD").is_ok());
        assert!(Currency::parse("usd").is_err());
        assert!(Currency::parse("JPY").is_err(), "no minor unit: cannot be stored as cents");
    }
}
