use actix_web::{HttpResponse, get, http::header, patch, post, web};
use uuid::Uuid;

use crate::{
    auth::{Caller, MaybeCaller},
    dto::{
        applications::Application,
        endorsements::{
            AdvisoryFeedback, Decision, Endorsement, ExamRegistration, ExamResult, ExamSignup, ListingChange,
            NewSitting, RegistryQuery, Review, ReviewInput, ReviewerAssignment, SignedCredential, Sitting,
            Verification, VerifyQuery,
        },
    },
    error::{AppError, Problem},
    http::{
        etag::{Precondition, etag},
        extract::{ApiJson, ApiQuery},
        pagination::{Page, PageParams, PageRequest},
    },
    services::{endorsements, exams, reviews},
    state::AppState,
};

/// Assigns a reviewer (coordinators): endorsed at the category's level or higher in its
/// family, not the applicant, not one of its raters. Starts the review; with `advisory`,
/// an optional review of a draft before submission instead.
#[utoipa::path(
    tag = "review",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = ReviewerAssignment,
    responses(
        (status = 201, description = "Assigned", body = Review),
        (status = 403, description = "Not a coordinator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`, `already_assigned`, `reviewers_full`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/reviews")]
pub async fn assign(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<ReviewerAssignment>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Created().json(Review::from(
        reviews::assign(&state.db, &caller, path.into_inner(), body.0.reviewer_id, body.0.advisory).await?,
    )))
}

/// The application's reviews (coordinators and its reviewers).
#[utoipa::path(
    tag = "review",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "Reviews", body = Vec<Review>),
        (status = 403, description = "Applicants see decisions, not reviews", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/applications/{id}/reviews")]
pub async fn list(state: web::Data<AppState>, caller: Caller, path: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let rows = reviews::of_application(&state.db, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(Review::from).collect::<Vec<_>>()))
}

/// Advisory feedback on the application (its applicant, or staff); reviewers are not named.
#[utoipa::path(
    tag = "review",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "Advisory feedback", body = Vec<AdvisoryFeedback>),
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/applications/{id}/advisory-feedback")]
pub async fn advisory(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let rows = reviews::advisory_feedback(&state.db, &caller, path.into_inner()).await?;
    let data: Vec<AdvisoryFeedback> = rows
        .into_iter()
        .map(|r| AdvisoryFeedback {
            recommendation: r.recommendation,
            reasons: r.reasons,
            comments: r.comments,
            submitted_at: r.submitted_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(data))
}

/// The reviews assigned to the signed-in reviewer.
#[utoipa::path(tag = "review", security(("bearer" = [])), params(PageParams), responses((status = 200, description = "A page of assigned reviews, oldest first", body = Page<Review>), (status = 403, description = "Machine clients", body = Problem, content_type = "application/problem+json")))]
#[get("/me/reviews")]
pub async fn mine(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<PageParams>,
) -> Result<HttpResponse, AppError> {
    const LIST: &str = "my-reviews";
    let page = PageRequest::parse(LIST, query.0.limit, query.0.cursor.as_deref())?;
    let rows = reviews::mine(&state.db, &caller, &page).await?;
    let (rows, next_cursor) = page.finish(LIST, rows, |r| r.id)?;
    Ok(HttpResponse::Ok().json(Page { data: rows.into_iter().map(Review::from).collect::<Vec<_>>(), next_cursor }))
}

/// An assigned reviewer's recommendation (approve, defer with reasons, on hold).
#[utoipa::path(
    tag = "review",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = ReviewInput,
    responses(
        (status = 200, description = "Recorded", body = Review),
        (status = 404, description = "Not an application you review", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/reviews/mine")]
pub async fn recommend(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<ReviewInput>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(Review::from(reviews::recommend(&state.db, &caller, path.into_inner(), body.0).await?)))
}

/// The coordinator's decision: approve (endorse, or approve for the exam), emerging (IFRS),
/// defer (reasons go to the applicant), hold, resume, decline.
#[utoipa::path(
    tag = "review",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = Decision,
    responses(
        (status = 200, description = "Decided", body = Application),
        (status = 403, description = "Not a coordinator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`, `reviews_incomplete`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<Decision>,
) -> Result<HttpResponse, AppError> {
    let app = reviews::decide(&state, &caller, path.into_inner(), body.0).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(app.version))).json(Application::from(app)))
}

/// Exam sittings of the affiliate, with seats left (public).
#[utoipa::path(
    tag = "exam",
    security(()),
    params(("affiliate" = String, Path, description = "Affiliate code or id"), PageParams),
    responses((status = 200, description = "A page of sittings, by date", body = Page<Sitting>), (status = 404, description = "No such affiliate", body = Problem, content_type = "application/problem+json"))
)]
#[get("/affiliates/{affiliate}/exam-sittings")]
pub async fn sittings(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: ApiQuery<PageParams>,
) -> Result<HttpResponse, AppError> {
    const LIST: &str = "exam-sittings";
    let page = PageRequest::parse(LIST, query.0.limit, query.0.cursor.as_deref())?;
    let rows = exams::sittings(&state.db, &path.into_inner(), &page).await?;
    let (data, next_cursor) = page.finish(LIST, rows, |s| (s.sitting_on, s.id))?;
    Ok(HttpResponse::Ok().json(Page { data, next_cursor }))
}

