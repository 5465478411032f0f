//! The safety net: any error response that was not produced as a problem (actix's
//! own 400s, CORS refusals, anything missed) is rewritten as `application/problem+json`,
//! keeping its status and headers.

use actix_web::{
    HttpResponse,
    body::{BoxBody, MessageBody},
    dev::ServiceResponse,
    http::{StatusCode, header},
};

use std::sync::Arc;

use crate::{error::PROBLEM_CONTENT_TYPE, error::Problem, error::ProblemCode, openapi::problems::Catalog};

pub fn code_for(status: StatusCode) -> ProblemCode {
    match status.as_u16() {
        401 => ProblemCode::Unauthenticated,
        403 => ProblemCode::Forbidden,
        404 => ProblemCode::NotFound,
        405 => ProblemCode::MethodNotAllowed,
        406 => ProblemCode::NotAcceptable,
        408 => ProblemCode::RequestTimeout,
        411 => ProblemCode::LengthRequired,
        413 => ProblemCode::PayloadTooLarge,
        414 => ProblemCode::UriTooLong,
        415 => ProblemCode::UnsupportedMediaType,
        429 => ProblemCode::RateLimited,
        431 => ProblemCode::HeadersTooLarge,
        503 => ProblemCode::ServiceUnavailable,
        // Any other status the framework answers is named by its class.
        500..=599 => ProblemCode::InternalError,
        _ => ProblemCode::BadRequest,
    }
}

/// The guard; with a catalog (`STRICT_PROBLEM_CODES`) it also holds each answer to the
/// codes its operation documents.
pub struct ProblemGuard(pub Option<Arc<Catalog>>);

middleware!(ProblemGuard => ProblemGuardService, ServiceResponse<BoxBody>, |this, service| ProblemGuardService { service, catalog: this.0.clone() });

pub struct ProblemGuardService<S> {
    service: S,
    catalog: Option<Arc<Catalog>>,
}

fn is_problem(res: &HttpResponse<impl MessageBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_CONTENT_TYPE))
}

middleware_call!(ProblemGuardService -> ServiceResponse<BoxBody>, |this, req| {
        let fut = this.service.call(req);
        let catalog = this.catalog.clone();
        Box::pin(async move {
            let res = match fut.await {
                Ok(res) => res,
                // An error escaping the inner services still becomes a problem response.
                Err(err) => {
                    let status = err.as_response_error().status_code();
                    let problem = Problem::new(status, code_for(status), generic_detail(status, None));
                    return Err(actix_web::error::InternalError::from_response(err, problem.response()).into());
                }
            };
            let status = res.status();
            let code = res.response().extensions().get::<ProblemCode>().copied();
            if let Some(catalog) = catalog.as_deref()
                && let Some(code) = code
                && let Some(pattern) = res.request().match_pattern()
                && !catalog.allows(res.request().method().as_str(), &pattern, status.as_u16(), code)
            {
                tracing::error!(%pattern, method = %res.request().method(), status = status.as_u16(), %code, "problem code not in the operation's documentation");
                let problem = Problem::new(StatusCode::INTERNAL_SERVER_ERROR, ProblemCode::InternalError, format!("Undocumented answer: {} `{code}` is not listed for {} {pattern}.", status.as_u16(), res.request().method()));
                let (req, _) = res.into_parts();
                return Ok(ServiceResponse::new(req, problem.response()));
            }
            if !(status.is_client_error() || status.is_server_error()) || is_problem(res.response()) {
                return Ok(res.map_into_boxed_body());
            }
            let (req, res) = res.into_parts();
            let (head, body) = res.into_parts();
            // Short plain-text reasons from actix (e.g. a CORS refusal) are kept as the detail.
            let original = actix_web::body::to_bytes_limited(body, 512).await.ok().and_then(|r| r.ok());
            let text =
                original.as_ref().and_then(|b| std::str::from_utf8(b).ok()).map(str::trim).filter(|s| !s.is_empty());
            let problem = Problem::new(status, code_for(status), generic_detail(status, text));
            let mut fresh = problem.response();
            for (name, value) in head.headers() {
                if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                    fresh.headers_mut().insert(name.clone(), value.clone());
                }
            }
            Ok(ServiceResponse::new(req, fresh))
        })
});

fn generic_detail(status: StatusCode, original: Option<&str>) -> String {
    match (status.is_client_error(), original) {
        (true, Some(text)) => text.to_string(),
        _ => status.canonical_reason().unwrap_or("Error").to_string(),
    }
}
