use actix_web::{HttpResponse, get, post, web};

use crate::{
    auth::Caller,
    dto::applications::{NewScheduleEvent, ScheduleEvent, ScheduleQuery},
    error::{AppError, Problem},
    http::extract::{ApiJson, ApiQuery},
    services::schedule,
    state::AppState,
};

/// The affiliate's schedule: deadlines (with the categories they accept), exam weeks,
/// informational sessions and renewal periods (public).
#[utoipa::path(
    tag = "schedule",
    security(()),
    params(("affiliate" = String, Path, description = "Affiliate code or id"), ScheduleQuery),
    responses(
        (status = 200, description = "Events by date", body = Vec<ScheduleEvent>),
        (status = 404, description = "No such affiliate", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/affiliates/{affiliate}/schedule")]
pub async fn list(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: ApiQuery<ScheduleQuery>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(schedule::list(&state.db, &path.into_inner(), &query.0).await?))
}

/// Publishes a schedule event (coordinators).
#[utoipa::path(
    tag = "schedule",
    security(("bearer" = [])),
    params(("affiliate" = String, Path, description = "Affiliate code or id")),
    request_body = NewScheduleEvent,
    responses(
        (status = 201, description = "Published", body = ScheduleEvent),
        (status = 403, description = "Not a coordinator of the affiliate", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such affiliate", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/affiliates/{affiliate}/schedule")]
pub async fn publish(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<NewScheduleEvent>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Created().json(schedule::publish(&state.db, &caller, &path.into_inner(), body.0).await?))
}
