//! What many operations document the same way, as types `#[utoipa::path]` lists by name:
//! shared problem responses and the `{affiliate}` path parameter.
use utoipa::IntoResponses;

use crate::error::Problem;

/// 404: the affiliate named in the path does not exist.
#[derive(IntoResponses)]
#[response(status = 404, description = "No such affiliate", content_type = "application/problem+json")]
pub struct NoSuchAffiliate(#[allow(dead_code)] Problem);

/// 403: the caller is not a coordinator of the affiliate.
#[derive(IntoResponses)]
#[response(status = 403, description = "Not a coordinator", content_type = "application/problem+json")]
pub struct NotCoordinator(#[allow(dead_code)] Problem);

/// 401: no valid bearer token.
#[derive(IntoResponses)]
#[response(status = 401, description = "No valid token", content_type = "application/problem+json")]
pub struct Unauthenticated(#[allow(dead_code)] Problem);

/// The `{affiliate}` path parameter most affiliate-scoped operations take.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AffiliatePath {
    /// Affiliate code or id
    #[allow(dead_code)]
    affiliate: String,
}
