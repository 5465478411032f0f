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

entity::closed_set! {
    /// Stable snake_case identifier of a problem: what a client switches on. Each
    /// operation's problem answers say which of these it can give. New values may be added
    /// later.
    pub enum ProblemCode {
        AccountClaimed = "account_claimed",
        AccountExists = "account_exists",
        AccountNotActivated = "account_not_activated",
        AccountNotActive = "account_not_active",
        AccountNotPending = "account_not_pending",
        AffiliateCodeTaken = "affiliate_code_taken",
        AlreadyAssigned = "already_assigned",
        AlreadyRegistered = "already_registered",
        ApplicationNotEditable = "application_not_editable",
        ApplicationOpen = "application_open",
        BadRequest = "bad_request",
        BudgetExceeded = "budget_exceeded",
        ClientRevoked = "client_revoked",
        ConcurrentSync = "concurrent_sync",
        ConcurrentUpdate = "concurrent_update",
        ConflictOfInterest = "conflict_of_interest",
        DuplicateItem = "duplicate_item",
        EmailOwnedByPerson = "email_owned_by_person",
        EmailTaken = "email_taken",
        ExamFeeUnpaid = "exam_fee_unpaid",
        ExternalIdTaken = "external_id_taken",
        FeeVersionExists = "fee_version_exists",
        Forbidden = "forbidden",
        HeadersTooLarge = "headers_too_large",
        IdempotencyKeyReused = "idempotency_key_reused",
        IdempotencyRequestInProgress = "idempotency_request_in_progress",
        ImportRejected = "import_rejected",
        InternalError = "internal_error",
        InvalidClient = "invalid_client",
        InvalidCsv = "invalid_csv",
        InvalidGrant = "invalid_grant",
        InvalidIdempotencyKey = "invalid_idempotency_key",
        InvalidPathParameter = "invalid_path_parameter",
        InvalidQuery = "invalid_query",
        InvalidRequest = "invalid_request",
        InvalidScope = "invalid_scope",
        /// A signed webhook whose signature does not verify or whose timestamp is stale.
        InvalidSignature = "invalid_signature",
        InvalidState = "invalid_state",
        InvalidToken = "invalid_token",
        InvoiceVoid = "invoice_void",
        LengthRequired = "length_required",
        LinkedElsewhere = "linked_elsewhere",
        MalformedJson = "malformed_json",
        MethodNotAllowed = "method_not_allowed",
        NoPolicy = "no_policy",
        NotAcceptable = "not_acceptable",
        NotDue = "not_due",
        NotFound = "not_found",
        NotOwned = "not_owned",
        NothingToReinstate = "nothing_to_reinstate",
        NumberTaken = "number_taken",
        OwnAccount = "own_account",
        OwnRecord = "own_record",
        PayloadTooLarge = "payload_too_large",
        PlanInactive = "plan_inactive",
        PolicyVersionExists = "policy_version_exists",
        PortfolioFull = "portfolio_full",
        PreconditionFailed = "precondition_failed",
        PreconditionRequired = "precondition_required",
        RateLimited = "rate_limited",
        RecordGone = "record_gone",
        ReferenceAnswered = "reference_answered",
        RenewalClosed = "renewal_closed",
        RenewalExists = "renewal_exists",
        RenewalFeeUnpaid = "renewal_fee_unpaid",
        RenewalFull = "renewal_full",
        RenewalNotEditable = "renewal_not_editable",
        RequestTimeout = "request_timeout",
        ResultRecorded = "result_recorded",
        ReviewersFull = "reviewers_full",
        ReviewsIncomplete = "reviews_incomplete",
        RoleAboveOwn = "role_above_own",
        ServiceUnavailable = "service_unavailable",
        SittingFull = "sitting_full",
        StaffAccount = "staff_account",
        SubmissionBlocked = "submission_blocked",
        SubscriptionDisabled = "subscription_disabled",
        TooManyItems = "too_many_items",
        TooManyReferences = "too_many_references",
        Unauthenticated = "unauthenticated",
        UnreadableBody = "unreadable_body",
        UnsupportedGrantType = "unsupported_grant_type",
        UnsupportedMediaType = "unsupported_media_type",
        UriTooLong = "uri_too_long",
        ValidationFailed = "validation_failed",
    }
}

