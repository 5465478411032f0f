//! Endorsements held: numbering and issue, the public registry and verification, signed credentials.
pub mod dto;
pub mod routes;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the endorsements routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::list_my_endorsements)
        .service(routes::set_endorsement_listing)
        .service(routes::search_registry)
        .service(routes::get_credential)
        .service(routes::verify_endorsement);
}
