//! The contract machinery every endpoint shares: extractors, pagination, ETags,
//! idempotency, request ids, metrics, CORS, the request rate limit and the
//! problem-response safety net.
/// An impl for a middleware's two halves, bounded by what every middleware here wraps: the
/// rest of the app (`S`), answering some body `B`.
macro_rules! middleware_impl {
    ($trait:path, $self_ty:ty, { $($items:tt)* }) => {
        impl<S, B> $trait for $self_ty
        where
            S: ::actix_web::dev::Service<
                    ::actix_web::dev::ServiceRequest,
                    Response = ::actix_web::dev::ServiceResponse<B>,
                    Error = ::actix_web::Error,
                > + 'static,
            B: ::actix_web::body::MessageBody + 'static,
        {
            $($items)*
        }
    };
}

/// The `Transform` half of an actix-web middleware, which is the same for every one here:
/// wrap the next service in ours. `|this, next| expr` builds ours from the middleware's
/// settings (`this`) and the next service (`next`).
macro_rules! middleware {
    ($middleware:ty => $service:ident, $response:ty, |$this:ident, $next:ident| $make:expr) => {
        middleware_impl!(::actix_web::dev::Transform<S, ::actix_web::dev::ServiceRequest>, $middleware, {
            type Response = $response;
            type Error = ::actix_web::Error;
            type Transform = $service<S>;
            type InitError = ();
            type Future = ::std::future::Ready<Result<Self::Transform, Self::InitError>>;

            fn new_transform(&self, $next: S) -> Self::Future {
                #[allow(unused_variables)]
                let $this = self;
                ::std::future::ready(Ok($make))
            }
        });
    };
}

/// The `Service` half: its types and readiness are the same for every middleware here, so
/// only `call` is written out. `|this, req| { ... }` answers one request with our service
/// (`this`) and the request (`req`).
macro_rules! middleware_call {
    ($service:ident -> $response:ty, |$this:ident, $req:ident| $body:block) => {
        middleware_impl!(::actix_web::dev::Service<::actix_web::dev::ServiceRequest>, $service<S>, {
            type Response = $response;
            type Error = ::actix_web::Error;
            type Future = ::futures_util::future::LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

            ::actix_web::dev::forward_ready!(service);

            fn call(&self, req: ::actix_web::dev::ServiceRequest) -> Self::Future {
                #[allow(unused_mut)]
                let mut $req = req;
                let $this = self;
                $body
            }
        });
    };
}

pub mod client_address;
pub mod cors;
pub mod etag;
pub mod extract;
pub mod fallback;
pub mod handler;
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
