//! Scholarship funds, requests and awards.
pub mod dto;
pub mod routes;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the scholarships routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::list_scholarship_funds)
        .service(routes::create_scholarship_fund)
        .service(routes::request_scholarship)
        .service(routes::list_my_scholarship_requests)
        .service(routes::list_scholarship_requests)
        .service(routes::decide_scholarship_request);
}
