//! Submission deadlines: a date in the affiliate's time zone, closing at the end of that
//! day; a submission goes to the next open deadline that accepts its category.
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// The instant a deadline day ends (midnight after it) in `tz`.
pub fn closes_at(day: NaiveDate, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let next = day.succ_opt()?.and_hms_opt(0, 0, 0)?;
    tz.from_local_datetime(&next).earliest().map(|t| t.with_timezone(&Utc))
}

/// Whether a deadline accepts a category: an empty list accepts every category.
pub fn accepts(categories: &[String], category: &str) -> bool {
    categories.is_empty() || categories.iter().any(|c| c == category)
}

/// The first deadline (by date) still open at `now` that accepts `category`.
pub fn next_deadline<'a, T>(
    deadlines: &'a [(NaiveDate, Vec<String>, T)],
    category: &str,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Option<&'a (NaiveDate, Vec<String>, T)> {
    deadlines
        .iter()
        .filter(|(day, cats, _)| accepts(cats, category) && closes_at(*day, tz).is_some_and(|t| now < t))
        .min_by_key(|(day, _, _)| *day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn deadlines_close_at_the_end_of_the_local_day() {
        let tz = chrono_tz::America::Los_Angeles;
        // 30 September 2022 ends at 07:00 UTC on 1 October (PDT, UTC-7).
        assert_eq!(closes_at(d("2022-09-30"), tz), Utc.with_ymd_and_hms(2022, 10, 1, 7, 0, 0).single());
        // 13 January 2023 ends at 08:00 UTC on 14 January (PST, UTC-8).
        assert_eq!(closes_at(d("2023-01-13"), tz), Utc.with_ymd_and_hms(2023, 1, 14, 8, 0, 0).single());
    }

    #[test]
    fn the_next_deadline_that_accepts_the_category() {
        let tz = chrono_tz::America::Los_Angeles;
        let list = vec![
            (d("2023-01-13"), vec![], 1),
            (d("2023-03-24"), vec!["IFA".into(), "IFS".into(), "IFRS".into()], 2),
            (d("2023-06-09"), vec![], 3),
        ];
        let jan = Utc.with_ymd_and_hms(2023, 1, 20, 12, 0, 0).single().unwrap_or_default();
        assert_eq!(next_deadline(&list, "IFS", jan, tz).map(|x| x.2), Some(2));
        assert_eq!(next_deadline(&list, "IMHS", jan, tz).map(|x| x.2), Some(3), "March does not take IMHS");
        // 23:30 in Seattle on 13 January is still before that deadline (07:30 UTC on the 14th).
        let late = Utc.with_ymd_and_hms(2023, 1, 14, 7, 30, 0).single().unwrap_or_default();
        assert_eq!(next_deadline(&list, "IMHS", late, tz).map(|x| x.2), Some(1));
        let after = Utc.with_ymd_and_hms(2023, 6, 10, 8, 0, 0).single().unwrap_or_default();
        assert_eq!(next_deadline(&list, "IMHS", after, tz), None);
    }
}
