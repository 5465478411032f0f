//! Headers every answer carries: `X-Content-Type-Options: nosniff`; `Cache-Control:
//! no-store` unless the handler chose a caching policy itself (only public documents
//! do: the JWKS, the OAuth metadata), so nothing personal or authenticated is ever kept
//! by a browser or a shared cache; and `Strict-Transport-Security` when the service is
//! published over https.
use std::{
    future::{Ready, ready},
    rc::Rc,
};

use actix_web::{
    Error,
    body::{BoxBody, MessageBody},
    dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready},
    http::header::{self, HeaderValue},
};
use futures_util::future::LocalBoxFuture;

#[derive(Clone, Copy)]
pub struct SecurityHeaders {
    /// Send HSTS (the public base URL is https).
    pub hsts: bool,
}

impl<S, B> Transform<S, ServiceRequest> for SecurityHeaders
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Transform = SecurityHeadersService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(SecurityHeadersService { service: Rc::new(service), hsts: self.hsts }))
    }
}

pub struct SecurityHeadersService<S> {
    service: Rc<S>,
    hsts: bool,
}

impl<S, B> Service<ServiceRequest> for SecurityHeadersService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        let hsts = self.hsts;
        Box::pin(async move {
            // Errors are answers by now (the problem guard inside turns them into
            // responses); the request is not cloned before routing, which needs it alone.
            let mut res = service.call(req).await?.map_into_boxed_body();
            let headers = res.headers_mut();
            headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            if !headers.contains_key(header::CACHE_CONTROL) {
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
            if hsts {
                headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
            }
            Ok(res)
        })
    }
}
