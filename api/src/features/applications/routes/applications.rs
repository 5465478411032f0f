use actix_web::{HttpResponse, delete, get, http::header, post, put, web};
use uuid::Uuid;

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::AppError, error::Problem, features::accounts::dto::people::TokenOnly,
    features::applications::dto::Application, features::applications::dto::ApplicationEvent,
    features::applications::dto::ApplicationListQuery, features::applications::dto::Attestation,
    features::applications::dto::AttestationText, features::applications::dto::CODE_OF_ETHICS_VERSION,
    features::applications::dto::NewApplication, features::applications::dto::NewAttestation,
    features::applications::dto::NewReference, features::applications::dto::PortfolioEntry,
    features::applications::dto::PortfolioItem, features::applications::dto::PortfolioKind,
    features::applications::dto::Readiness, features::applications::dto::ReferenceContent,
    features::applications::dto::ReferenceDecline, features::applications::dto::ReferenceRequest,
    features::applications::dto::ReferenceStatus, features::applications::dto::ReferenceSubmission,
    features::applications::dto::Withdrawal, features::applications::portfolio, features::applications::references,
    features::applications::service as applications, features::applications::service::Access, http::etag::Precondition,
    http::etag::etag, http::extract::ApiJson, http::extract::ApiQuery, http::extract::parse_json,
    http::pagination::Page, http::pagination::PageParams, http::pagination::PageRequest, http::pagination::whole,
};

const LIST: &str = "applications";

fn ok(app: entity::application::Model) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(app.version))).json(Application::from(app))
}

