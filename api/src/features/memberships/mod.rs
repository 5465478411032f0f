//! Membership plans and memberships.
pub mod dto;
pub mod routes;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the memberships routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::list_membership_plans)
        .service(routes::create_membership_plan)
        .service(routes::update_membership_plan)
        .service(routes::join_membership)
        .service(routes::list_my_memberships)
        .service(routes::list_memberships);
}
