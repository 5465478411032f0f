//! JSON body and query extractors that answer with problem responses naming the
//! offending field, and the error handlers for actix's own path extractor.
use crate::error::ProblemCode;
use actix_web::{FromRequest, HttpRequest, dev::Payload, error::PathError, http::header, web};
use futures_util::{StreamExt, future::LocalBoxFuture};
use serde::{Deserialize, Deserializer, de::DeserializeOwned};
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use super::json_limits;
use crate::{error::AppError, error::FieldError};

/// Default body limit when no [`BodyLimit`] is configured.
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

/// Maximum request body size, shared by the JSON extractor and the idempotency layer.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

pub fn body_limit(req: &HttpRequest) -> usize {
    req.app_data::<BodyLimit>().map(|l| l.0).unwrap_or(DEFAULT_BODY_LIMIT)
}

/// A JSON body, deserialized (unknown fields rejected by the DTO) and validated.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = check_json_content_type(req);
        let body = read_limited(req, payload);
        Box::pin(async move {
            content_type?;
            let bytes = body.await?;
            let value: T = parse_json(&bytes)?;
            value.validate().map_err(|e| AppError::Validation(flatten_validation(&e)))?;
            Ok(ApiJson(value))
        })
    }
}

/// The body, read whole within the body limit: 413 beyond it, told early when the
/// `Content-Length` already says so. Nothing is read until the future is awaited.
fn read_limited(
    req: &HttpRequest,
    payload: &mut Payload,
) -> impl std::future::Future<Output = Result<web::Bytes, AppError>> + 'static {
    let limit = body_limit(req);
    let declared = declared_length(req);
    let payload = payload.take();
    async move {
        if declared.is_some_and(|len| len > limit) {
            return Err(AppError::PayloadTooLarge { limit });
        }
        read_body(payload, limit).await
    }
}

/// A `text/csv` body (imports), read whole up to the body limit.
pub struct CsvBody(pub web::Bytes);

impl FromRequest for CsvBody {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = match req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
            Some(ct) if ct.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("text/csv") => Ok(()),
            other => Err(AppError::UnsupportedMediaType(format!(
                "The request body must be text/csv, not `{}`.",
                other.unwrap_or("(none)")
            ))),
        };
        let body = read_limited(req, payload);
        Box::pin(async move {
            content_type?;
            Ok(CsvBody(body.await?))
        })
    }
}

fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers().get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

pub fn is_json_media_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn check_json_content_type(req: &HttpRequest) -> Result<(), AppError> {
    match req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        Some(ct) if is_json_media_type(ct) => Ok(()),
        Some(ct) => {
            Err(AppError::UnsupportedMediaType(format!("The request body must be application/json, not `{ct}`.")))
        }
        None => Err(AppError::UnsupportedMediaType(
            "The request has a body but no Content-Type; send application/json.".into(),
        )),
    }
}

/// Reads the whole body, refusing more than `limit` bytes.
pub async fn read_body(mut payload: Payload, limit: usize) -> Result<web::Bytes, AppError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| match e {
            actix_web::error::PayloadError::Overflow => AppError::PayloadTooLarge { limit },
            other => AppError::bad_request(
                ProblemCode::UnreadableBody,
                format!("The request body could not be read: {other}"),
            ),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Parses JSON: syntax errors are 400 `malformed_json`; well-formed JSON of the
/// wrong shape (unknown or missing fields, wrong types) is 422 naming the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if let Some(over) = json_limits::check(&mut serde_json::Deserializer::from_slice(bytes)) {
        return Err(AppError::Validation(vec![over]));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            use serde_json::error::Category;
            match inner.classify() {
                Category::Syntax | Category::Eof | Category::Io => Err(AppError::bad_request(
                    ProblemCode::MalformedJson,
                    format!("The request body is not valid JSON: {inner}"),
                )),
                Category::Data => Err(AppError::Validation(vec![data_error(&path, &inner.to_string())])),
            }
        }
    }
}

/// Parses one already-read JSON value (e.g. an item of a bulk request) and validates
/// it: the same 422 problems a request body would get.
pub fn parse_value<T: DeserializeOwned + validator::Validate>(value: serde_json::Value) -> Result<T, AppError> {
    if let Some(over) = json_limits::check(&value) {
        return Err(AppError::Validation(vec![over]));
    }
    let parsed: T = serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        AppError::Validation(vec![data_error(&path, &err.into_inner().to_string())])
    })?;
    parsed.validate().map_err(|e| AppError::Validation(flatten_validation(&e)))?;
    Ok(parsed)
}

/// Turns a serde data error into a field error with a stable code.
fn data_error(path: &str, message: &str) -> FieldError {
    let message = message.split(" at line ").next().unwrap_or(message).to_string();
    let named = |prefix: &str| message.strip_prefix(prefix).and_then(|rest| rest.split('`').next()).map(str::to_string);
    let join = |field: &str| if path == "." || path.is_empty() { field.to_string() } else { format!("{path}.{field}") };
    if let Some(field) = named("unknown field `") {
        // serde_path_to_error's path already ends at the unknown field.
        let full = if path.ends_with(field.as_str()) { path.to_string() } else { join(&field) };
        FieldError::new(full, "unknown_field", format!("`{field}` is not a field of this resource"))
    } else if let Some(field) = named("missing field `") {
        FieldError::new(join(&field), "required", format!("`{field}` is required"))
    } else if let Some(value) = named("unknown variant `") {
        // A value outside a closed set: serde names the accepted ones after "expected".
        let field = if path == "." || path.is_empty() { "body".to_string() } else { path.to_string() };
        let accepted = message.split_once("expected ").map_or("", |(_, rest)| rest);
        FieldError::new(field, "unknown_value", format!("`{value}` is not accepted; expected {accepted}"))
    } else {
        let field = if path == "." || path.is_empty() { "body".to_string() } else { path.to_string() };
        FieldError::new(field, "invalid", message)
    }
}

