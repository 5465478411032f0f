//! `Idempotency-Key` on POST: the first outcome for a (caller, key) is stored for at
//! least 24 h and replayed byte for byte; the same key with another request is 422;
//! a retry while the first is still running is 409.
use crate::error::ProblemCode;
use std::rc::Rc;

use actix_web::{
    HttpMessage, HttpResponse, ResponseError,
    body::BoxBody,
    dev::{ServiceRequest, ServiceResponse},
    http::{Method, StatusCode, header},
    web,
};
use sha2::{Digest, Sha256};

use crate::{
    auth::caller::SubjectKind, auth::caller::authenticate, error::AppError, http::client_address::client_address,
    http::extract::body_limit, http::extract::read_body, http::fallback::RouteTable, platform::idempotency,
    platform::idempotency::Begin, platform::idempotency::StoredResponse, state::AppState,
};

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// Response headers kept with the stored outcome.
const KEPT_HEADERS: &[&str] = &["content-type", "location", "etag", "cache-control"];

/// Paths whose POSTs are never stored: the token endpoints, whose responses are
/// secrets that must not be written to the database.
const EXCLUDED_PREFIXES: &[&str] = &["/v1/auth/"];

fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

pub struct Idempotency;

middleware!(Idempotency => IdempotencyService, ServiceResponse<BoxBody>, |this, service| IdempotencyService { service: Rc::new(service) });

pub struct IdempotencyService<S> {
    service: Rc<S>,
}

fn problem(req: ServiceRequest, err: AppError) -> ServiceResponse<BoxBody> {
    let res = err.error_response();
    req.into_response(res)
}

middleware_call!(IdempotencyService -> ServiceResponse<BoxBody>, |this, req| {
        let service = this.service.clone();
        Box::pin(async move {
            let key = req.headers().get(HEADER).map(|v| v.to_str().unwrap_or_default().to_string());
            let Some(key) = key.filter(|_| req.method() == Method::POST) else {
                return service.call(req).await.map(|r| r.map_into_boxed_body());
            };
            if EXCLUDED_PREFIXES.iter().any(|p| req.path().starts_with(p)) {
                return service.call(req).await.map(|r| r.map_into_boxed_body());
            }
            if !valid_key(&key) {
                let err = AppError::bad_request(
                    ProblemCode::InvalidIdempotencyKey,
                    "Idempotency-Key must be 1-255 visible ASCII characters.",
                );
                return Ok(problem(req, err));
            }
            // Authentication first: keys are scoped per caller. A bad token, or no token on
            // a route that needs one, goes straight to the handler, which refuses it
            // without the key being looked at or stored.
            let caller = match authenticate(req.request()).await {
                Ok(Some(c)) => match c.kind {
                    SubjectKind::Person => format!("person:{}", c.id),
                    SubjectKind::Client => format!("client:{}", c.id),
                },
                Ok(None) => {
                    let public = req
                        .app_data::<web::Data<RouteTable>>()
                        .is_some_and(|t| t.anonymous(req.path(), req.method().as_str()));
                    if !public {
                        return service.call(req).await.map(|r| r.map_into_boxed_body());
                    }
                    // Callers without a token share nothing: their keys are scoped by the
                    // client address and the route, so no one can receive another's answer.
                    let trust = req.app_data::<web::Data<AppState>>().is_some_and(|s| s.config.trust_forwarded_for);
                    let scope = Sha256::digest(format!("{}\n{}", client_address(req.request(), trust), req.path()));
                    format!("anonymous:{scope:x}")
                }
                Err(_) => return service.call(req).await.map(|r| r.map_into_boxed_body()),
            };
            let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
                return Ok(problem(req, AppError::internal("application state missing")));
            };
            let limit = body_limit(req.request());
            let body = match read_body(req.take_payload(), limit).await {
                Ok(b) => b,
                Err(e) => return Ok(problem(req, e)),
            };
            let mut hasher = Sha256::new();
            hasher.update(req.method().as_str().as_bytes());
            hasher.update(b"\n");
            hasher.update(req.uri().to_string().as_bytes());
            hasher.update(b"\n");
            hasher.update(&body);
            let hash = format!("{:x}", hasher.finalize());

            let record = match idempotency::begin(&state.db, &caller, &key, &hash, state.config.idempotency_ttl).await {
                Ok(Begin::Proceed(id)) => id,
                Ok(Begin::Replay(stored)) => return Ok(req.into_response(replay(stored))),
                Ok(Begin::InFlight) => {
                    let err = AppError::conflict(
                        ProblemCode::IdempotencyRequestInProgress,
                        "A request with this Idempotency-Key is still being processed; retry shortly.",
                    );
                    let mut res = problem(req, err);
                    res.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(1u32));
                    return Ok(res);
                }
                Ok(Begin::Mismatch) => {
                    let err = AppError::Unprocessable {
                        code: ProblemCode::IdempotencyKeyReused,
                        detail: "This Idempotency-Key was already used with a different request.".into(),
                    };
                    return Ok(problem(req, err));
                }
                Err(e) => return Ok(problem(req, AppError::from(e))),
            };

            req.set_payload(bytes_payload(body));
            let outcome = service.call(req).await;
            let res = match outcome {
                Ok(res) => res,
                Err(e) => {
                    release(&state, record).await;
                    return Err(e);
                }
            };
            let status = res.status();
            if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::UNAUTHORIZED
            {
                release(&state, record).await;
                return Ok(res.map_into_boxed_body());
            }
            let (req, res) = res.into_parts();
            let (head, body) = res.into_parts();
            let bytes = match actix_web::body::to_bytes(body).await {
                Ok(b) => b,
                Err(_) => {
                    release(&state, record).await;
                    return Ok(ServiceResponse::new(
                        req,
                        AppError::internal("response body unreadable").error_response(),
                    ));
                }
            };
            let stored = StoredResponse {
                status: status.as_u16(),
                headers: head
                    .headers()
                    .iter()
                    .filter(|(n, _)| KEPT_HEADERS.contains(&n.as_str()))
                    .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
                    .collect(),
                body: bytes.to_vec(),
            };
            if let Err(e) = idempotency::complete(&state.db, record, &stored).await {
                // The change itself is committed: keep trying to store its outcome, or every
                // retry would see the key in flight until it expires.
                tracing::warn!(error = %e, "could not store idempotent response; retrying in the background");
                let db = state.db.clone();
                let stored = std::rc::Rc::new(stored);
                settle_later("store idempotent response", move || {
                    let (db, stored) = (db.clone(), stored.clone());
                    async move { idempotency::complete(&db, record, &stored).await }
                });
            }
            Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(bytes))))
        })
});

