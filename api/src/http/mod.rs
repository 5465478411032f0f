//! The contract machinery every endpoint shares: extractors, pagination, ETags,
//! idempotency, request ids, metrics, CORS and the problem-response safety net.
pub mod cors;
pub mod etag;
pub mod extract;
pub mod fallback;
pub mod idempotency;
pub mod metrics;
pub mod pagination;
pub mod problem_guard;
pub mod request_id;
