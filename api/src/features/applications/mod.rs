//! Credential applications: the portfolio, reference raters, reviews and decisions, exams.
pub mod dto;
pub mod exams;
pub mod portfolio;
pub mod references;
pub mod reviews;
pub mod routes;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the applications routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::applications::start)
        .service(routes::applications::list)
        .service(routes::applications::get)
        .service(routes::applications::history)
        .service(routes::applications::withdraw)
        .service(routes::applications::readiness)
        .service(routes::applications::submit)
        .service(routes::applications::code_of_ethics)
        .service(routes::applications::sign)
        .service(routes::applications::add_entry)
        .service(routes::applications::list_entries)
        .service(routes::applications::get_entry)
        .service(routes::applications::replace_entry)
        .service(routes::applications::remove_entry)
        .service(routes::applications::verify_entry)
        .service(routes::applications::invite)
        .service(routes::applications::list_references)
        .service(routes::applications::resend)
        .service(routes::applications::rater_open)
        .service(routes::applications::rater_submit)
        .service(routes::applications::rater_decline)
        .service(routes::review::assign)
        .service(routes::review::list)
        .service(routes::review::advisory)
        .service(routes::review::mine)
        .service(routes::review::recommend)
        .service(routes::review::decide)
        .service(routes::exams::sittings)
        .service(routes::exams::create_sitting)
        .service(routes::exams::register)
        .service(routes::exams::result);
}
