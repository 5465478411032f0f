//! Credential applications: the portfolio, reference raters, reviews and decisions, exams.
pub mod dto;
pub mod exams;
pub mod portfolio;
pub mod references;
pub mod reminders;
pub mod reviews;
pub mod routes;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the applications routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::applications::start_application)
        .service(routes::applications::list_applications)
        .service(routes::applications::get_application)
        .service(routes::applications::list_application_history)
        .service(routes::applications::withdraw_application)
        .service(routes::applications::get_application_readiness)
        .service(routes::applications::submit_application)
        .service(routes::applications::get_code_of_ethics)
        .service(routes::applications::sign_attestation)
        .service(routes::applications::add_portfolio_entry)
        .service(routes::applications::list_portfolio_entries)
        .service(routes::applications::get_portfolio_entry)
        .service(routes::applications::replace_portfolio_entry)
        .service(routes::applications::remove_portfolio_entry)
        .service(routes::applications::verify_portfolio_entry)
        .service(routes::applications::invite_reference)
        .service(routes::applications::list_references)
        .service(routes::applications::resend_reference)
        .service(routes::applications::open_reference_request)
        .service(routes::applications::submit_reference)
        .service(routes::applications::decline_reference)
        .service(routes::review::assign_reviewer)
        .service(routes::review::list_reviews)
        .service(routes::review::list_advisory_feedback)
        .service(routes::review::list_my_reviews)
        .service(routes::review::submit_recommendation)
        .service(routes::review::decide_application)
        .service(routes::exams::list_exam_sittings)
        .service(routes::exams::create_exam_sitting)
        .service(routes::exams::register_for_exam)
        .service(routes::exams::record_exam_result)
        .service(routes::reminders::run_reference_reminder_job)
        .service(routes::reminders::run_exam_reminder_job);
}
