use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::Problem, features::scholarships::dto::Fund, features::scholarships::dto::NewFund,
    features::scholarships::dto::NewScholarshipRequest, features::scholarships::dto::ScholarshipDecision,
    features::scholarships::dto::ScholarshipListQuery, features::scholarships::dto::ScholarshipRequest,
    features::scholarships::service as scholarships, http::extract::ApiJson, http::extract::ApiQuery,
    http::pagination::Page, http::pagination::PageParams, http::pagination::PageRequest, state::AppState,
};

/// The affiliate's scholarship funds, with what remains of each budget (public).
#[utoipa::path(
    tag = "scholarships",
    security(()),
    params(crate::http::responses::AffiliatePath, PageParams),
    responses((status = 200, description = "A page of funds, by opening day", body = Page<Fund>), crate::http::responses::NoSuchAffiliate)
)]
#[get("/affiliates/{affiliate}/scholarship-funds")]
pub async fn list_scholarship_funds(state: AppData, path: web::Path<String>, query: ApiQuery<PageParams>) -> Reply {
    const LIST: &str = "scholarship-funds";
    let page = PageRequest::parse(LIST, query.0.limit, query.0.cursor.as_deref())?;
    let rows = scholarships::funds(&state.db, &path.into_inner(), &page).await?;
    let (rows, next_cursor) = page.finish(LIST, rows, |f| (f.starts_on, f.id))?;
    Ok(HttpResponse::Ok().json(Page { data: rows.into_iter().map(Fund::from).collect::<Vec<_>>(), next_cursor }))
}

/// Creates a fund (coordinators).
#[utoipa::path(
    tag = "scholarships",
    params(crate::http::responses::AffiliatePath),
    request_body = NewFund,
    responses(
        (status = 201, description = "Created", body = Fund),
        crate::http::responses::NotCoordinator,
        crate::http::responses::NoSuchAffiliate
    )
)]
#[post("/affiliates/{affiliate}/scholarship-funds")]
pub async fn create_scholarship_fund(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<NewFund>,
) -> Reply {
    Ok(HttpResponse::Created()
        .json(Fund::from(scholarships::create_fund(&state.db, &caller, &path.into_inner(), body.0).await?)))
}

/// Requests a scholarship (coordinators may request for a person who cannot sign in yet).
#[utoipa::path(
    tag = "scholarships",
    request_body = NewScholarshipRequest,
    responses(
        (status = 201, description = "Requested", body = ScholarshipRequest),
        (status = 403, description = "Machine clients", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person you may act for", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/scholarship-requests")]
pub async fn request_scholarship(state: AppData, caller: Caller, body: ApiJson<NewScholarshipRequest>) -> Reply {
    let (m, currency) = scholarships::request(&state.db, &caller, body.0).await?;
    Ok(HttpResponse::Created().json(ScholarshipRequest::build(m, &currency)))
}

/// One's own scholarship requests.
#[utoipa::path(
    tag = "scholarships",
    params(ScholarshipListQuery),
    responses((status = 200, description = "A page of one's requests, oldest first", body = Page<ScholarshipRequest>), (status = 403, description = "Machine clients", body = Problem, content_type = "application/problem+json"))
)]
#[get("/me/scholarship-requests")]
pub async fn list_my_scholarship_requests(
    state: AppData,
    caller: Caller,
    query: ApiQuery<ScholarshipListQuery>,
) -> Reply {
    requests_page(&state, &caller, true, query.0, "my-scholarship-requests").await
}

/// The affiliate's scholarship requests (coordinators).
#[utoipa::path(
    tag = "scholarships",
    params(ScholarshipListQuery),
    responses((status = 200, description = "A page of the affiliate's requests, oldest first", body = Page<ScholarshipRequest>), crate::http::responses::NotCoordinator)
)]
#[get("/scholarship-requests")]
pub async fn list_scholarship_requests(state: AppData, caller: Caller, query: ApiQuery<ScholarshipListQuery>) -> Reply {
    requests_page(&state, &caller, false, query.0, "scholarship-requests").await
}

async fn requests_page(
    state: &AppState,
    caller: &Caller,
    own: bool,
    query: ScholarshipListQuery,
    list_name: &str,
) -> Reply {
    let page = PageRequest::parse(list_name, query.limit, query.cursor.as_deref())?;
    let rows = scholarships::list(&state.db, caller, own, query.status, &page).await?;
    let (rows, next_cursor) = page.finish(list_name, rows, |(m, _)| m.id)?;
    let data = rows.into_iter().map(|(m, c)| ScholarshipRequest::build(m, &c)).collect::<Vec<_>>();
    Ok(HttpResponse::Ok().json(Page { data, next_cursor }))
}

/// Approves (fully or in part), denies or waitlists a request (coordinators). An award is
/// credited to the invoice it is for, or to the next matching one.
#[utoipa::path(
    tag = "scholarships",
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = ScholarshipDecision,
    responses(
        (status = 200, description = "Decided", body = ScholarshipRequest),
        (status = 404, description = "No such request you may decide", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_state`, `budget_exceeded`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/scholarship-requests/{id}/decision")]
pub async fn decide_scholarship_request(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<ScholarshipDecision>,
) -> Reply {
    let (m, currency) = scholarships::decide(&state, &caller, path.into_inner(), body.0).await?;
    Ok(HttpResponse::Ok().json(ScholarshipRequest::build(m, &currency)))
}
