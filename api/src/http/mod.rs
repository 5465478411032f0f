//! The contract machinery every endpoint shares: extractors, pagination, ETags,
//! idempotency, request ids, metrics, CORS, the request rate limit and the
//! problem-response safety net.
pub mod client_address;
pub mod cors;
pub mod etag;
pub mod extract;
pub mod fallback;
pub mod idempotency;
pub mod json_limits;
pub mod metrics;
pub mod pagination;
pub mod problem_guard;
pub mod rate_limit;
pub mod request_id;
pub mod responses;
pub mod security_headers;
pub mod validate;
