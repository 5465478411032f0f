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
    cfg.service(routes::affiliates::list_affiliates)
        .service(routes::affiliates::create_affiliate)
        .service(routes::affiliates::get_affiliate)
        .service(routes::affiliates::update_affiliate)
        .service(routes::catalog::list_families)
        .service(routes::catalog::list_labels)
        .service(routes::catalog::list_categories)
        .service(routes::catalog::get_category)
        .service(routes::catalog::list_policies_in_force)
        .service(routes::catalog::list_policy_versions)
        .service(routes::catalog::get_policy_in_force)
        .service(routes::catalog::publish_policy_version)
        .service(routes::catalog::get_policy_version)
        .service(routes::catalog::evaluate_policy_version)
        .service(routes::catalog::check_fit)
        .service(routes::catalog::check_my_fit)
        .service(routes::schedule::list_schedule_events)
        .service(routes::schedule::publish_schedule_event);
}
