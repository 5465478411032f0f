//! Headers every answer carries: `X-Content-Type-Options: nosniff`; `Cache-Control:
//! no-store` unless the handler chose a caching policy itself (only public documents
//! do: the JWKS, the OAuth metadata), so nothing personal or authenticated is ever kept
//! by a browser or a shared cache; and `Strict-Transport-Security` when the service is
//! published over https.
use std::rc::Rc;

use actix_web::{
    body::BoxBody,
    dev::ServiceResponse,
    http::header::{self, HeaderValue},
};

#[derive(Clone, Copy)]
pub struct SecurityHeaders {
    /// Send HSTS (the public base URL is https).
    pub hsts: bool,
}

middleware!(SecurityHeaders => SecurityHeadersService, ServiceResponse<BoxBody>, |this, service| SecurityHeadersService { service: Rc::new(service), hsts: this.hsts });

pub struct SecurityHeadersService<S> {
    service: Rc<S>,
    hsts: bool,
}

middleware_call!(SecurityHeadersService -> ServiceResponse<BoxBody>, |this, req| {
        let service = this.service.clone();
        let hsts = this.hsts;
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
});
