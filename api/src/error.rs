//! The one error type. Every failure, whether from a handler, an extractor or the
//! framework, leaves the service as an RFC 9457 `application/problem+json` body.
use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use sea_orm::DbErr;
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// One field that failed validation.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Where the problem is: a JSON path (`contact_email`, `items[2].name`) or a parameter name.
    #[schema(example = "time_zone", max_length = 1000)]
    #[serde(serialize_with = "clipped::<_, 1000>")]
    pub field: String,
    /// Stable machine-readable reason.
    #[schema(example = "invalid_time_zone", max_length = 64)]
    pub code: String,
    #[schema(example = "`Mars/Olympus` is not an IANA time zone", max_length = 1000)]
    #[serde(serialize_with = "clipped::<_, 1000>")]
    pub message: String,
}

/// Writes at most `MAX` characters of a text that may echo the request (a field name, a
/// value in a parse error), ending a cut one with `…`, so answers stay within their schema.
fn clipped<S: serde::Serializer, const MAX: usize>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    if text.len() > MAX && text.char_indices().nth(MAX).is_some() {
        let cut = text.char_indices().nth(MAX - 1).map_or(text.len(), |(i, _)| i);
        return serializer.serialize_str(&format!("{}…", &text[..cut]));
    }
    serializer.serialize_str(text)
}

/// At most `MAX_PROBLEM_ERRORS` field problems are listed (an import can have more).
pub const MAX_PROBLEM_ERRORS: usize = 1000;

fn first_errors<S: serde::Serializer>(errors: &Option<Vec<FieldError>>, serializer: S) -> Result<S::Ok, S::Error> {
    match errors {
        Some(list) => serializer.collect_seq(list.iter().take(MAX_PROBLEM_ERRORS)),
        None => serializer.serialize_none(),
    }
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }
}

