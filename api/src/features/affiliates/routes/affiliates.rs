use actix_web::{HttpRequest, HttpResponse, get, http::header, patch, post, web};

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::Problem, features::affiliates::dto::affiliates::Affiliate,
    features::affiliates::dto::affiliates::AffiliateListQuery, features::affiliates::dto::affiliates::AffiliatePatch,
    features::affiliates::dto::affiliates::NewAffiliate, features::affiliates::service as affiliates,
    http::etag::Precondition, http::etag::etag, http::etag::not_modified, http::extract::ApiJson,
    http::extract::ApiQuery, http::pagination::Page, http::pagination::PageRequest,
};

const LIST: &str = "affiliates";

/// Lists affiliates, by code.
#[utoipa::path(
    tag = "affiliates",
    security(()),
    params(AffiliateListQuery),
    responses(
        (status = 200, description = "A page of affiliates", body = Page<Affiliate>),
        (status = 400, description = "Bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/affiliates")]
pub async fn list_affiliates(state: AppData, query: ApiQuery<AffiliateListQuery>) -> Reply {
    let q = query.0;
    let page = PageRequest::<String>::parse(LIST, q.limit, q.cursor.as_deref())?;
    let rows = affiliates::list(&state.db, &page).await?;
    let (rows, next_cursor) = page.finish(LIST, rows, |a| a.code.clone())?;
    Ok(HttpResponse::Ok().json(Page { data: rows.into_iter().map(Affiliate::from).collect::<Vec<_>>(), next_cursor }))
}

/// One affiliate, by code or id. Sends an `ETag`; answers 304 to a matching `If-None-Match`.
#[utoipa::path(
    tag = "affiliates",
    security(()),
    params(("affiliate" = String, Path, description = "Affiliate code (e.g. `wa`) or id")),
    responses(
        (status = 200, description = "The affiliate", body = Affiliate, headers(("ETag" = String, description = "Current version"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}")]
pub async fn get_affiliate(req: HttpRequest, state: AppData, path: web::Path<String>) -> Reply {
    let model = crate::platform::tenancy::find(&state.db, &path.into_inner()).await?;
    if let Some(res) = not_modified(&req, model.version) {
        return Ok(res);
    }
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(model.version))).json(Affiliate::from(model)))
}

/// Creates an affiliate (admins).
#[utoipa::path(
    tag = "affiliates",
    request_body = NewAffiliate,
    responses(
        (status = 201, description = "Created", body = Affiliate,
            headers(("ETag" = String, description = "Current version"), ("Location" = String, description = "URL of the new affiliate"))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`affiliate_code_taken`, or a request with the same Idempotency-Key is in progress", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/affiliates")]
pub async fn create_affiliate(state: AppData, caller: Caller, body: ApiJson<NewAffiliate>) -> Reply {
    let model = affiliates::create(&state.db, &caller, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/affiliates/{}", model.code)))
        .insert_header((header::ETAG, etag(model.version)))
        .json(Affiliate::from(model)))
}

/// Changes an affiliate's settings (admins, or the affiliate's coordinators). Needs `If-Match`.
#[utoipa::path(
    tag = "affiliates",
    params(("affiliate" = String, Path, description = "Affiliate code (e.g. `wa`) or id")),
    request_body = AffiliatePatch,
    responses(
        (status = 200, description = "Updated", body = Affiliate, headers(("ETag" = String, description = "New version"))),
        (status = 403, description = "Neither an admin nor a coordinator of this affiliate", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[patch("/affiliates/{affiliate}")]
pub async fn update_affiliate(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    precondition: Precondition,
    body: ApiJson<AffiliatePatch>,
) -> Reply {
    let model = affiliates::update(&state.db, &caller, &path.into_inner(), &precondition, body.0).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(model.version))).json(Affiliate::from(model)))
}
