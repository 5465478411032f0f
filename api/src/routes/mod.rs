//! HTTP handlers, one module per resource. Handlers stay thin: extract, call one
//! service, map the result. Every route is registered through utoipa so it is documented.
pub mod accounts;
pub mod affiliates;
pub mod applications;
pub mod auth;
pub mod auth_helpers;
pub mod billing;
pub mod catalog;
pub mod clients;
pub mod docs;
pub mod endorsement;
pub mod health;
pub mod memberships;
pub mod people;
pub mod registrations;
pub mod renewals;
pub mod reports;
pub mod schedule;
pub mod scholarships;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::http::idempotency::Idempotency;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(docs::openapi_json)
        .service(docs::docs)
        .service(auth::jwks)
        .service(auth::server_metadata)
        .service(
            scope::scope("/v1")
                .wrap(Idempotency)
                .service(auth::token)
                .service(auth::revoke)
                .service(auth::me)
                .service(affiliates::list)
                .service(affiliates::create)
                .service(affiliates::get)
                .service(affiliates::update)
                .service(registrations::register)
                .service(registrations::resend)
                .service(registrations::activate)
                .service(accounts::update_me)
                .service(accounts::change_password)
                .service(accounts::request_email_change)
                .service(accounts::confirm_email_change)
                .service(accounts::request_password_reset)
                .service(accounts::confirm_password_reset)
                .service(people::search)
                .service(people::get)
                .service(people::set_status)
                .service(people::grant_role)
                .service(people::revoke_role)
                .service(people::memberships_of)
                .service(people::record_external)
                .service(people::membership_status)
                .service(memberships::plans)
                .service(memberships::create_plan)
                .service(memberships::update_plan)
                .service(memberships::join)
                .service(memberships::mine)
                .service(memberships::list)
                .service(billing::schedule)
                .service(billing::publish)
                .service(billing::mine)
                .service(billing::list)
                .service(billing::get)
                .service(billing::record)
                .service(clients::create)
                .service(clients::list)
                .service(clients::get)
                .service(clients::rotate)
                .service(clients::revoke)
                .service(catalog::families)
                .service(catalog::categories)
                .service(catalog::get_category)
                .service(catalog::policies_in_force)
                .service(catalog::versions)
                .service(catalog::policy)
                .service(catalog::publish)
                .service(catalog::version)
                .service(catalog::evaluate)
                .service(catalog::fit_check)
                .service(catalog::my_fit_check)
                .service(schedule::list)
                .service(schedule::publish)
                .service(applications::start)
                .service(applications::list)
                .service(applications::get)
                .service(applications::history)
                .service(applications::withdraw)
                .service(applications::readiness)
                .service(applications::submit)
                .service(applications::code_of_ethics)
                .service(applications::sign)
                .service(applications::add_entry)
                .service(applications::list_entries)
                .service(applications::get_entry)
                .service(applications::replace_entry)
                .service(applications::remove_entry)
                .service(applications::verify_entry)
                .service(applications::invite)
                .service(applications::list_references)
                .service(applications::resend)
                .service(applications::rater_open)
                .service(applications::rater_submit)
                .service(applications::rater_decline)
                .service(endorsement::assign)
                .service(endorsement::list)
                .service(endorsement::advisory)
                .service(endorsement::mine)
                .service(endorsement::recommend)
                .service(endorsement::decide)
                .service(endorsement::sittings)
                .service(endorsement::create_sitting)
                .service(endorsement::register)
                .service(endorsement::result)
                .service(endorsement::my_endorsements)
                .service(endorsement::set_listing)
                .service(endorsement::registry)
                .service(endorsement::credential)
                .service(endorsement::verify)
                .service(renewals::period)
                .service(renewals::set_period)
                .service(renewals::readiness)
                .service(renewals::attest)
                .service(renewals::submit)
                .service(renewals::open)
                .service(renewals::mine)
                .service(renewals::add_entry)
                .service(renewals::list_entries)
                .service(renewals::remove_entry)
                .service(renewals::approve)
                .service(renewals::return_renewal)
                .service(renewals::statuses)
                .service(renewals::bulk)
                .service(renewals::lapse_job)
                .service(renewals::remind_job)
                .service(reports::endorsements)
                .service(reports::applications)
                .service(reports::renewals)
                .service(reports::scholarships)
                .service(scholarships::funds)
                .service(scholarships::create_fund)
                .service(scholarships::request)
                .service(scholarships::mine)
                .service(scholarships::list)
                .service(scholarships::decide),
        );
}
