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
    cfg.service(routes::sync::list_changes)
        .service(routes::sync::people)
        .service(routes::sync::memberships)
        .service(routes::sync::renewal_entries)
        .service(routes::sync::endorsements)
        .service(routes::sync::import_people)
        .service(routes::sync::import_memberships)
        .service(routes::webhooks::create_webhook)
        .service(routes::webhooks::list_webhooks)
        .service(routes::webhooks::get_webhook)
        .service(routes::webhooks::update_webhook)
        .service(routes::webhooks::delete_webhook)
        .service(routes::webhooks::rotate_webhook_secret)
        .service(routes::webhooks::list_webhook_deliveries)
        .service(routes::webhooks::get_webhook_delivery)
        .service(routes::webhooks::redeliver_webhook_delivery);
}