/// Starts an application for a category (the policy in force today is kept for it).
#[utoipa::path(
    tag = "applications",
    request_body = NewApplication,
    responses(
        (status = 201, description = "Started (draft)", body = Application),
        (status = 403, description = "Machine clients cannot apply", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`application_open` (one open application per category), `no_policy`, `account_not_active`, `nothing_to_reinstate`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications")]
pub async fn start_application(state: AppData, caller: Caller, body: ApiJson<NewApplication>) -> Reply {
    let input = body.0;
    let app = applications::start(&state.db, &caller, &input.category, input.reinstatement).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/applications/{}", app.id)))
        .insert_header((header::ETAG, etag(app.version)))
        .json(Application::from(app)))
}

/// One's own applications; coordinators: the affiliate's.
#[utoipa::path(
    tag = "applications",
    params(ApplicationListQuery),
    responses(
        (status = 200, description = "A page of applications", body = Page<Application>),
        (status = 403, description = "Machine clients", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/applications")]
pub async fn list_applications(state: AppData, caller: Caller, query: ApiQuery<ApplicationListQuery>) -> Reply {
    let q = query.0;
    let page = PageRequest::<Uuid>::parse(LIST, q.limit, q.cursor.as_deref())?;
    let rows = applications::list(&state.db, &caller, q.state, q.category.as_deref(), &page).await?;
    let (rows, next_cursor) = page.finish(LIST, rows, |a| a.id)?;
    Ok(HttpResponse::Ok().json(Page { data: rows.into_iter().map(Application::from).collect::<Vec<_>>(), next_cursor }))
}

/// One application (its applicant, or the affiliate's coordinators).
#[utoipa::path(
    tag = "applications",
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application", body = Application, headers(("ETag" = String, description = "Current version"))),
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/applications/{id}")]
pub async fn get_application(state: AppData, caller: Caller, path: web::Path<Uuid>) -> Reply {
    Ok(ok(applications::visible(&state.db, &caller, path.into_inner(), Access::Read).await?))
}

/// The application's history of states (kept across deferrals and resubmissions).
#[utoipa::path(
    tag = "applications",
    params(("id" = Uuid, Path, description = "Application id"), PageParams),
    responses(
        (status = 200, description = "A page of state changes, oldest first", body = Page<ApplicationEvent>),
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/applications/{id}/history")]
pub async fn list_application_history(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    query: ApiQuery<PageParams>,
) -> Reply {
    let rows = applications::history(&state.db, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(whole(
        "history",
        query.0.parts(),
        rows,
        |e| (e.occurred_at, e.id),
        ApplicationEvent::from,
    )?))
}

/// Withdraws the application (any time before a decision).
#[utoipa::path(
    tag = "applications",
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = Withdrawal,
    responses(
        (status = 200, description = "Withdrawn", body = Application),
        (status = 404, description = "No such application of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`: already decided", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/withdrawal")]
pub async fn withdraw_application(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<Withdrawal>,
) -> Reply {
    Ok(ok(applications::withdraw(&state.db, &caller, path.into_inner(), body.0.reason).await?))
}

/// The engine's requirement-by-requirement evaluation of the portfolio, against the
/// application's own policy version.
#[utoipa::path(
    tag = "applications",
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "Readiness", body = Readiness),
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/applications/{id}/readiness")]
pub async fn get_application_readiness(state: AppData, caller: Caller, path: web::Path<Uuid>) -> Reply {
    let app = applications::visible(&state.db, &caller, path.into_inner(), Access::Read).await?;
    Ok(HttpResponse::Ok().json(applications::readiness(&state.db, &app).await?))
}

/// Submits (or resubmits after a deferral) to the next deadline that accepts the category.
/// 422 lists every unmet condition of the portfolio (requirements, membership, Code of
/// Ethics, with the fee and deadline conditions alongside); when only the processing fee or
/// a deadline stands in the way the answer is 409 `submission_blocked`. The first attempt
/// that finds the portfolio complete creates the processing-fee invoice.
#[utoipa::path(
    tag = "applications",
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "Submitted", body = Application),
        (status = 404, description = "No such application of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state` (not a draft or deferred), or `submission_blocked` (only the processing fee or a deadline is missing)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/submission")]
pub async fn submit_application(state: AppData, caller: Caller, path: web::Path<Uuid>) -> Reply {
    Ok(ok(applications::submit(&state, &caller, path.into_inner()).await?))
}

/// The current Code of Ethics and Endorsement Agreement text version (public).
#[utoipa::path(tag = "applications", security(()), responses((status = 200, description = "The text to sign", body = AttestationText)))]
#[get("/code-of-ethics")]
pub async fn get_code_of_ethics() -> HttpResponse {
    HttpResponse::Ok().json(AttestationText {
        version: CODE_OF_ETHICS_VERSION.into(),
        text: "I agree to abide by the Code of Ethics and the Endorsement Agreement of the Alliance for the Advancement of Infant Mental Health and my affiliate.".into(),
    })
}

/// Signs the Code of Ethics and Endorsement Agreement for this application (timestamped, with the text version).
#[utoipa::path(
    tag = "applications",
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = NewAttestation,
    responses(
        (status = 201, description = "Signed", body = Attestation),
        (status = 404, description = "No such application of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`application_not_editable`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/attestations")]
pub async fn sign_attestation(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<NewAttestation>,
) -> Reply {
    let a = applications::sign_code_of_ethics(&state.db, &caller, path.into_inner(), &body.0.text_version).await?;
    Ok(HttpResponse::Created().json(Attestation {
        id: a.id,
        kind: a.kind,
        text_version: a.text_version,
        signed_at: a.signed_at,
    }))
}

// ---- portfolio ----

pub fn item(kind: PortfolioKind, body: &[u8]) -> Result<PortfolioItem, AppError> {
    use validator::Validate;
    let item = match kind {
        PortfolioKind::Education => PortfolioItem::Education(parse_json(body)?),
        PortfolioKind::Work => PortfolioItem::Work(parse_json(body)?),
        PortfolioKind::Trainings => PortfolioItem::Training(parse_json(body)?),
        PortfolioKind::Rsc => PortfolioItem::Rsc(parse_json(body)?),
    };
    let result = match &item {
        PortfolioItem::Education(x) => x.validate(),
        PortfolioItem::Work(x) => x.validate(),
        PortfolioItem::Training(x) => x.validate(),
        PortfolioItem::Rsc(x) => x.validate(),
    };
    result.map_err(|e| AppError::Validation(crate::http::extract::flatten_validation(&e)))?;
    Ok(item)
}

pub async fn json_body(req: &actix_web::HttpRequest, payload: web::Payload) -> Result<web::Bytes, AppError> {
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !crate::http::extract::is_json_media_type(ct) {
        return Err(AppError::UnsupportedMediaType("The request body must be application/json.".into()));
    }
    crate::http::extract::read_body(payload.into_inner(), crate::http::extract::body_limit(req)).await
}

/// Adds a portfolio entry of a kind (`education`, `work`, `trainings`, `rsc`) while the application is a draft or deferred.
#[utoipa::path(
    tag = "portfolio",
    params(("id" = Uuid, Path, description = "Application id"), ("kind" = PortfolioKind, Path, description = "Entry kind")),
    request_body(content = PortfolioItem, description = "An education, work, training or RSC entry, matching the kind in the path"),
    responses(
        (status = 201, description = "Added", body = PortfolioEntry, headers(("ETag" = String, description = "Current version"))),
        (status = 404, description = "No such application of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`application_not_editable`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/portfolio/{kind}")]
pub async fn add_portfolio_entry(
    req: actix_web::HttpRequest,
    state: AppData,
    caller: Caller,
    path: web::Path<(Uuid, PortfolioKind)>,
    payload: web::Payload,
) -> Reply {
    let (id, kind) = path.into_inner();
    let body = json_body(&req, payload).await?;
    let e = portfolio::add(&state.db, &caller, id, kind, item(kind, &body)?).await?;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(e.version))).json(e))
}

