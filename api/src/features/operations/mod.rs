//! Operational endpoints outside `/v1`: health, readiness, metrics, the OpenAPI
//! document and the interactive documentation.
pub mod docs;
pub mod health;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::check_health)
        .service(health::check_readiness)
        .service(health::get_metrics)
        .service(docs::get_openapi_document)
        .service(docs::get_docs)
        .service(docs::get_docs_asset);
}
