//! Scholarship funds, requests and awards.
pub mod dto;
pub mod routes;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the scholarships routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::funds)
        .service(routes::create_fund)
        .service(routes::request)
        .service(routes::mine)
        .service(routes::list)
        .service(routes::decide);
}