/// RFC 9457 problem details, with the stable `code` every client can switch on.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:endorse:problem:validation_failed",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "The request body failed validation.",
    "code": "validation_failed",
    "errors": [{"field": "time_zone", "code": "invalid_time_zone", "message": "`Mars/Olympus` is not an IANA time zone"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:endorse:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(max_length = 100)]
    pub type_: String,
    #[schema(max_length = 100)]
    pub title: String,
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    #[schema(max_length = 2000)]
    #[serde(serialize_with = "clipped::<_, 2000>")]
    pub detail: String,
    /// Stable snake_case identifier of the problem.
    #[schema(max_length = 64)]
    pub code: String,
    /// Field-level problems (validation); the first 1000 when there are more.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "first_errors")]
    #[schema(max_items = 1000)]
    pub errors: Option<Vec<FieldError>>,
    /// The resource's current state, for 409 answers caused by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64)]
    pub current_state: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Problem {
            type_: format!("urn:endorse:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_string(),
            errors: None,
            current_state: None,
        }
    }

    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        HttpResponse::build(status).content_type(PROBLEM_CONTENT_TYPE).json(self)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("malformed request: {detail}")]
    BadRequest { code: &'static str, detail: String, errors: Vec<FieldError> },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("unprocessable: {detail}")]
    Unprocessable { code: &'static str, detail: String },
    /// 422 with a code of its own and the field problems (e.g. the rows of an import).
    #[error("rejected: {detail}")]
    Rejected { code: &'static str, detail: String, errors: Vec<FieldError> },
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("payload larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{got} items, more than {max}")]
    PayloadTooLargeItems { max: usize, got: usize },
    #[error("unauthenticated: {detail}")]
    Unauthenticated { code: &'static str, detail: String },
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 403 with a code of its own: a trust rule refused it (`own_record`,
    /// `conflict_of_interest`, `role_above_own`).
    #[error("refused: {detail}")]
    Refused { code: &'static str, detail: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("conflict: {detail}")]
    Conflict { code: &'static str, detail: String, current_state: Option<String> },
    /// 409 listing the conditions (outside the request) that block it.
    #[error("blocked")]
    Blocked { code: &'static str, detail: String, errors: Vec<FieldError> },
    #[error("precondition failed")]
    /// 412: `If-Match` names an old version; `current` (when known) goes out as the `ETag`.
    PreconditionFailed { current: Option<i64> },
    #[error("precondition required")]
    PreconditionRequired,
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::BadRequest { code, detail: detail.into(), errors: Vec::new() }
    }

    /// 403 `own_record`: no one acts as staff on their own records.
    pub fn own_record(what: &str) -> Self {
        AppError::Refused {
            code: "own_record",
            detail: format!("You cannot {what} on your own record; another coordinator or an admin does it."),
        }
    }

    /// 403 `conflict_of_interest`: a rater who reviews, a reviewer who rates, an applicant who rates.
    pub fn conflict_of_interest(detail: impl Into<String>) -> Self {
        AppError::Refused { code: "conflict_of_interest", detail: detail.into() }
    }

    /// 403 `role_above_own`: a role above the caller's own, or an admin changed by a non-admin.
    pub fn role_above_own(detail: impl Into<String>) -> Self {
        AppError::Refused { code: "role_above_own", detail: detail.into() }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Conflict { code, detail: detail.into(), current_state: None }
    }

    /// 409 `invalid_state`: the one answer to an illegal lifecycle move. `what` names the
    /// record ("renewal"), `current` is its state (also given as `current_state`) and `why`
    /// is the refusal from the lifecycle's transition function.
    pub fn invalid_state<S: sea_orm::ActiveEnum<Value = String>>(
        what: &str,
        current: S,
        why: impl std::fmt::Display,
    ) -> Self {
        let current = current.to_value();
        AppError::Conflict {
            code: "invalid_state",
            detail: format!("This {what} is {}: {why}.", current.replace('_', " ")),
            current_state: Some(current),
        }
    }

    /// 400 naming one bad query parameter.
    pub fn invalid_query(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code: "invalid_query",
            detail: "A query parameter is invalid; see `errors`.".into(),
            errors: vec![FieldError::new(field, code, message)],
        }
    }

    pub fn invalid_field(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        AppError::Internal(cause.to_string())
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let mut p = match self {
            AppError::BadRequest { code, detail, errors } => {
                let mut p = Problem::new(status, code, detail.clone());
                if !errors.is_empty() {
                    p.errors = Some(errors.clone());
                }
                p
            }
            AppError::Validation(errors) => {
                let mut p = Problem::new(status, "validation_failed", "The request failed validation; see `errors`.");
                p.errors = Some(errors.clone());
                p
            }
            AppError::Unprocessable { code, detail } => Problem::new(status, code, detail.clone()),
            AppError::Rejected { code, detail, errors } => {
                let mut p = Problem::new(status, code, detail.clone());
                p.errors = Some(errors.clone());
                p
            }
            AppError::UnsupportedMediaType(detail) => Problem::new(status, "unsupported_media_type", detail.clone()),
            AppError::PayloadTooLargeItems { max, got } => Problem::new(
                status,
                "too_many_items",
                format!("A request carries at most {max} items; this one has {got}. Split it."),
            ),
            AppError::PayloadTooLarge { limit } => Problem::new(
                status,
                "payload_too_large",
                format!("The request body exceeds the limit of {limit} bytes."),
            ),
            AppError::Unauthenticated { code, detail } => Problem::new(status, code, detail.clone()),
            AppError::Forbidden(detail) => Problem::new(status, "forbidden", detail.clone()),
            AppError::Refused { code, detail } => Problem::new(status, code, detail.clone()),
            AppError::NotFound(what) => Problem::new(status, "not_found", format!("{what} was not found.")),
            AppError::MethodNotAllowed { allow } => {
                Problem::new(status, "method_not_allowed", format!("This resource supports {}.", allow.join(", ")))
            }
            AppError::Blocked { code, detail, errors } => {
                let mut p = Problem::new(status, code, detail.clone());
                p.errors = Some(errors.clone());
                p
            }
            AppError::Conflict { code, detail, current_state } => {
                let mut p = Problem::new(status, code, detail.clone());
                p.current_state = current_state.clone();
                p
            }
            AppError::PreconditionFailed { .. } => Problem::new(
                status,
                "precondition_failed",
                "The resource has changed since you read it (If-Match does not match its ETag); read it again and retry.",
            ),
            AppError::PreconditionRequired => Problem::new(
                status,
                "precondition_required",
                "This request must carry an If-Match header with the resource's current ETag.",
            ),
            AppError::RateLimited { retry_after_secs } => Problem::new(
                status,
                "rate_limited",
                format!("Too many requests; retry after {retry_after_secs} seconds."),
            ),
            AppError::Unavailable(_) => {
                Problem::new(status, "service_unavailable", "The service is temporarily unavailable; retry shortly.")
            }
            AppError::Internal(_) => Problem::new(status, "internal_error", "An unexpected error occurred."),
        };
        if p.detail.is_empty() {
            p.detail = p.title.clone();
        }
        p
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Validation(_) | AppError::Unprocessable { .. } | AppError::Rejected { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge { .. } | AppError::PayloadTooLargeItems { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Refused { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict { .. } | AppError::Blocked { .. } => StatusCode::CONFLICT,
            AppError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(cause) => tracing::error!(error.cause = %cause, "internal error"),
            AppError::Unavailable(cause) => tracing::warn!(error.cause = %cause, "dependency unavailable"),
            _ => {}
        }
        let mut res = self.problem().response();
        let headers = res.headers_mut();
        match self {
            AppError::Unauthenticated { code, .. } => {
                let value =
                    if *code == "unauthenticated" { "Bearer".to_string() } else { format!("Bearer error=\"{code}\"") };
                if let Ok(v) = header::HeaderValue::from_str(&value) {
                    headers.insert(header::WWW_AUTHENTICATE, v);
                }
            }
            AppError::PreconditionFailed { current: Some(version) } => {
                // The version to read (or retry against), so a client need not fetch again to learn it.
                if let Ok(v) = header::HeaderValue::from_str(&crate::http::etag::etag(*version)) {
                    headers.insert(header::ETAG, v);
                }
            }
            AppError::MethodNotAllowed { allow } => {
                if let Ok(v) = header::HeaderValue::from_str(&allow.join(", ")) {
                    headers.insert(header::ALLOW, v);
                }
            }
            AppError::RateLimited { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, header::HeaderValue::from(*retry_after_secs));
            }
            AppError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, header::HeaderValue::from(5u32));
            }
            _ => {}
        }
        res
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if crate::db::is_connection_error(&err) {
            AppError::Unavailable(err.to_string())
        } else {
            AppError::Internal(format!("database: {err}"))
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
