//! HTTP handlers, one module per resource. Handlers stay thin: extract, call one
//! service, map the result. Every route is registered through utoipa so it is documented.
pub mod affiliates;
pub mod auth;
pub mod docs;
pub mod health;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::http::idempotency::Idempotency;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(docs::openapi_json)
        .service(docs::docs)
        .service(auth::jwks)
        .service(auth::server_metadata)
        .service(
            scope::scope("/v1")
                .wrap(Idempotency)
                .service(auth::token)
                .service(auth::revoke)
                .service(auth::me)
                .service(affiliates::list)
                .service(affiliates::create)
                .service(affiliates::get)
                .service(affiliates::update),
        );
}
