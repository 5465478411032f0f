//! Membership plans and memberships.
pub mod dto;
pub mod routes;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the memberships routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::plans)
        .service(routes::create_plan)
        .service(routes::update_plan)
        .service(routes::join)
        .service(routes::mine)
        .service(routes::list);
}
