//! Affiliates and what they publish: the credential catalog, versioned policies, the
//! submission schedule, and the fit check.
pub mod catalog;
pub mod dto;
pub mod fit_check;
pub mod policies;
pub mod routes;
pub mod schedule;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the affiliates routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::affiliates::list)
        .service(routes::affiliates::create)
        .service(routes::affiliates::get)
        .service(routes::affiliates::update)
        .service(routes::catalog::families)
        .service(routes::catalog::categories)
        .service(routes::catalog::get_category)
        .service(routes::catalog::policies_in_force)
        .service(routes::catalog::versions)
        .service(routes::catalog::policy)
        .service(routes::catalog::publish)
        .service(routes::catalog::version)
        .service(routes::catalog::evaluate)
        .service(routes::catalog::fit_check)
        .service(routes::catalog::my_fit_check)
        .service(routes::schedule::list)
        .service(routes::schedule::publish);
}
