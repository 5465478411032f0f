//! The yearly renewal, lapse and reinstatement, and the renewal jobs.
pub mod dto;
pub mod routes;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the renewals routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::period)
        .service(routes::set_period)
        .service(routes::readiness)
        .service(routes::attest)
        .service(routes::submit)
        .service(routes::open)
        .service(routes::mine)
        .service(routes::add_entry)
        .service(routes::list_entries)
        .service(routes::remove_entry)
        .service(routes::approve)
        .service(routes::return_renewal)
        .service(routes::statuses)
        .service(routes::bulk)
        .service(routes::lapse_job)
        .service(routes::remind_job);
}
