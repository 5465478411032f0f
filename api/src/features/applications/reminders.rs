//! The application reminders a coordinator's cron runs daily (or the CLI, `endorse jobs`):
//! raters who have not answered get a fresh link a week before theirs expires, and
//! candidates hear about their sitting a week ahead. Each goes out once (`reminded_at`),
//! so a job run twice sends nothing new; candidates who turned reminders off get none.
use chrono::{Duration, NaiveDate, NaiveTime};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use crate::mail::{
    self, locale,
    locale::Locale,
    messages::{ExamReminder, Mail},
};
use crate::{
    auth::Caller, db, db::begin_write, domain::reference::ReferenceStatus, error::AppError, error::AppResult,
    features::accounts::sessions::hash_token, mail::links::Links, platform::clock::today,
};
use entity::exam_registration::ExamRegistrationStatus;
use entity::{affiliate, application, application_reference, exam_registration, exam_sitting, person};

/// How far ahead of the deadline (link expiry, sitting) the reminder goes out.
pub const LEAD_DAYS: i64 = 7;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// Raters who have not answered, their link expiring within a week.
    ReferenceReminders,
    /// Candidates registered for a sitting within a week.
    ExamReminders,
}

/// Runs `job` for the affiliate as of `day` (its today by default); how many emails went out.
pub async fn run(
    db: &DatabaseConnection,
    links: &Links,
    caller: &Caller,
    ident: &str,
    job: Job,
    day: Option<NaiveDate>,
) -> AppResult<u64> {
    let affiliate = crate::platform::tenancy::managed(db, caller, ident, "run its reminder jobs").await?;
    run_for(db, links, &affiliate, job, day.unwrap_or_else(|| today(&affiliate))).await
}

/// `job` for `affiliate` as of `day`, with no caller (the command line).
pub async fn run_for(
    db: &DatabaseConnection,
    links: &Links,
    affiliate: &affiliate::Model,
    job: Job,
    day: NaiveDate,
) -> AppResult<u64> {
    match job {
        Job::ReferenceReminders => remind_raters(db, links, affiliate, day).await,
        Job::ExamReminders => remind_candidates(db, links, affiliate, day).await,
    }
}

/// The end of `day + LEAD_DAYS`, in UTC: links expiring before it are due a reminder.
fn horizon(day: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    (day + Duration::days(LEAD_DAYS + 1)).and_time(NaiveTime::MIN).and_utc()
}

async fn remind_raters(
    db: &DatabaseConnection,
    links: &Links,
    affiliate: &affiliate::Model,
    day: NaiveDate,
) -> AppResult<u64> {
    let now = db::now();
    let due = application_reference::Entity::find()
        .inner_join(application::Entity)
        .filter(application::Column::AffiliateId.eq(affiliate.id))
        .filter(application_reference::Column::Status.eq(ReferenceStatus::Invited))
        .filter(application_reference::Column::RemindedAt.is_null())
        .filter(application_reference::Column::ExpiresAt.gt(now))
        .filter(application_reference::Column::ExpiresAt.lt(horizon(day)))
        .all(db)
        .await?;
    let mut sent = 0;
    for r in due {
        let txn = begin_write(db).await?;
        // Re-read under the write lock: the rater may have answered meanwhile.
        let Some(r) = application_reference::Entity::find_by_id(r.id)
            .one(&txn)
            .await?
            .filter(|r| r.status == ReferenceStatus::Invited && r.reminded_at.is_none())
        else {
            continue;
        };
        let Some(app) = application::Entity::find_by_id(r.application_id).one(&txn).await? else { continue };
        // Ratings count only while the applicant can still change the application.
        if !app.state.is_editable() {
            continue;
        }
        // Only the hash of the first link is kept, so the reminder carries a new one
        // (same expiry); the old link stops working.
        let token = super::references::secret()?;
        let mut next: application_reference::ActiveModel = r.clone().into();
        next.token_hash = Set(hash_token(&token));
        next.reminded_at = Set(Some(now));
        let r = next.update(&txn).await?;
        super::references::email_rater(&txn, links, &app, &r, &token, true).await?;
        txn.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

async fn remind_candidates(
    db: &DatabaseConnection,
    links: &Links,
    affiliate: &affiliate::Model,
    day: NaiveDate,
) -> AppResult<u64> {
    let sittings = exam_sitting::Entity::find()
        .filter(exam_sitting::Column::AffiliateId.eq(affiliate.id))
        .filter(exam_sitting::Column::SittingOn.gte(day))
        .filter(exam_sitting::Column::SittingOn.lte(day + Duration::days(LEAD_DAYS)))
        .all(db)
        .await?;
    let mut sent = 0;
    for sitting in sittings {
        let due = exam_registration::Entity::find()
            .filter(exam_registration::Column::SittingId.eq(sitting.id))
            .filter(exam_registration::Column::Status.eq(ExamRegistrationStatus::Registered))
            .filter(exam_registration::Column::RemindedAt.is_null())
            .all(db)
            .await?;
        for registration in due {
            let txn = begin_write(db).await?;
            let Some(registration) = exam_registration::Entity::find_by_id(registration.id)
                .one(&txn)
                .await?
                .filter(|r| r.status == ExamRegistrationStatus::Registered && r.reminded_at.is_none())
            else {
                continue;
            };
            let Some(app) = application::Entity::find_by_id(registration.application_id).one(&txn).await? else {
                continue;
            };
            let candidate = person::Entity::find_by_id(app.person_id)
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::internal("candidate vanished"))?;
            let l = Locale(candidate.preferred_language);
            let reminder = Mail::ExamReminder(ExamReminder {
                category: locale::category(&txn, &app.category_code, l).await?,
                sitting_on: l.date(sitting.sitting_on),
                location: sitting.location.clone(),
                days_left: (sitting.sitting_on - day).num_days(),
                link: links.application(app.id),
            });
            // Recorded either way: turning reminders back on does not replay this one.
            let mut next: exam_registration::ActiveModel = registration.into();
            next.reminded_at = Set(Some(db::now()));
            next.update(&txn).await?;
            if mail::remind(&txn, affiliate, &candidate, &reminder).await? {
                sent += 1;
            }
            txn.commit().await?;
        }
    }
    Ok(sent)
}
