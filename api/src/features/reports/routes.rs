//! Dashboard reports (coordinators, or machine clients with `reports:read`).
use actix_web::{HttpResponse, get, web};

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::Problem, features::partners::exports, features::reports::dto::ApplicationReport,
    features::reports::dto::EndorsementReport, features::reports::dto::RenewalReport,
    features::reports::dto::RenewalReportQuery, features::reports::dto::ScholarshipReport,
    features::reports::service as reports, http::extract::ApiQuery,
};

/// A dashboard report over the whole affiliate: one route per report, the same callers and answers.
macro_rules! report_route {
    ($(#[doc = $doc:tt])* $name:ident as $op:tt, $path:tt, $body:ident) => {
        $(#[doc = $doc])*
        #[utoipa::path(
            operation_id = $op,
            tag = "reports",
            security(("bearer" = []), ("oauth2" = ["reports:read"])),
            params(crate::http::responses::AffiliatePath),
            responses(
                (status = 200, description = "Counts", body = $body),
                (status = 403, description = "Not a coordinator of the affiliate, or no `reports:read`", body = Problem, content_type = "application/problem+json"),
                crate::http::responses::NoSuchAffiliate
            )
        )]
        #[get($path)]
        pub async fn $name(state: AppData, caller: Caller, path: web::Path<String>) -> Reply {
            Ok(HttpResponse::Ok().json(reports::$name(&state.db, &caller, &path.into_inner()).await?))
        }
    };
}

report_route!(
    /// Endorsements by category and status.
    endorsements as "get_endorsement_report", "/affiliates/{affiliate}/reports/endorsements", EndorsementReport
);
report_route!(
    /// Applications per deadline and state.
    applications as "get_application_report", "/affiliates/{affiliate}/reports/applications", ApplicationReport
);
report_route!(
    /// Scholarship budget used, per fund.
    scholarships as "get_scholarship_report", "/affiliates/{affiliate}/reports/scholarships", ScholarshipReport
);

/// Renewal completion for a year, in people.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = []), ("oauth2" = ["reports:read"])),
    params(crate::http::responses::AffiliatePath, RenewalReportQuery),
    responses(
        (status = 200, description = "Counts", body = RenewalReport),
        (status = 403, description = "Not a coordinator of the affiliate, or no `reports:read`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/reports/renewals")]
pub async fn get_renewal_report(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    query: ApiQuery<RenewalReportQuery>,
) -> Reply {
    Ok(HttpResponse::Ok().json(reports::renewals(&state.db, &caller, &path.into_inner(), query.0.year).await?))
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
    security(("bearer" = []), ("oauth2" = ["people:read"])),
    params(crate::http::responses::AffiliatePath),
    responses(
        (status = 200, description = "number, category, status, issued_on, expires_on, given_name, family_name, email", body = String, content_type = "text/csv"),
        (status = 403, description = "Not a coordinator of the affiliate, or no `people:read`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/exports/endorsees.csv")]
pub async fn export_endorsees_csv(state: AppData, caller: Caller, path: web::Path<String>) -> Reply {
    Ok(csv_response("endorsees.csv", exports::roster(&state.db, &caller, &path.into_inner()).await?))
}

/// A year's renewal status as CSV, one row per person due (coordinators, or clients with `renewals:read`).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = []), ("oauth2" = ["renewals:read"]), ("oauth2" = ["renewals:write"])),
    params(crate::http::responses::AffiliatePath, RenewalReportQuery),
    responses(
        (status = 200, description = "person_id, name, email, status, renewal_id, endorsements", body = String, content_type = "text/csv"),
        (status = 403, description = "Not a coordinator of the affiliate, or no `renewals:read`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/exports/renewals.csv")]
pub async fn export_renewals_csv(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    query: ApiQuery<RenewalReportQuery>,
) -> Reply {
    let body = exports::renewal_status(&state.db, &caller, &path.into_inner(), query.0.year).await?;
    Ok(csv_response(&format!("renewals-{}.csv", query.0.year), body))
}
