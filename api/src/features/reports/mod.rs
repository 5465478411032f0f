//! Dashboard reports and CSV exports for coordinators and `reports:read` clients.
pub mod dto;
pub mod routes;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the reports routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::endorsements)
        .service(routes::applications)
        .service(routes::get_renewal_report)
        .service(routes::scholarships)
        .service(routes::export_endorsees_csv)
        .service(routes::export_renewals_csv);
}
