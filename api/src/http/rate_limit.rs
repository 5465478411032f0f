//! The request rate limit every route shares, on top of the stricter ones that guard
//! sign-in, registration and emailed codes (platform::rate_limit, in the database).
//!
//! Each replica counts in memory (GCRA, from `governor`), so the limit is per replica:
//! a signed-in caller is counted by subject (the person or machine client, whichever of
//! its tokens it uses), anyone else by client address. Every answer carries
//! `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers); over the
//! limit the answer is a 429 problem with `Retry-After`, and the request is not run.
use std::{
    num::NonZeroU32,
    rc::Rc,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use actix_web::{
    HttpMessage, ResponseError,
    body::EitherBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderMap, HeaderName, HeaderValue},
    web,
};
use governor::{
    Quota, RateLimiter,
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
    state::keyed::DefaultKeyedStateStore,
};
use uuid::Uuid;

use crate::{
    auth::tokens, auth::tokens::AccessClaims, error::AppError, http::client_address::client_address, state::AppState,
};

/// The policy's name in the headers.
const POLICY: &str = "default";
/// The window the quota is stated over, in seconds.
const WINDOW_SECS: u64 = 60;
/// Idle callers' counters are dropped after this many requests (a full counter is
/// indistinguishable from a fresh one, so nothing is forgotten early).
const SWEEP_EVERY: u64 = 4096;

pub static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
pub static RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
enum CallerKey {
    Subject(Uuid),
    Address(String),
}

type Limiter = RateLimiter<CallerKey, DefaultKeyedStateStore<CallerKey>, DefaultClock, StateInformationMiddleware>;

/// Claims of the bearer token, verified here so the `Caller` extractor need not again.
#[derive(Clone)]
pub struct VerifiedClaims(pub AccessClaims);

/// The limiter shared by every worker thread of one replica.
pub struct RequestLimiter {
    limiter: Limiter,
    clock: DefaultClock,
    per_minute: u32,
    policy: HeaderValue,
    calls: AtomicU64,
}

/// What one request was told: how many are left and when the quota is whole again.
struct Verdict {
    remaining: u32,
    reset_secs: u64,
    retry_after_secs: Option<u64>,
}

impl RequestLimiter {
    pub fn new(per_minute: NonZeroU32) -> Arc<Self> {
        let limiter = RateLimiter::keyed(Quota::per_minute(per_minute)).with_middleware::<StateInformationMiddleware>();
        let policy = HeaderValue::from_str(&format!("\"{POLICY}\";q={per_minute};w={WINDOW_SECS}"))
            .unwrap_or_else(|_| HeaderValue::from_static("\"default\""));
        Arc::new(Self {
            limiter,
            clock: DefaultClock::default(),
            per_minute: per_minute.get(),
            policy,
            calls: 0.into(),
        })
    }

    fn check(&self, key: &CallerKey) -> Verdict {
        if self.calls.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
        }
        // One unit of quota comes back every WINDOW/q seconds; the whole quota once all
        // used units have.
        let reset = |remaining: u32| {
            let used = u64::from(self.per_minute.saturating_sub(remaining));
            (used * WINDOW_SECS).div_ceil(u64::from(self.per_minute))
        };
        match self.limiter.check_key(key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                Verdict { remaining, reset_secs: reset(remaining), retry_after_secs: None }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now()).as_secs_f64().ceil().max(1.0) as u64;
                Verdict { remaining: 0, reset_secs: reset(0), retry_after_secs: Some(wait) }
            }
        }
    }

    fn write_headers(&self, headers: &mut HeaderMap, verdict: &Verdict) {
        headers.insert(RATELIMIT_POLICY.clone(), self.policy.clone());
        let value = format!("\"{POLICY}\";r={};t={}", verdict.remaining, verdict.reset_secs);
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(RATELIMIT.clone(), value);
        }
    }
}

/// Who the request counts against: the token's subject when the token is valid (the
/// claims are kept for the `Caller` extractor), otherwise the client address, so that
/// made-up tokens share their sender's quota.
fn caller_key(req: &ServiceRequest, trust_forwarded_for: bool) -> CallerKey {
    let state = req.app_data::<web::Data<AppState>>();
    let token = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    if let (Some(state), Some(token)) = (state, token)
        && let Ok(claims) = tokens::verify(&state.keys, &state.token_settings, token)
        && let Ok(subject) = Uuid::parse_str(&claims.sub)
    {
        req.extensions_mut().insert(VerifiedClaims(claims));
        return CallerKey::Subject(subject);
    }
    CallerKey::Address(client_address(req.request(), trust_forwarded_for))
}

/// The middleware; place it inside CORS so that a 429 still carries the CORS headers.
pub struct RateLimit {
    pub limiter: Arc<RequestLimiter>,
    pub trust_forwarded_for: bool,
}

middleware!(RateLimit => RateLimitService, ServiceResponse<EitherBody<B>>, |this, service| RateLimitService {
    service: Rc::new(service),
    limiter: this.limiter.clone(),
    trust_forwarded_for: this.trust_forwarded_for,
});

pub struct RateLimitService<S> {
    service: Rc<S>,
    limiter: Arc<RequestLimiter>,
    trust_forwarded_for: bool,
}

middleware_call!(RateLimitService -> ServiceResponse<EitherBody<B>>, |this, req| {
        let key = caller_key(&req, this.trust_forwarded_for);
        let verdict = this.limiter.check(&key);
        let limiter = this.limiter.clone();
        if let Some(retry_after_secs) = verdict.retry_after_secs {
            let mut res = req.into_response(AppError::RateLimited { retry_after_secs }.error_response());
            limiter.write_headers(res.headers_mut(), &verdict);
            return Box::pin(async move { Ok(res.map_into_right_body()) });
        }
        let service = this.service.clone();
        Box::pin(async move {
            let mut res = service.call(req).await?;
            limiter.write_headers(res.headers_mut(), &verdict);
            Ok(res.map_into_left_body())
        })
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_then_refuses_with_a_wait_and_keeps_callers_apart() {
        let limiter = RequestLimiter::new(NonZeroU32::new(3).expect("non-zero"));
        let a = CallerKey::Subject(Uuid::now_v7());
        let first = limiter.check(&a);
        assert_eq!((first.remaining, first.reset_secs, first.retry_after_secs), (2, 20, None));
        assert_eq!(limiter.check(&a).remaining, 1);
        let third = limiter.check(&a);
        assert_eq!((third.remaining, third.reset_secs), (0, 60));
        let refused = limiter.check(&a);
        assert_eq!(refused.remaining, 0);
        assert!(refused.retry_after_secs.is_some_and(|s| (1..=20).contains(&s)), "{:?}", refused.retry_after_secs);
        let b = CallerKey::Address("192.0.2.1".into());
        assert_eq!(limiter.check(&b).remaining, 2);
    }
}