entity::closed_set! {
    /// Stable snake_case reason a field was refused: `length`, `range`, `email` and
    /// `url` as validated, `required`, `unknown_field` and `unknown_value` from parsing,
    /// and the service's own rules. An import row's problem carries its `ProblemCode`
    /// instead. New values may be added later.
    pub enum FieldErrorCode {
        AboveRequest = "above_request",
        ApprovalExpired = "approval_expired",
        BeforeClose = "before_close",
        BeforeStart = "before_start",
        ControlCharacter = "control_character",
        Duplicate = "duplicate",
        Email = "email",
        ExceedsBalance = "exceeds_balance",
        FundClosed = "fund_closed",
        InThePast = "in_the_past",
        IneligibleReviewer = "ineligible_reviewer",
        Invalid = "invalid",
        InvalidAmount = "invalid_amount",
        InvalidCharacter = "invalid_character",
        InvalidCode = "invalid_code",
        InvalidCountry = "invalid_country",
        InvalidCurrency = "invalid_currency",
        InvalidCursor = "invalid_cursor",
        InvalidExternalId = "invalid_external_id",
        InvalidPhone = "invalid_phone",
        InvalidPolicy = "invalid_policy",
        InvalidProfile = "invalid_profile",
        InvalidTemplate = "invalid_template",
        InvalidTerm = "invalid_term",
        InvalidTime = "invalid_time",
        InvalidTimeZone = "invalid_time_zone",
        KindMismatch = "kind_mismatch",
        Length = "length",
        NoDeadline = "no_deadline",
        NotAfterLatest = "not_after_latest",
        NotAllowed = "not_allowed",
        NotCovered = "not_covered",
        NotCurrent = "not_current",
        NotInExamWeek = "not_in_exam_week",
        NotInvoiced = "not_invoiced",
        OutOfRange = "out_of_range",
        OwnerChanged = "owner_changed",
        PastSitting = "past_sitting",
        QuarterHours = "quarter_hours",
        Range = "range",
        RefundExceedsPayments = "refund_exceeds_payments",
        Required = "required",
        RetakeTooSoon = "retake_too_soon",
        TooLong = "too_long",
        TooManyItems = "too_many_items",
        UnknownCategory = "unknown_category",
        UnknownFamily = "unknown_family",
        UnknownField = "unknown_field",
        UnknownFund = "unknown_fund",
        UnknownInvoice = "unknown_invoice",
        UnknownPerson = "unknown_person",
        UnknownPlan = "unknown_plan",
        UnknownSitting = "unknown_sitting",
        UnknownValue = "unknown_value",
        UnmetRequirement = "unmet_requirement",
        Unpaid = "unpaid",
        Url = "url",
        UrlNotAllowed = "url_not_allowed",
        WeakPassword = "weak_password",
        WrongPassword = "wrong_password",
        WrongYear = "wrong_year",
    }
}