/// Flattens validator's nested errors into `a.b[2].c` paths.
pub fn flatten_validation(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| default_message(&e.code, &e.params));
                    out.push(FieldError::new(path.clone(), e.code.to_string(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

fn default_message(
    code: &str,
    params: &std::collections::HashMap<std::borrow::Cow<'static, str>, serde_json::Value>,
) -> String {
    match code {
        "length" => match (params.get("min"), params.get("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters long"),
            (Some(min), None) => format!("must be at least {min} characters long"),
            (None, Some(max)) => format!("must be at most {max} characters long"),
            _ => "has the wrong length".into(),
        },
        "range" => match (params.get("min"), params.get("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "is out of range".into(),
        },
        "email" => "must be an email address".into(),
        "url" => "must be an absolute URL".into(),
        other => format!("is invalid ({other})"),
    }
}

/// Query parameters, parsed strictly (unknown parameters rejected by the DTO).
/// Bad query parameters are a 400 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ApiQuery<T> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(ApiQuery))
    }
}

pub fn parse_query<T: DeserializeOwned + Validate>(query: &str) -> Result<T, AppError> {
    // The parameter ceiling (json_limits), which the document states for every parameter
    // without a tighter limit.
    const MAX: usize = json_limits::MAX_PARAM_CHARS;
    if let Some((name, _)) = form_urlencoded_parse(query)
        .find(|(name, value)| [name, value].iter().any(|s| s.len() > MAX && s.chars().count() > MAX))
    {
        let name: String = name.chars().take(json_limits::MAX_KEY_CHARS).collect();
        return Err(AppError::BadRequest {
            code: ProblemCode::InvalidQuery,
            detail: "A query parameter is invalid; see `errors`.".into(),
            errors: vec![FieldError::new(
                format!("query.{name}"),
                "too_long",
                format!("must be at most {MAX} characters long"),
            )],
        });
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
    let value: T = serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let mut fe = data_error(&path, &err.into_inner().to_string());
        fe.field = fe.field.replace("body", "query");
        AppError::BadRequest {
            code: ProblemCode::InvalidQuery,
            detail: "A query parameter is invalid; see `errors`.".into(),
            errors: vec![fe],
        }
    })?;
    value.validate().map_err(|e| AppError::BadRequest {
        code: ProblemCode::InvalidQuery,
        detail: "A query parameter is invalid; see `errors`.".into(),
        errors: flatten_validation(&e),
    })?;
    Ok(value)
}

fn form_urlencoded_parse(query: &str) -> url::form_urlencoded::Parse<'_> {
    url::form_urlencoded::parse(query.as_bytes())
}

/// actix's `web::Path` errors become 400 problems naming the parameter.
pub fn path_error_handler(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    let detail = match &err {
        PathError::Deserialize(e) => format!("A path parameter is invalid: {e}"),
        other => format!("A path parameter is invalid: {other}"),
    };
    AppError::bad_request(ProblemCode::InvalidPathParameter, detail).into()
}

/// For PATCH fields that may be cleared: absent → `None`, `null` → `Some(None)`.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Thing {
        #[validate(length(min = 2))]
        name: String,
        #[allow(dead_code)]
        count: u32,
    }

    #[test]
    fn syntax_errors_are_400() {
        let err = parse_json::<Thing>(b"{\"name\": ").unwrap_err();
        assert!(matches!(err, AppError::BadRequest { code: ProblemCode::MalformedJson, .. }), "{err:?}");
    }

    #[test]
    fn unknown_missing_and_mistyped_fields_name_the_field() {
        let cases: &[(&[u8], &str, &str)] = &[
            (br#"{"name":"ab","count":1,"role":"admin"}"#, "role", "unknown_field"),
            (br#"{"name":"ab"}"#, "count", "required"),
            (br#"{"name":"ab","count":-1}"#, "count", "invalid"),
        ];
        for (body, field, code) in cases {
            match parse_json::<Thing>(body) {
                Err(AppError::Validation(errors)) => {
                    assert_eq!(errors[0].field, *field, "{errors:?}");
                    assert_eq!(errors[0].code, *code, "{errors:?}");
                }
                other => panic!("expected a validation error, got {other:?}"),
            }
        }
    }

    #[test]
    fn validation_errors_are_flattened() {
        let thing: Thing = parse_json(br#"{"name":"a","count":1}"#).expect("parses");
        let errors = flatten_validation(&thing.validate().unwrap_err());
        assert_eq!(errors, vec![FieldError::new("name", "length", "must be at least 2 characters long")]);
    }

    #[test]
    fn json_media_types() {
        assert!(is_json_media_type("application/json"));
        assert!(is_json_media_type("application/json; charset=utf-8"));
        assert!(is_json_media_type("application/merge-patch+json"));
        assert!(!is_json_media_type("text/plain"));
        assert!(!is_json_media_type("application/x-www-form-urlencoded"));
    }
}
