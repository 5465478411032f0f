//! Partners: the change feed, bulk sync by external id, CSV imports and exports, webhooks.
pub mod dto;
pub mod exports;
pub mod feed;
pub mod imports;
pub mod routes;
pub mod sync;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the partners routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::sync::changes)
        .service(routes::sync::people)
        .service(routes::sync::memberships)
        .service(routes::sync::renewal_entries)
        .service(routes::sync::endorsements)
        .service(routes::sync::import_people)
        .service(routes::sync::import_memberships)
        .service(routes::webhooks::create)
        .service(routes::webhooks::list)
        .service(routes::webhooks::get)
        .service(routes::webhooks::update)
        .service(routes::webhooks::remove)
        .service(routes::webhooks::rotate)
        .service(routes::webhooks::deliveries)
        .service(routes::webhooks::delivery)
        .service(routes::webhooks::redeliver);
}
