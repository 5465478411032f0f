use actix_web::{HttpResponse, get, web};

use crate::state::AppState;

/// This API's OpenAPI document.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json"))
)]
#[get("/openapi.json")]
pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(state.openapi_json.as_str().to_owned())
}

/// Interactive API documentation.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "An HTML page", body = String, content_type = "text/html"))
)]
#[get("/docs")]
pub async fn docs(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(state.docs_html.as_str().to_owned())
}