/// One field that failed validation.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Where the problem is: a JSON path (`contact_email`, `items[2].name`) or a parameter name.
    #[schema(example = "time_zone", max_length = 1000)]
    #[serde(serialize_with = "clipped::<_, 1000>")]
    pub field: String,
    /// Stable machine-readable reason: a `FieldErrorCode` (which, in the document, lists the
    /// problem codes too: an import row's error carries its row's `ProblemCode`).
    #[schema(value_type = FieldErrorCode)]
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
    /// A field problem. Its code must be listed (`FieldErrorCode`, or `ProblemCode` for an
    /// import row): debug builds, and so every test, stop on one that is not.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        let code = code.into();
        debug_assert!(
            FieldErrorCode::parse(&code).is_some() || ProblemCode::parse(&code).is_some(),
            "field error code `{code}` is not listed in FieldErrorCode"
        );
        Self { field: field.into(), code, message: message.into() }
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
    pub code: ProblemCode,
    /// Field-level problems (validation); the first 1000 when there are more.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "first_errors")]
    #[schema(max_items = 1000)]
    pub errors: Option<Vec<FieldError>>,
    /// The resource's current status, for 409 answers caused by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64)]
    #[serde(rename = "current_status")]
    pub current_state: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, code: ProblemCode, detail: impl Into<String>) -> Self {
        Problem {
            type_: format!("urn:endorse:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            code,
            errors: None,
            current_state: None,
        }
    }

    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = HttpResponse::build(status).content_type(PROBLEM_CONTENT_TYPE).json(self);
        // What the contract check reads, without parsing the body again.
        res.extensions_mut().insert(self.code);
        res
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("malformed request: {detail}")]
    BadRequest { code: ProblemCode, detail: String, errors: Vec<FieldError> },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("unprocessable: {detail}")]
    Unprocessable { code: ProblemCode, detail: String },
    /// 422 with a code of its own and the field problems (e.g. the rows of an import).
    #[error("rejected: {detail}")]
    Rejected { code: ProblemCode, detail: String, errors: Vec<FieldError> },
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("payload larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{got} items, more than {max}")]
    PayloadTooLargeItems { max: usize, got: usize },
    #[error("unauthenticated: {detail}")]
    Unauthenticated { code: ProblemCode, detail: String },
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 403 with a code of its own: a trust rule refused it (`own_record`,
    /// `conflict_of_interest`, `role_above_own`).
    #[error("refused: {detail}")]
    Refused { code: ProblemCode, detail: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("conflict: {detail}")]
    Conflict { code: ProblemCode, detail: String, current_state: Option<String> },
    /// 409 listing the conditions (outside the request) that block it.
    #[error("blocked")]
    Blocked { code: ProblemCode, detail: String, errors: Vec<FieldError> },
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
    pub fn bad_request(code: ProblemCode, detail: impl Into<String>) -> Self {
        AppError::BadRequest { code, detail: detail.into(), errors: Vec::new() }
    }

    /// 403 `own_record`: no one acts as staff on their own records.
    pub fn own_record(what: &str) -> Self {
        AppError::Refused {
            code: ProblemCode::OwnRecord,
            detail: format!("You cannot {what} on your own record; another coordinator or an admin does it."),
        }
    }

    /// 403 `conflict_of_interest`: a rater who reviews, a reviewer who rates, an applicant who rates.
    pub fn conflict_of_interest(detail: impl Into<String>) -> Self {
        AppError::Refused { code: ProblemCode::ConflictOfInterest, detail: detail.into() }
    }

    /// 403 `role_above_own`: a role above the caller's own, or an admin changed by a non-admin.
    pub fn role_above_own(detail: impl Into<String>) -> Self {
        AppError::Refused { code: ProblemCode::RoleAboveOwn, detail: detail.into() }
    }

    pub fn conflict(code: ProblemCode, detail: impl Into<String>) -> Self {
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
            code: ProblemCode::InvalidState,
            detail: format!("This {what} is {}: {why}.", current.replace('_', " ")),
            current_state: Some(current),
        }
    }

    /// 400 naming one bad query parameter.
    pub fn invalid_query(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code: ProblemCode::InvalidQuery,
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
                let mut p = Problem::new(status, *code, detail.clone());
                if !errors.is_empty() {
                    p.errors = Some(errors.clone());
                }
                p
            }
            AppError::Validation(errors) => {
                let mut p =
                    Problem::new(status, ProblemCode::ValidationFailed, "The request failed validation; see `errors`.");
                p.errors = Some(errors.clone());
                p
            }
            AppError::Unprocessable { code, detail } => Problem::new(status, *code, detail.clone()),
            AppError::Rejected { code, detail, errors } => {
                let mut p = Problem::new(status, *code, detail.clone());
                p.errors = Some(errors.clone());
                p
            }
            AppError::UnsupportedMediaType(detail) => {
                Problem::new(status, ProblemCode::UnsupportedMediaType, detail.clone())
            }
            AppError::PayloadTooLargeItems { max, got } => Problem::new(
                status,
                ProblemCode::TooManyItems,
                format!("A request carries at most {max} items; this one has {got}. Split it."),
            ),
            AppError::PayloadTooLarge { limit } => Problem::new(
                status,
                ProblemCode::PayloadTooLarge,
                format!("The request body exceeds the limit of {limit} bytes."),
            ),
            AppError::Unauthenticated { code, detail } => Problem::new(status, *code, detail.clone()),
            AppError::Forbidden(detail) => Problem::new(status, ProblemCode::Forbidden, detail.clone()),
            AppError::Refused { code, detail } => Problem::new(status, *code, detail.clone()),
            AppError::NotFound(what) => Problem::new(status, ProblemCode::NotFound, format!("{what} was not found.")),
            AppError::MethodNotAllowed { allow } => Problem::new(
                status,
                ProblemCode::MethodNotAllowed,
                format!("This resource supports {}.", allow.join(", ")),
            ),
            AppError::Blocked { code, detail, errors } => {
                let mut p = Problem::new(status, *code, detail.clone());
                p.errors = Some(errors.clone());
                p
            }
            AppError::Conflict { code, detail, current_state } => {
                let mut p = Problem::new(status, *code, detail.clone());
                p.current_state = current_state.clone();
                p
            }
            AppError::PreconditionFailed { .. } => Problem::new(
                status,
                ProblemCode::PreconditionFailed,
                "The resource has changed since you read it (If-Match does not match its ETag); read it again and retry.",
            ),
            AppError::PreconditionRequired => Problem::new(
                status,
                ProblemCode::PreconditionRequired,
                "This request must carry an If-Match header with the resource's current ETag.",
            ),
            AppError::RateLimited { retry_after_secs } => Problem::new(
                status,
                ProblemCode::RateLimited,
                format!("Too many requests; retry after {retry_after_secs} seconds."),
            ),
            AppError::Unavailable(_) => Problem::new(
                status,
                ProblemCode::ServiceUnavailable,
                "The service is temporarily unavailable; retry shortly.",
            ),
            AppError::Internal(_) => Problem::new(status, ProblemCode::InternalError, "An unexpected error occurred."),
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
                let value = if *code == ProblemCode::Unauthenticated {
                    "Bearer".to_string()
                } else {
                    format!("Bearer error=\"{code}\"")
                };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field-error code written in the source (as an argument, a validator's
    /// `code = "..."`, a custom validator's `ValidationError::new`) and every validator
    /// the DTOs use is listed in `FieldErrorCode`, so the document names each code a
    /// client can meet. (Problem codes are a type: an unlisted one does not compile.)
    #[test]
    fn every_field_error_code_in_the_source_is_listed() {
        let call = regex::Regex::new(
            r#"(?:FieldError::new|invalid_field|invalid_query|bad_param|field_error)\(\s*[^,()]*(?:\([^()]*\))?[^,()]*,\s*"([a-z_0-9]+)"|(?:ValidationError::new|refuse)\(\s*"([a-z_0-9]+)"|code = "([a-z_0-9]+)"|parsed\([^;]*, "([a-z_0-9]+)"\)|let code =[^;]*"([a-z_0-9]+)"[^;]*"([a-z_0-9]+)""#,
        )
        .expect("regex");
        let validator = regex::Regex::new(r"#\[validate\(([a-z_]+)").expect("regex");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let (mut unlisted, mut seen) = (Vec::new(), 0);
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read src").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let literal = call.captures_iter(&text).filter_map(|c| c.iter().skip(1).flatten().next());
                let builtin =
                    validator.captures_iter(&text).filter_map(|c| c.get(1)).filter(|m| m.as_str() != "custom");
                for code in literal.chain(builtin).map(|m| m.as_str()) {
                    seen += 1;
                    if FieldErrorCode::parse(code).is_none() {
                        unlisted.push(format!("{}: {code}", path.display()));
                    }
                }
            }
        }
        assert!(seen > 50, "only {seen} codes found: the scan no longer reads the source");
        assert!(unlisted.is_empty(), "field error codes missing from FieldErrorCode: {unlisted:?}");
    }

    #[test]
    fn a_problem_names_its_code_in_its_type() {
        let p = AppError::conflict(ProblemCode::FeeVersionExists, "taken").problem();
        let body = serde_json::to_value(&p).expect("json");
        assert_eq!(body["code"], "fee_version_exists");
        assert_eq!(body["type"], "urn:endorse:problem:fee_version_exists");
        assert_eq!(body["status"], 409);
    }
}
