use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, post, put, web};
use uuid::Uuid;

use crate::http::handler::{AppData, Reply};
use crate::{
    features::renewals::dto::BulkItemResult, features::renewals::dto::BulkRenewalRequest,
    features::renewals::dto::BulkResult, features::renewals::dto::ItemStatus, features::renewals::dto::MAX_BULK_ITEMS,
};

use crate::{
    auth::Caller, error::AppError, error::Problem, features::applications::dto::PortfolioItem,
    features::renewals::dto::JobReport, features::renewals::dto::JobRequest, features::renewals::dto::Renewal,
    features::renewals::dto::RenewalAttestation, features::renewals::dto::RenewalEntry,
    features::renewals::dto::RenewalEntryKind, features::renewals::dto::RenewalPeriod,
    features::renewals::dto::RenewalPeriodInput, features::renewals::dto::RenewalReadiness,
    features::renewals::dto::RenewalStatus, features::renewals::dto::RenewalStatusQuery,
    features::renewals::dto::ReturnRenewal, features::renewals::service as renewals, http::etag::Precondition,
    http::etag::etag, http::extract::ApiJson, http::extract::ApiQuery, http::pagination::Page,
    http::pagination::PageParams, http::pagination::PageRequest, http::pagination::whole,
};

/// The affiliate's renewal period for a year (the default 1 October - 31 December when none is set).
#[utoipa::path(
    tag = "renewals",
    security(()),
    params(crate::http::responses::AffiliatePath, ("year" = i32, Path, description = "Year", minimum = 2000, maximum = 2200)),
    responses((status = 200, description = "The period", body = RenewalPeriod), crate::http::responses::NoSuchAffiliate)
)]
#[get("/affiliates/{affiliate}/renewal-periods/{year}")]
pub async fn get_renewal_period(state: AppData, path: web::Path<(String, i32)>) -> Reply {
    let (affiliate, year) = path.into_inner();
    Ok(HttpResponse::Ok().json(renewals::period(&state.db, &affiliate, year).await?))
}

/// Sets the year's renewal period (coordinators): dates, late window, auto-approval, reminder offsets.
#[utoipa::path(
    tag = "renewals",
    params(crate::http::responses::AffiliatePath, ("year" = i32, Path, description = "Year", minimum = 2000, maximum = 2200)),
    request_body = RenewalPeriodInput,
    responses(
        (status = 200, description = "Set", body = RenewalPeriod),
        crate::http::responses::NotCoordinator,
        crate::http::responses::NoSuchAffiliate
    )
)]
#[put("/affiliates/{affiliate}/renewal-periods/{year}")]
pub async fn set_renewal_period(
    state: AppData,
    caller: Caller,
    path: web::Path<(String, i32)>,
    body: ApiJson<RenewalPeriodInput>,
) -> Reply {
    let (affiliate, year) = path.into_inner();
    Ok(HttpResponse::Ok().json(renewals::set_period(&state.db, &caller, &affiliate, year, body.0).await?))
}

