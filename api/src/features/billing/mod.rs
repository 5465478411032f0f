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
    cfg.service(routes::list_fees)
        .service(routes::publish_fee)
        .service(routes::list_my_invoices)
        .service(routes::list_invoices)
        .service(routes::get_invoice)
        .service(routes::record_invoice_entry);
}
