//! Endorsements held: numbering and issue, the public registry and verification, signed credentials.
pub mod dto;
pub mod routes;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the endorsements routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::my_endorsements)
        .service(routes::set_listing)
        .service(routes::registry)
        .service(routes::credential)
        .service(routes::verify);
}
