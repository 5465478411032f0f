use actix_web::{HttpResponse, get, http::header, post, web};
use uuid::Uuid;

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::Problem, features::applications::dto::Application,
    features::applications::dto::review::AdvisoryFeedback, features::applications::dto::review::Decision,
    features::applications::dto::review::Review, features::applications::dto::review::ReviewInput,
    features::applications::dto::review::ReviewerAssignment, features::applications::reviews, http::etag::etag,
    http::extract::ApiJson, http::extract::ApiQuery, http::pagination::Page, http::pagination::PageParams,
    http::pagination::PageRequest, http::pagination::whole,
};

/// Assigns a reviewer (coordinators): endorsed at the category's level or higher in its
/// family, not the applicant, not one of its raters. Starts the review; with `advisory`,
/// an optional review of a draft before submission instead.
#[utoipa::path(
    tag = "review",
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = ReviewerAssignment,
    responses(
        (status = 201, description = "Assigned", body = Review),
        crate::http::responses::NotCoordinator,
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`, `already_assigned`, `reviewers_full`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/reviews")]
pub async fn assign_reviewer(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<ReviewerAssignment>,
) -> Reply {
    Ok(HttpResponse::Created().json(Review::from(
        reviews::assign(&state.db, &state.links, &caller, path.into_inner(), body.0.reviewer_id, body.0.advisory)
            .await?,
    )))
}

/// The application's reviews (coordinators and its reviewers).
#[utoipa::path(
    tag = "review",
    params(("id" = Uuid, Path, description = "Application id"), PageParams),
    responses(
        (status = 200, description = "A page of reviews, in the order assigned", body = Page<Review>),
        (status = 403, description = "Applicants see decisions, not reviews", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/applications/{id}/reviews")]
pub async fn list_reviews(state: AppData, caller: Caller, path: web::Path<Uuid>, query: ApiQuery<PageParams>) -> Reply {
    let rows = reviews::of_application(&state.db, &caller, path.into_inner()).await?;
    let key = |r: &entity::review::Model| (r.assigned_at, r.id);
    Ok(HttpResponse::Ok().json(whole("reviews", query.0.parts(), rows, key, Review::from)?))
}

/// Advisory feedback on the application (its applicant, or staff); reviewers are not named.
#[utoipa::path(
    tag = "review",
    params(("id" = Uuid, Path, description = "Application id"), PageParams),
    responses(
        (status = 200, description = "A page of advisory feedback, in the order assigned", body = Page<AdvisoryFeedback>),
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/applications/{id}/advisory-feedback")]
pub async fn list_advisory_feedback(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    query: ApiQuery<PageParams>,
) -> Reply {
    let rows = reviews::advisory_feedback(&state.db, &caller, path.into_inner()).await?;
    let key = |r: &entity::review::Model| (r.assigned_at, r.id);
    let show = |r: entity::review::Model| AdvisoryFeedback {
        recommendation: r.recommendation,
        reasons: r.reasons,
        comments: r.comments,
        submitted_at: r.submitted_at,
    };
    Ok(HttpResponse::Ok().json(whole("advisory-feedback", query.0.parts(), rows, key, show)?))
}

/// The reviews assigned to the signed-in reviewer.
#[utoipa::path(tag = "review", params(PageParams), responses((status = 200, description = "A page of assigned reviews, oldest first", body = Page<Review>), (status = 403, description = "Machine clients", body = Problem, content_type = "application/problem+json")))]
#[get("/me/reviews")]
pub async fn list_my_reviews(state: AppData, caller: Caller, query: ApiQuery<PageParams>) -> Reply {
    const LIST: &str = "my-reviews";
    let page = PageRequest::parse(LIST, query.0.limit, query.0.cursor.as_deref())?;
    let rows = reviews::mine(&state.db, &caller, &page).await?;
    let (rows, next_cursor) = page.finish(LIST, rows, |r| r.id)?;
    Ok(HttpResponse::Ok().json(Page { data: rows.into_iter().map(Review::from).collect::<Vec<_>>(), next_cursor }))
}

/// An assigned reviewer's recommendation (approve, defer with reasons, on hold).
#[utoipa::path(
    tag = "review",
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = ReviewInput,
    responses(
        (status = 200, description = "Recorded", body = Review),
        (status = 404, description = "Not an application you review", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/reviews/mine")]
pub async fn submit_recommendation(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<ReviewInput>,
) -> Reply {
    Ok(HttpResponse::Ok().json(Review::from(reviews::recommend(&state.db, &caller, path.into_inner(), body.0).await?)))
}

/// The coordinator's decision: approve (endorse, or approve for the exam), emerging (IFRS),
/// defer (reasons go to the applicant), hold, resume, decline.
#[utoipa::path(
    tag = "review",
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = Decision,
    responses(
        (status = 200, description = "Decided", body = Application),
        crate::http::responses::NotCoordinator,
        (status = 404, description = "No such application you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`, `reviews_incomplete`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/applications/{id}/decision")]
pub async fn decide_application(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<Decision>,
) -> Reply {
    let app = reviews::decide(&state, &caller, path.into_inner(), body.0).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(app.version))).json(Application::from(app)))
}
