//! The safety net: any error response that was not produced as a problem (actix's
//! own 400s, CORS refusals, anything missed) is rewritten as `application/problem+json`,
//! keeping its status and headers.

use actix_web::{
    HttpResponse,
    body::{BoxBody, MessageBody},
    dev::ServiceResponse,
    http::{StatusCode, header},
};

use crate::{error::PROBLEM_CONTENT_TYPE, error::Problem, error::ProblemCode};

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

pub struct ProblemGuard;

middleware!(ProblemGuard => ProblemGuardService, ServiceResponse<BoxBody>, |this, service| ProblemGuardService { service });

pub struct ProblemGuardService<S> {
    service: S,
}

fn is_problem(res: &HttpResponse<impl MessageBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_CONTENT_TYPE))
}

middleware_call!(ProblemGuardService -> ServiceResponse<BoxBody>, |this, req| {
        let fut = this.service.call(req);
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
