//! Washington's 2022-2023 submission schedule, exactly as the seed gives it (dates in
//! America/Los_Angeles; an empty category list means every category).
use sea_orm_migration::prelude::*;

use crate::{m0010_seed_washington::WASHINGTON_ID, m0031_schedule_events::ScheduleEvents};

/// (kind, title, starts_on, ends_on, start time, end time, categories)
type Event = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    &'static [&'static str],
);

pub const EVENTS: &[Event] = &[
    ("submission_deadline", "Submission deadline for IFA and IFS", "2022-09-30", None, None, None, &["IFA", "IFS"]),
    ("informational_session", "Endorsement Informational", "2022-11-17", None, Some("09:00"), Some("10:00"), &[]),
    ("renewal_period", "Annual Renewals Due, all Endorsees", "2022-10-01", Some("2022-12-31"), None, None, &[]),
    ("submission_deadline", "Submission deadline for all categories", "2023-01-13", None, None, None, &[]),
    ("exam_week", "Endorsement® Exam (week of April 7)", "2023-04-03", Some("2023-04-09"), None, None, &[]),
    (
        "submission_deadline",
        "Submission deadline for IFA, IFS, and IFRS",
        "2023-03-24",
        None,
        None,
        None,
        &["IFA", "IFS", "IFRS"],
    ),
    ("submission_deadline", "Submission deadline for all categories", "2023-06-09", None, None, None, &[]),
    ("exam_week", "Endorsement® Exam (week of Sept. 1)", "2023-08-28", Some("2023-09-03"), None, None, &[]),
    (
        "submission_deadline",
        "Submission deadline for IFA, IFS, and IFRS",
        "2023-09-29",
        None,
        None,
        None,
        &["IFA", "IFS", "IFRS"],
    ),
    ("renewal_period", "Annual Renewals Due, all Endorsees", "2023-10-01", Some("2023-12-31"), None, None, &[]),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

fn date(s: &str) -> Result<chrono::NaiveDate, DbErr> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| DbErr::Custom(e.to_string()))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let affiliate = uuid::Uuid::parse_str(WASHINGTON_ID).map_err(|e| DbErr::Custom(e.to_string()))?;
        let now = chrono::Utc::now();
        for (kind, title, starts, ends, start_time, end_time, categories) in EVENTS {
            let cats = serde_json::Value::Array(
                categories.iter().map(|c| serde_json::Value::String(String::from(*c))).collect(),
            );
            let ends = match ends {
                Some(e) => Some(date(e)?),
                None => None,
            };
            let insert = Query::insert()
                .into_table(ScheduleEvents::Table)
                .columns([
                    ScheduleEvents::Id,
                    ScheduleEvents::AffiliateId,
                    ScheduleEvents::Kind,
                    ScheduleEvents::Title,
                    ScheduleEvents::StartsOn,
                    ScheduleEvents::EndsOn,
                    ScheduleEvents::StartTime,
                    ScheduleEvents::EndTime,
                    ScheduleEvents::Categories,
                    ScheduleEvents::CreatedAt,
                    ScheduleEvents::Version,
                ])
                .values([
                    uuid::Uuid::now_v7().into(),
                    affiliate.into(),
                    String::from(*kind).into(),
                    String::from(*title).into(),
                    date(starts)?.into(),
                    ends.into(),
                    start_time.map(String::from).into(),
                    end_time.map(String::from).into(),
                    cats.into(),
                    now.into(),
                    1i64.into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?
                .to_owned();
            manager.execute(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let affiliate = uuid::Uuid::parse_str(WASHINGTON_ID).map_err(|e| DbErr::Custom(e.to_string()))?;
        let last = date("2023-12-31")?;
        manager
            .execute(
                Query::delete()
                    .from_table(ScheduleEvents::Table)
                    .and_where(Expr::col(ScheduleEvents::AffiliateId).eq(affiliate))
                    .and_where(Expr::col(ScheduleEvents::StartsOn).lte(last))
                    .to_owned(),
            )
            .await
    }
}