/// Schedules a sitting within a published exam week (coordinators).
#[utoipa::path(
    tag = "exam",
    security(("bearer" = [])),
    params(("affiliate" = String, Path, description = "Affiliate code or id")),
    request_body = NewSitting,
    responses(
        (status = 201, description = "Scheduled", body = Sitting),
        (status = 403, description = "Not a coordinator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such affiliate", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/affiliates/{affiliate}/exam-sittings")]
pub async fn create_sitting(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<NewSitting>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Created().json(exams::create_sitting(&state.db, &caller, &path.into_inner(), body.0).await?))
}

/// Registers for a sitting (applications approved for the exam): an exam-fee invoice.
#[utoipa::path(
    tag = "exam",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = ExamSignup,
    responses(
        (status = 201, description = "Registered", body = ExamRegistration),
        (status = 404, description = "No such application of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`, `already_registered`, `sitting_full`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/exam-registrations")]
pub async fn register(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<ExamSignup>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Created()
        .json(ExamRegistration::from(exams::register(&state, &caller, path.into_inner(), body.0.sitting_id).await?)))
}

/// Records both parts of an exam (coordinators). A pass endorses the application.
#[utoipa::path(
    tag = "exam",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Exam registration id")),
    request_body = ExamResult,
    responses(
        (status = 200, description = "Recorded", body = ExamRegistration),
        (status = 404, description = "No such registration you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`result_recorded`, `exam_fee_unpaid`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/exam-registrations/{id}/result")]
pub async fn result(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<ExamResult>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(ExamRegistration::from(exams::record(&state, &caller, path.into_inner(), body.0).await?)))
}

/// One's own endorsements.
#[utoipa::path(tag = "endorsements", security(("bearer" = [])), responses((status = 200, description = "Endorsements", body = Vec<Endorsement>), (status = 403, description = "Machine clients", body = Problem, content_type = "application/problem+json")))]
#[get("/me/endorsements")]
pub async fn my_endorsements(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(endorsements::mine(&state.db, &caller).await?.into_iter().map(Endorsement::from).collect::<Vec<_>>()))
}

/// Opts in or out of the public directory (verification by number stays). Needs `If-Match`.
#[utoipa::path(
    tag = "endorsements",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Endorsement id")),
    request_body = ListingChange,
    responses(
        (status = 200, description = "Changed", body = Endorsement, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such endorsement of yours", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/me/endorsements/{id}")]
pub async fn set_listing(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    precondition: Precondition,
    body: ApiJson<ListingChange>,
) -> Result<HttpResponse, AppError> {
    let e = endorsements::set_listed(&state.db, &caller, path.into_inner(), body.0.listed, &precondition).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(e.version))).json(Endorsement::from(e)))
}

/// Verifies an endorsement by number (public): category, status, valid through, and the
/// holder's name when they are listed in the directory. For an unlisted endorsement the
/// name is never shown: give `name` to learn whether it is the holder's (`name_matches`).
#[utoipa::path(
    tag = "endorsements",
    security(()),
    params(("number" = String, Path, description = "Endorsement number, e.g. WA-IMHS-000042"), VerifyQuery),
    responses((status = 200, description = "The endorsement", body = Verification), (status = 404, description = "No such endorsement", body = Problem, content_type = "application/problem+json"))
)]
#[get("/registry/{number}")]
pub async fn verify(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: ApiQuery<VerifyQuery>,
) -> Result<HttpResponse, AppError> {
    let (e, p) = endorsements::by_number(&state.db, &path.into_inner()).await?;
    let name = query.0.name;
    let mut answer = verification(e, p.clone());
    answer.name_matches = name.as_deref().map(|n| crate::domain::people::same_name(n, &p.given_name, &p.family_name));
    Ok(HttpResponse::Ok().json(answer))
}

/// The endorsement as a signed, verifiable credential (public for listed endorsements;
/// for an unlisted one, only its holder and the affiliate's staff, with a token). Check it
/// with the JWKS.
#[utoipa::path(
    tag = "endorsements",
    security((), ("bearer" = [])),
    params(("number" = String, Path, description = "Endorsement number")),
    responses((status = 200, description = "A vc+jwt", body = SignedCredential), (status = 404, description = "No such endorsement", body = Problem, content_type = "application/problem+json"))
)]
#[get("/registry/{number}/credential")]
pub async fn credential(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let credential = endorsements::credential(&state, caller.0.as_ref(), &path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(SignedCredential { credential }))
}

/// Searches the public registry of active, listed endorsements by name and category.
#[utoipa::path(
    tag = "endorsements",
    security(()),
    params(RegistryQuery),
    responses((status = 200, description = "A page of listed endorsements", body = Page<Verification>), (status = 404, description = "Unknown affiliate or category", body = Problem, content_type = "application/problem+json"))
)]
#[get("/registry")]
pub async fn registry(state: web::Data<AppState>, query: ApiQuery<RegistryQuery>) -> Result<HttpResponse, AppError> {
    let q = query.0;
    let page = PageRequest::<Uuid>::parse("registry", q.limit, q.cursor.as_deref())?;
    let rows =
        endorsements::registry(&state.db, q.affiliate.as_deref(), q.name.as_deref(), q.category.as_deref(), &page)
            .await?;
    let (rows, next_cursor) = page.finish("registry", rows, |(e, _)| e.id)?;
    let data: Vec<Verification> = rows.into_iter().map(|(e, p)| verification(e, p)).collect();
    Ok(HttpResponse::Ok().json(Page { data, next_cursor }))
}

/// What anyone may know of an endorsement and its holder.
fn verification(e: entity::endorsement::Model, p: entity::person::Model) -> Verification {
    Verification {
        number: e.number,
        holder_name: e.listed.then(|| format!("{} {}", p.given_name, p.family_name)),
        listed: e.listed,
        name_matches: None,
        category: e.category_code,
        status: e.status,
        emerging: e.emerging,
        valid_through: e.expires_on,
    }
}
