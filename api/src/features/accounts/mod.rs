//! Accounts: registration and activation, sign-in sessions and tokens, one's own profile,
//! password and email, the affiliate's people and their roles, and machine clients.
pub mod clients;
pub mod dto;
pub mod login_tokens;
pub mod people;
pub mod people_repr;
pub mod profile;
pub mod registrations;
pub mod routes;
pub mod sessions;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the accounts routes (under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(routes::auth::token)
        .service(routes::auth::revoke)
        .service(routes::auth::me)
        .service(routes::registrations::register)
        .service(routes::registrations::resend)
        .service(routes::registrations::activate)
        .service(routes::me::update_me)
        .service(routes::me::change_password)
        .service(routes::me::request_email_change)
        .service(routes::me::confirm_email_change)
        .service(routes::me::request_password_reset)
        .service(routes::me::confirm_password_reset)
        .service(routes::people::search)
        .service(routes::people::get)
        .service(routes::people::set_status)
        .service(routes::people::grant_role)
        .service(routes::people::revoke_role)
        .service(routes::people::memberships_of)
        .service(routes::people::record_external)
        .service(routes::people::membership_status)
        .service(routes::clients::create)
        .service(routes::clients::list)
        .service(routes::clients::get)
        .service(routes::clients::rotate)
        .service(routes::clients::revoke);
}

/// The routes outside `/v1`: the JWKS and the OAuth server metadata.
pub fn well_known(cfg: &mut ServiceConfig) {
    cfg.service(routes::auth::jwks).service(routes::auth::server_metadata);
}
