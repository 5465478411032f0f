//! Operational endpoints outside `/v1`: health, readiness, metrics, the OpenAPI
//! document and the interactive documentation.
pub mod docs;
pub mod health;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(docs::openapi_json)
        .service(docs::docs)
        .service(docs::docs_asset);
}