/// Opens (or returns) one's renewal for a year; 409 `not_due` when nothing is due.
#[utoipa::path(
    tag = "renewals",
    params(("year" = i32, Path, description = "Year", minimum = 2000, maximum = 2200)),
    responses(
        (status = 200, description = "The renewal", body = Renewal),
        (status = 403, description = "Machine clients", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_due`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/me/renewals/{year}")]
pub async fn open_renewal(state: AppData, caller: Caller, path: web::Path<i32>) -> Reply {
    Ok(HttpResponse::Ok().json(Renewal::from(renewals::open(&state.db, &caller, path.into_inner()).await?)))
}

/// One's renewal for a year.
#[utoipa::path(
    tag = "renewals",
    params(("year" = i32, Path, description = "Year", minimum = 2000, maximum = 2200)),
    responses((status = 200, description = "The renewal", body = Renewal), (status = 404, description = "Not opened", body = Problem, content_type = "application/problem+json"))
)]
#[get("/me/renewals/{year}")]
pub async fn get_my_renewal(state: AppData, caller: Caller, path: web::Path<i32>) -> Reply {
    Ok(HttpResponse::Ok().json(Renewal::from(renewals::get_mine(&state.db, &caller, path.into_inner()).await?)))
}

/// Records a training or RSC entry of the renewal year (`trainings` or `rsc`).
#[utoipa::path(
    tag = "renewals",
    params(("year" = i32, Path, description = "Year", minimum = 2000, maximum = 2200), ("kind" = inline(RenewalEntryKind), Path, description = "`trainings` or `rsc`")),
    request_body(content = PortfolioItem, description = "A training or RSC entry"),
    responses(
        (status = 201, description = "Recorded", body = RenewalEntry, headers(("ETag" = String, description = "Current version"))),
        (status = 404, description = "Not opened", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`renewal_not_editable`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/me/renewals/{year}/entries/{kind:trainings|rsc}")]
pub async fn add_renewal_entry(
    req: HttpRequest,
    state: AppData,
    caller: Caller,
    path: web::Path<(i32, RenewalEntryKind)>,
    payload: web::Payload,
) -> Reply {
    let (year, kind) = path.into_inner();
    let body = crate::features::applications::routes::applications::json_body(&req, payload).await?;
    let item = crate::features::applications::routes::applications::item(kind.into(), &body)?;
    let e = renewals::entry_dto(renewals::add_entry(&state.db, &caller, year, kind, item).await?)?;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(e.version))).json(e))
}

/// One's training or RSC entries on the year's renewal.
#[utoipa::path(
    tag = "renewals",
    params(("year" = i32, Path, description = "Year", minimum = 2000, maximum = 2200), ("kind" = inline(RenewalEntryKind), Path, description = "`trainings` or `rsc`"), PageParams),
    responses(
        (status = 200, description = "A page of entries, oldest first", body = Page<RenewalEntry>),
        (status = 404, description = "Not opened", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me/renewals/{year}/entries/{kind:trainings|rsc}")]
pub async fn list_renewal_entries(
    state: AppData,
    caller: Caller,
    path: web::Path<(i32, RenewalEntryKind)>,
    query: ApiQuery<PageParams>,
) -> Reply {
    let (year, kind) = path.into_inner();
    let rows = renewals::list_entries(&state.db, &caller, year, kind).await?;
    Ok(HttpResponse::Ok().json(whole("renewal-entries", query.0.parts(), rows, |e| (e.created_at, e.id), |e| e)?))
}

/// Removes a training or RSC entry while the renewal is open or returned. Needs `If-Match`.
#[utoipa::path(
    tag = "renewals",
    params(("year" = i32, Path, description = "Year", minimum = 2000, maximum = 2200), ("kind" = inline(RenewalEntryKind), Path, description = "`trainings` or `rsc`"), ("entry" = Uuid, Path, description = "Entry id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such entry of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`renewal_not_editable`", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/me/renewals/{year}/entries/{kind:trainings|rsc}/{entry}")]
pub async fn remove_renewal_entry(
    state: AppData,
    caller: Caller,
    path: web::Path<(i32, RenewalEntryKind, Uuid)>,
    precondition: Precondition,
) -> Reply {
    let (year, kind, entry) = path.into_inner();
    renewals::remove_entry(&state.db, &caller, year, kind, entry, &precondition).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Re-signs the Code of Ethics and says whether one provides RSC to others.
#[utoipa::path(
    tag = "renewals",
    params(("year" = i32, Path, description = "Year", minimum = 2000, maximum = 2200)),
    request_body = RenewalAttestation,
    responses((status = 200, description = "Signed", body = Renewal), (status = 404, description = "Not opened", body = Problem, content_type = "application/problem+json"))
)]
#[post("/me/renewals/{year}/attestation")]
pub async fn attest_renewal(
    state: AppData,
    caller: Caller,
    path: web::Path<i32>,
    body: ApiJson<RenewalAttestation>,
) -> Reply {
    let input = body.0;
    Ok(HttpResponse::Ok().json(Renewal::from(
        renewals::attest(&state.db, &caller, path.into_inner(), &input.text_version, input.provides_rsc).await?,
    )))
}

/// Per endorsement due, the engine's evaluation of the year's renewal requirements.
#[utoipa::path(
    tag = "renewals",
    params(("year" = i32, Path, description = "Year", minimum = 2000, maximum = 2200)),
    responses((status = 200, description = "Readiness", body = RenewalReadiness), (status = 404, description = "Not opened", body = Problem, content_type = "application/problem+json"))
)]
#[get("/me/renewals/{year}/readiness")]
pub async fn get_renewal_readiness(state: AppData, caller: Caller, path: web::Path<i32>) -> Reply {
    Ok(HttpResponse::Ok().json(renewals::my_readiness(&state.db, &caller, path.into_inner()).await?))
}

/// Submits the renewal: one invoice for all categories (with the late fee in the late window).
#[utoipa::path(
    tag = "renewals",
    params(("year" = i32, Path, description = "Year", minimum = 2000, maximum = 2200)),
    responses(
        (status = 200, description = "Submitted", body = Renewal),
        (status = 404, description = "Not opened", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`renewal_not_editable`, `renewal_closed`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/me/renewals/{year}/submission")]
pub async fn submit_renewal(state: AppData, caller: Caller, path: web::Path<i32>) -> Reply {
    Ok(HttpResponse::Ok().json(Renewal::from(renewals::submit(&state, &caller, path.into_inner()).await?)))
}

/// Approves a submitted, paid renewal (coordinators; clients with `renewals:write`).
#[utoipa::path(
    tag = "renewals",
    security(("bearer" = []), ("oauth2" = ["renewals:write"])),
    params(("id" = Uuid, Path, description = "Renewal id")),
    responses(
        (status = 200, description = "Approved", body = Renewal),
        (status = 404, description = "No such renewal you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`, `renewal_fee_unpaid`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/renewals/{id}/approval")]
pub async fn approve_renewal(state: AppData, caller: Caller, path: web::Path<Uuid>) -> Reply {
    Ok(HttpResponse::Ok()
        .json(Renewal::from(renewals::approve(&state.db, &state.links, &caller, path.into_inner()).await?)))
}

/// Returns a submitted renewal with reasons (coordinators; clients with `renewals:write`).
#[utoipa::path(
    tag = "renewals",
    security(("bearer" = []), ("oauth2" = ["renewals:write"])),
    params(("id" = Uuid, Path, description = "Renewal id")),
    request_body = ReturnRenewal,
    responses(
        (status = 200, description = "Returned", body = Renewal),
        (status = 404, description = "No such renewal you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/renewals/{id}/return")]
pub async fn return_renewal(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<ReturnRenewal>,
) -> Reply {
    Ok(HttpResponse::Ok().json(Renewal::from(
        renewals::return_renewal(&state.db, &state.links, &caller, path.into_inner(), body.0.reasons).await?,
    )))
}

/// Who is due, open, submitted, approved, returned or lapsed in a year (coordinators;
/// clients with `renewals:read` or `renewals:write`), by person.
#[utoipa::path(
    tag = "renewals",
    security(("bearer" = []), ("oauth2" = ["renewals:read"]), ("oauth2" = ["renewals:write"])),
    params(RenewalStatusQuery),
    responses((status = 200, description = "A page of statuses", body = Page<RenewalStatus>), (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"))
)]
#[get("/renewals")]
pub async fn list_renewal_statuses(state: AppData, caller: Caller, query: ApiQuery<RenewalStatusQuery>) -> Reply {
    let q = query.0;
    let page = PageRequest::<Uuid>::parse("renewals", q.limit, q.cursor.as_deref())?;
    let rows = renewals::statuses(&state.db, &caller, q.year, q.status, page.after, page.fetch_limit()).await?;
    let (rows, next_cursor) = page.finish("renewals", rows, |r| r.person_id)?;
    Ok(HttpResponse::Ok().json(Page { data: rows, next_cursor }))
}

/// Runs the lapse job (idempotent): endorsements past their period and late window lapse.
#[utoipa::path(
    tag = "renewals",
    security(("bearer" = []), ("oauth2" = ["renewals:write"])),
    params(crate::http::responses::AffiliatePath),
    request_body = JobRequest,
    responses((status = 200, description = "How many lapsed", body = JobReport), (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"), crate::http::responses::NoSuchAffiliate)
)]
#[post("/affiliates/{affiliate}/renewal-jobs/lapse")]
pub async fn run_lapse_job(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<JobRequest>,
) -> Reply {
    Ok(HttpResponse::Ok().json(JobReport {
        changed: renewals::run_job(
            &state.db,
            &state.links,
            &caller,
            &path.into_inner(),
            renewals::Job::Lapse,
            body.0.today,
        )
        .await?,
    }))
}

/// Sends the reminders due today (idempotent: once per person, year and offset).
#[utoipa::path(
    tag = "renewals",
    security(("bearer" = []), ("oauth2" = ["renewals:write"])),
    params(crate::http::responses::AffiliatePath),
    request_body = JobRequest,
    responses((status = 200, description = "How many sent", body = JobReport), (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"), crate::http::responses::NoSuchAffiliate)
)]
#[post("/affiliates/{affiliate}/renewal-jobs/reminders")]
pub async fn run_reminder_job(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<JobRequest>,
) -> Reply {
    Ok(HttpResponse::Ok().json(JobReport {
        changed: renewals::run_job(
            &state.db,
            &state.links,
            &caller,
            &path.into_inner(),
            renewals::Job::Reminders,
            body.0.today,
        )
        .await?,
    }))
}

/// Bulk renewal actions for scripts: approve, return with reasons, record payments made
/// elsewhere, run the lapse job or send the reminders due (items name affiliates). Each item is applied on its own and answered on its own; at most
/// `MAX_BULK_ITEMS` (500) items (413 beyond); send an `Idempotency-Key` to retry safely.
#[utoipa::path(
    tag = "renewals",
    security(("bearer" = []), ("oauth2" = ["renewals:write"])),
    request_body = BulkRenewalRequest,
    responses(
        (status = 200, description = "Per-item results", body = BulkResult),
        (status = 403, description = "Not staff, or no `renewals:write`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/renewals/bulk")]
pub async fn run_bulk_renewal_action(state: AppData, caller: Caller, body: ApiJson<BulkRenewalRequest>) -> Reply {
    let request = body.0;
    if request.len() > MAX_BULK_ITEMS {
        return Err(AppError::PayloadTooLargeItems { max: MAX_BULK_ITEMS, got: request.len() });
    }
    caller.require_staff_or_scope(caller.affiliate_id, crate::domain::scopes::Scope::RenewalsWrite)?;
    let mut results = Vec::with_capacity(request.len());
    let blank = |index: usize| BulkItemResult {
        index,
        renewal_id: None,
        affiliate: None,
        status: ItemStatus::Ok,
        renewal: None,
        changed: None,
        problem: None,
    };
    let outcome = |index: usize, renewal_id: Uuid, r: Result<entity::renewal::Model, AppError>| match r {
        Ok(m) => BulkItemResult { renewal_id: Some(renewal_id), renewal: Some(Renewal::from(m)), ..blank(index) },
        Err(e) => BulkItemResult {
            renewal_id: Some(renewal_id),
            status: ItemStatus::Error,
            problem: Some(e.problem()),
            ..blank(index)
        },
    };
    let job_outcome = |index: usize, affiliate: String, r: Result<u64, AppError>| match r {
        Ok(n) => BulkItemResult { affiliate: Some(affiliate), changed: Some(n), ..blank(index) },
        Err(e) => BulkItemResult {
            affiliate: Some(affiliate),
            status: ItemStatus::Error,
            problem: Some(e.problem()),
            ..blank(index)
        },
    };
    match request {
        BulkRenewalRequest::Approve { items } => {
            for (i, item) in items.into_iter().enumerate() {
                results.push(outcome(
                    i,
                    item.renewal_id,
                    renewals::approve(&state.db, &state.links, &caller, item.renewal_id).await,
                ));
            }
        }
        BulkRenewalRequest::Return { items } => {
            for (i, item) in items.into_iter().enumerate() {
                let r = if item.reasons.trim().is_empty() {
                    Err(AppError::invalid_field("reasons", "required", "give the reasons"))
                } else {
                    renewals::return_renewal(&state.db, &state.links, &caller, item.renewal_id, item.reasons).await
                };
                results.push(outcome(i, item.renewal_id, r));
            }
        }
        BulkRenewalRequest::RecordPayment { items } => {
            for (i, item) in items.into_iter().enumerate() {
                let r = renewals::record_payment(
                    &state,
                    &caller,
                    item.renewal_id,
                    &item.amount,
                    item.method,
                    item.reference,
                )
                .await;
                results.push(outcome(i, item.renewal_id, r));
            }
        }
        BulkRenewalRequest::RunLapse { items } => {
            for (i, item) in items.into_iter().enumerate() {
                let r = renewals::run_job(
                    &state.db,
                    &state.links,
                    &caller,
                    &item.affiliate,
                    renewals::Job::Lapse,
                    item.today,
                )
                .await;
                results.push(job_outcome(i, item.affiliate, r));
            }
        }
        BulkRenewalRequest::SendReminders { items } => {
            for (i, item) in items.into_iter().enumerate() {
                let r = renewals::run_job(
                    &state.db,
                    &state.links,
                    &caller,
                    &item.affiliate,
                    renewals::Job::Reminders,
                    item.today,
                )
                .await;
                results.push(job_outcome(i, item.affiliate, r));
            }
        }
    }
    let succeeded = results.iter().filter(|r| r.status == ItemStatus::Ok).count();
    Ok(HttpResponse::Ok().json(BulkResult { succeeded, failed: results.len() - succeeded, results }))
}