/// The portfolio entries of a kind.
#[utoipa::path(
    tag = "portfolio",
    params(("id" = Uuid, Path, description = "Application id"), ("kind" = PortfolioKind, Path, description = "Entry kind"), PageParams),
    responses(
        (status = 200, description = "A page of entries, oldest first", body = Page<PortfolioEntry>),
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/applications/{id}/portfolio/{kind}")]
pub async fn list_portfolio_entries(
    state: AppData,
    caller: Caller,
    path: web::Path<(Uuid, PortfolioKind)>,
    query: ApiQuery<PageParams>,
) -> Reply {
    let (id, kind) = path.into_inner();
    let rows = portfolio::list(&state.db, &caller, id, kind).await?;
    Ok(HttpResponse::Ok().json(whole("portfolio", query.0.parts(), rows, |e| (e.created_at, e.id), |e| e)?))
}

/// One portfolio entry.
#[utoipa::path(
    tag = "portfolio",
    params(("id" = Uuid, Path, description = "Application id"), ("kind" = PortfolioKind, Path, description = "Entry kind"), ("entry" = Uuid, Path, description = "Entry id")),
    responses(
        (status = 200, description = "The entry", body = PortfolioEntry, headers(("ETag" = String, description = "Current version"))),
        (status = 404, description = "No such entry you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/applications/{id}/portfolio/{kind}/{entry}")]
pub async fn get_portfolio_entry(
    state: AppData,
    caller: Caller,
    path: web::Path<(Uuid, PortfolioKind, Uuid)>,
) -> Reply {
    let (id, kind, entry) = path.into_inner();
    let e = portfolio::get(&state.db, &caller, id, kind, entry).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(e.version))).json(e))
}

/// Replaces a portfolio entry. Needs `If-Match`.
#[utoipa::path(
    tag = "portfolio",
    params(("id" = Uuid, Path, description = "Application id"), ("kind" = PortfolioKind, Path, description = "Entry kind"), ("entry" = Uuid, Path, description = "Entry id")),
    request_body(content = PortfolioItem, description = "The whole entry, matching the kind in the path"),
    responses(
        (status = 200, description = "Replaced", body = PortfolioEntry, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such entry of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`application_not_editable`", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/applications/{id}/portfolio/{kind}/{entry}")]
pub async fn replace_portfolio_entry(
    req: actix_web::HttpRequest,
    state: AppData,
    caller: Caller,
    path: web::Path<(Uuid, PortfolioKind, Uuid)>,
    precondition: Precondition,
    payload: web::Payload,
) -> Reply {
    let (id, kind, entry) = path.into_inner();
    let body = json_body(&req, payload).await?;
    let e = portfolio::replace(&state.db, &caller, id, kind, entry, &precondition, item(kind, &body)?).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(e.version))).json(e))
}