/// Forgets the key of a request that produced nothing worth replaying. When the database
/// is away (the usual reason for the failure), keep trying in the background: a key left
/// in flight would answer 409 to every retry until it expires.
async fn release(state: &AppState, record: uuid::Uuid) {
    if let Err(e) = idempotency::abandon(&state.db, record).await {
        tracing::warn!(error = %e, "could not release idempotency key; retrying in the background");
        let db = state.db.clone();
        settle_later("release idempotency key", move || {
            let db = db.clone();
            async move { idempotency::abandon(&db, record).await }
        });
    }
}

/// Retries `attempt` with backoff (200 ms doubling to 5 s) for up to ten minutes.
fn settle_later<F, Fut>(what: &'static str, attempt: F)
where
    F: Fn() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<(), sea_orm::DbErr>> + 'static,
{
    actix_web::rt::spawn(async move {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
        let mut delay = std::time::Duration::from_millis(200);
        loop {
            tokio::time::sleep(delay).await;
            match attempt().await {
                Ok(()) => return,
                Err(e) if std::time::Instant::now() < deadline => {
                    tracing::debug!(error = %e, what, "still failing");
                    delay = (delay * 2).min(std::time::Duration::from_secs(5));
                }
                Err(e) => {
                    tracing::error!(error = %e, what, "gave up");
                    return;
                }
            }
        }
    });
}

fn bytes_payload(bytes: web::Bytes) -> actix_web::dev::Payload {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(bytes);
    actix_web::dev::Payload::from(payload)
}

fn replay(stored: StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    for (name, value) in &stored.headers {
        res.insert_header((name.as_str(), value.as_str()));
    }
    res.insert_header((REPLAYED_HEADER, "true"));
    res.body(stored.body)
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_visible_ascii() {
        assert!(super::valid_key("3f1c2e1a-9a4b-4f8e-8f7e-1a2b3c4d5e6f"));
        assert!(!super::valid_key(""));
        assert!(!super::valid_key("has space"));
        assert!(!super::valid_key(&"k".repeat(256)));
    }
}
