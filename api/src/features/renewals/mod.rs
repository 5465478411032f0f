//! The yearly renewal, lapse and reinstatement, and the renewal jobs.
pub mod dto;
pub mod routes;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the renewals routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::get_renewal_period)
        .service(routes::set_renewal_period)
        .service(routes::get_renewal_readiness)
        .service(routes::attest_renewal)
        .service(routes::submit_renewal)
        .service(routes::open_renewal)
        .service(routes::get_my_renewal)
        .service(routes::add_renewal_entry)
        .service(routes::list_renewal_entries)
        .service(routes::remove_renewal_entry)
        .service(routes::approve_renewal)
        .service(routes::return_renewal)
        .service(routes::list_renewal_statuses)
        .service(routes::run_bulk_renewal_action)
        .service(routes::run_lapse_job)
        .service(routes::run_reminder_job);
}
