//! Optimistic concurrency on the `version` column: `ETag: "<version>"` on reads and
//! writes; `If-Match` required on every change (428 without it, 412 when stale).
use actix_web::{
    FromRequest, HttpRequest, HttpResponse,
    dev::Payload,
    http::{StatusCode, header},
};

use crate::error::AppError;

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The `If-Match` precondition of a request that changes a resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IfMatch {
    /// `If-Match: *` — any current version.
    Any,
    /// The versions named by the client's strong entity tags; empty when none parsed.
    Versions(Vec<i64>),
}

impl IfMatch {
    pub fn parse(raw: &str) -> IfMatch {
        if raw.trim() == "*" {
            return IfMatch::Any;
        }
        // Weak tags (W/"3") never match under If-Match's strong comparison.
        let versions = raw
            .split(',')
            .filter_map(|tag| tag.trim().strip_prefix('"')?.strip_suffix('"')?.parse::<i64>().ok())
            .collect();
        IfMatch::Versions(versions)
    }

    pub fn matches(&self, current: i64) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Versions(v) => v.contains(&current),
        }
    }

    /// The version the update must be conditional on, or 412.
    pub fn check(&self, current: i64) -> Result<i64, AppError> {
        if self.matches(current) { Ok(current) } else { Err(AppError::PreconditionFailed { current: Some(current) }) }
    }
}

/// The `If-Match` header of a change request, if any. Extraction never fails, so that
/// authorization is decided before the precondition (403/404 before 428).
#[derive(Clone, Debug)]
pub struct Precondition(pub Option<IfMatch>);

impl Precondition {
    /// The version the change must be conditional on: 428 without `If-Match`, 412 when stale.
    pub fn check(&self, current: i64) -> Result<i64, AppError> {
        match &self.0 {
            None => Err(AppError::PreconditionRequired),
            Some(m) => m.check(current),
        }
    }
}

impl FromRequest for Precondition {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req.headers().get(header::IF_MATCH).map(|v| IfMatch::parse(v.to_str().unwrap_or_default()));
        std::future::ready(Ok(Precondition(value)))
    }
}

/// 304 when the client's `If-None-Match` already names the current version.
pub fn not_modified(req: &HttpRequest, version: i64) -> Option<HttpResponse> {
    let raw = req.headers().get(header::IF_NONE_MATCH)?.to_str().ok()?;
    let current = etag(version);
    let hit = raw.trim() == "*" || raw.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == current);
    hit.then(|| HttpResponse::build(StatusCode::NOT_MODIFIED).insert_header((header::ETAG, current)).finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strong_tags_only() {
        assert_eq!(IfMatch::parse("\"3\""), IfMatch::Versions(vec![3]));
        assert_eq!(IfMatch::parse("\"3\", \"4\""), IfMatch::Versions(vec![3, 4]));
        assert_eq!(IfMatch::parse("W/\"3\""), IfMatch::Versions(vec![]));
        assert_eq!(IfMatch::parse("3"), IfMatch::Versions(vec![]));
        assert_eq!(IfMatch::parse("*"), IfMatch::Any);
    }

    #[test]
    fn stale_versions_fail() {
        assert!(IfMatch::parse("\"3\"").check(3).is_ok());
        assert!(matches!(IfMatch::parse("\"2\"").check(3), Err(AppError::PreconditionFailed { current: Some(3) })));
        assert!(IfMatch::Any.check(7).is_ok());
        assert!(matches!(Precondition(None).check(1), Err(AppError::PreconditionRequired)));
    }
}
