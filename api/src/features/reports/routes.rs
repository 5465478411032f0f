//! Dashboard reports (coordinators, or machine clients with `reports:read`).
use actix_web::{HttpResponse, get, web};

use crate::{
    auth::Caller, error::AppError, error::Problem, features::partners::exports,
    features::reports::dto::ApplicationReport, features::reports::dto::EndorsementReport,
    features::reports::dto::RenewalReport, features::reports::dto::RenewalReportQuery,
    features::reports::dto::ScholarshipReport, features::reports::service as reports, http::extract::ApiQuery,
    state::AppState,
};

/// Endorsements by category and status.
#[utoipa::path(
    tag = "reports",
    params(crate::http::responses::AffiliatePath),
    responses(
        (status = 200, description = "Counts", body = EndorsementReport),
        (status = 403, description = "Not a coordinator of the affiliate, or no `reports:read`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/reports/endorsements")]
pub async fn endorsements(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(reports::endorsements(&state.db, &caller, &path.into_inner()).await?))
}

/// Applications per deadline and state.
#[utoipa::path(
    tag = "reports",
    params(crate::http::responses::AffiliatePath),
    responses(
        (status = 200, description = "Counts", body = ApplicationReport),
        (status = 403, description = "Not a coordinator of the affiliate, or no `reports:read`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/reports/applications")]
pub async fn applications(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(reports::applications(&state.db, &caller, &path.into_inner()).await?))
}

/// Renewal completion for a year, in people.
#[utoipa::path(
    tag = "reports",
    params(crate::http::responses::AffiliatePath, RenewalReportQuery),
    responses(
        (status = 200, description = "Counts", body = RenewalReport),
        (status = 403, description = "Not a coordinator of the affiliate, or no `reports:read`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/reports/renewals")]
pub async fn renewals(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: ApiQuery<RenewalReportQuery>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(reports::renewals(&state.db, &caller, &path.into_inner(), query.0.year).await?))
}

/// Scholarship budget used, per fund.
#[utoipa::path(
    tag = "reports",
    params(crate::http::responses::AffiliatePath),
    responses(
        (status = 200, description = "Per fund", body = ScholarshipReport),
        (status = 403, description = "Not a coordinator of the affiliate, or no `reports:read`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/reports/scholarships")]
pub async fn scholarships(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(reports::scholarships(&state.db, &caller, &path.into_inner()).await?))
}

fn csv_response(name: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .body(body)
}

/// The endorsee roster as CSV: every endorsement with its holder (coordinators, or clients with `people:read`).
#[utoipa::path(
    tag = "reports",
    params(crate::http::responses::AffiliatePath),
    responses(
        (status = 200, description = "number, category, status, issued_on, expires_on, given_name, family_name, email", body = String, content_type = "text/csv"),
        (status = 403, description = "Not a coordinator of the affiliate, or no `people:read`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/exports/endorsees.csv")]
pub async fn roster_csv(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(csv_response("endorsees.csv", exports::roster(&state.db, &caller, &path.into_inner()).await?))
}

/// A year's renewal status as CSV, one row per person due (coordinators, or clients with `renewals:read`).
#[utoipa::path(
    tag = "reports",
    params(crate::http::responses::AffiliatePath, RenewalReportQuery),
    responses(
        (status = 200, description = "person_id, name, email, status, renewal_id, endorsements", body = String, content_type = "text/csv"),
        (status = 403, description = "Not a coordinator of the affiliate, or no `renewals:read`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/exports/renewals.csv")]
pub async fn renewals_csv(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: ApiQuery<RenewalReportQuery>,
) -> Result<HttpResponse, AppError> {
    let body = exports::renewal_status(&state.db, &caller, &path.into_inner(), query.0.year).await?;
    Ok(csv_response(&format!("renewals-{}.csv", query.0.year), body))
}
