//! The application reminder jobs, for a coordinator's cron (or `endorse jobs`).
use actix_web::{HttpResponse, post, web};

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::Problem, features::applications::reminders, features::renewals::dto::JobReport,
    features::renewals::dto::JobRequest, http::extract::ApiJson,
};

async fn run(state: AppData, caller: Caller, affiliate: String, job: reminders::Job, body: JobRequest) -> Reply {
    let changed = reminders::run(&state.db, &state.links, &caller, &affiliate, job, body.today).await?;
    Ok(HttpResponse::Ok().json(JobReport { changed }))
}

/// Sends reference raters who have not answered a fresh link, a week before theirs expires.
///
/// Coordinators of the affiliate (cron runs it daily). Each rater is reminded once: the
/// reminder carries a new link and code with the same expiry, and the first link stops
/// working. Only applications the applicant can still change are considered. Idempotent:
/// a second run the same day sends nothing.
#[utoipa::path(
    tag = "applications",
    params(crate::http::responses::AffiliatePath),
    request_body = JobRequest,
    responses(
        (status = 200, description = "How many reminders were sent", body = JobReport),
        (status = 403, description = "Not a coordinator of the affiliate", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[post("/affiliates/{affiliate}/application-jobs/reference-reminders")]
pub async fn run_reference_reminder_job(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<JobRequest>,
) -> Reply {
    run(state, caller, path.into_inner(), reminders::Job::ReferenceReminders, body.0).await
}

/// Reminds candidates of their exam sitting, a week ahead.
///
/// Coordinators of the affiliate (cron runs it daily). Each registration is reminded once,
/// at most seven days before its sitting; candidates who turned reminders off are skipped,
/// and a reminder address, when the candidate gave one, is used. Idempotent.
#[utoipa::path(
    tag = "applications",
    params(crate::http::responses::AffiliatePath),
    request_body = JobRequest,
    responses(
        (status = 200, description = "How many reminders were sent", body = JobReport),
        (status = 403, description = "Not a coordinator of the affiliate", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[post("/affiliates/{affiliate}/application-jobs/exam-reminders")]
pub async fn run_exam_reminder_job(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<JobRequest>,
) -> Reply {
    run(state, caller, path.into_inner(), reminders::Job::ExamReminders, body.0).await
}
