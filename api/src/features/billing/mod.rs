//! Fee schedules, invoices and their ledger (payments, refunds, waivers, credits). Billing
//! imports no capability: what settling an invoice causes is `features::settlement`.
pub mod dto;
pub mod effects;
pub mod fees;
pub mod invoices;
pub mod routes;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the billing routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::schedule)
        .service(routes::publish)
        .service(routes::mine)
        .service(routes::list)
        .service(routes::get)
        .service(routes::record);
}