/// Removes a portfolio entry. Needs `If-Match`.
#[utoipa::path(
    tag = "portfolio",
    params(("id" = Uuid, Path, description = "Application id"), ("kind" = PortfolioKind, Path, description = "Entry kind"), ("entry" = Uuid, Path, description = "Entry id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such entry of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`application_not_editable`", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/applications/{id}/portfolio/{kind}/{entry}")]
pub async fn remove_portfolio_entry(
    state: AppData,
    caller: Caller,
    path: web::Path<(Uuid, PortfolioKind, Uuid)>,
    precondition: Precondition,
) -> Reply {
    let (id, kind, entry) = path.into_inner();
    portfolio::remove(&state.db, &caller, id, kind, entry, &precondition).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Marks an entry verified, e.g. the transcript was seen (coordinators).
#[utoipa::path(
    tag = "portfolio",
    params(("id" = Uuid, Path, description = "Application id"), ("kind" = PortfolioKind, Path, description = "Entry kind"), ("entry" = Uuid, Path, description = "Entry id")),
    responses(
        (status = 200, description = "Verified", body = PortfolioEntry),
        crate::http::responses::NotCoordinator,
        (status = 404, description = "No such entry you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/portfolio/{kind}/{entry}/verification")]
pub async fn verify_portfolio_entry(
    state: AppData,
    caller: Caller,
    path: web::Path<(Uuid, PortfolioKind, Uuid)>,
) -> Reply {
    let (id, kind, entry) = path.into_inner();
    Ok(HttpResponse::Ok().json(portfolio::verify(&state.db, &caller, id, kind, entry).await?))
}

// ---- references ----

/// Names a reference rater; they are emailed a single-use link.
#[utoipa::path(
    tag = "references",
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = NewReference,
    responses(
        (status = 201, description = "Invited", body = ReferenceStatus),
        (status = 404, description = "No such application of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`application_not_editable`, `too_many_references`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/references")]
pub async fn invite_reference(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<NewReference>,
) -> Reply {
    Ok(HttpResponse::Created().json(references::invite(&state, &caller, path.into_inner(), body.0).await?))
}

/// The application's references: their status for the applicant; with ratings for coordinators.
#[utoipa::path(
    tag = "references",
    params(("id" = Uuid, Path, description = "Application id"), PageParams),
    responses(
        (status = 200, description = "A page of statuses (applicant) or contents (staff), in the order invited", body = Page<ReferenceContent>),
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/applications/{id}/references")]
pub async fn list_references(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    query: ApiQuery<PageParams>,
) -> Reply {
    let rows = references::list(&state.db, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(whole(
        "references",
        query.0.parts(),
        rows,
        |r| (r.status.invited_at, r.status.id),
        |r| r,
    )?))
}

/// Sends a rater a new link (the old one stops working).
#[utoipa::path(
    tag = "references",
    params(("id" = Uuid, Path, description = "Application id"), ("reference" = Uuid, Path, description = "Reference id")),
    responses(
        (status = 200, description = "Sent again", body = ReferenceStatus),
        (status = 404, description = "No such reference of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`reference_answered`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/references/{reference}/resend")]
pub async fn resend_reference(state: AppData, caller: Caller, path: web::Path<(Uuid, Uuid)>) -> Reply {
    let (id, reference) = path.into_inner();
    Ok(HttpResponse::Ok().json(references::resend(&state, &caller, id, reference).await?))
}

/// For the rater (no account): opens the request behind a link's code.
#[utoipa::path(
    tag = "references",
    security(()),
    request_body = TokenOnly,
    responses(
        (status = 200, description = "Who asked, for what", body = ReferenceRequest),
        (status = 404, description = "The link is unknown, used or expired", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/reference-requests/open")]
pub async fn open_reference_request(state: AppData, body: ApiJson<TokenOnly>) -> Reply {
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(references::open(&state.db, &body.0.token).await?))
}

/// For the rater: submits ratings per competency domain. The link then stops working.
#[utoipa::path(
    tag = "references",
    security(()),
    request_body = ReferenceSubmission,
    responses(
        (status = 204, description = "Thank you"),
        (status = 404, description = "The link is unknown, used or expired", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/reference-requests/rating")]
pub async fn submit_reference(state: AppData, body: ApiJson<ReferenceSubmission>) -> Reply {
    let input = body.0;
    let token = input.token.clone();
    references::submit(&state.db, &token, input).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// For the rater: declines to give a reference. The link then stops working.
#[utoipa::path(
    tag = "references",
    security(()),
    request_body = ReferenceDecline,
    responses(
        (status = 204, description = "Declined"),
        (status = 404, description = "The link is unknown, used or expired", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/reference-requests/decline")]
pub async fn decline_reference(state: AppData, body: ApiJson<ReferenceDecline>) -> Reply {
    let input = body.0;
    references::decline(&state.db, &input.token, input.reason).await?;
    Ok(HttpResponse::NoContent().finish())
}
