use actix_web::{HttpResponse, get, post, web};

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::Problem, features::affiliates::dto::schedule::NewScheduleEvent,
    features::affiliates::dto::schedule::ScheduleEvent, features::affiliates::dto::schedule::ScheduleQuery,
    features::affiliates::schedule, http::extract::ApiJson, http::extract::ApiQuery, http::pagination::Page,
    http::pagination::PageRequest,
};

/// The affiliate's schedule: deadlines (with the categories they accept), exam weeks,
/// informational sessions and renewal periods (public).
#[utoipa::path(
    tag = "schedule",
    security(()),
    params(crate::http::responses::AffiliatePath, ScheduleQuery),
    responses(
        (status = 200, description = "A page of events, by date", body = Page<ScheduleEvent>),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/schedule")]
pub async fn list_schedule_events(state: AppData, path: web::Path<String>, query: ApiQuery<ScheduleQuery>) -> Reply {
    const LIST: &str = "schedule";
    let page = PageRequest::parse(LIST, query.0.limit, query.0.cursor.as_deref())?;
    let rows = schedule::list(&state.db, &path.into_inner(), &query.0, &page).await?;
    let (data, next_cursor) = page.finish(LIST, rows, |e| (e.starts_on, e.id))?;
    Ok(HttpResponse::Ok().json(Page { data, next_cursor }))
}

/// Publishes a schedule event (coordinators).
#[utoipa::path(
    tag = "schedule",
    params(crate::http::responses::AffiliatePath),
    request_body = NewScheduleEvent,
    responses(
        (status = 201, description = "Published", body = ScheduleEvent),
        (status = 403, description = "Not a coordinator of the affiliate", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[post("/affiliates/{affiliate}/schedule")]
pub async fn publish_schedule_event(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<NewScheduleEvent>,
) -> Reply {
    Ok(HttpResponse::Created().json(schedule::publish(&state.db, &caller, &path.into_inner(), body.0).await?))
}
