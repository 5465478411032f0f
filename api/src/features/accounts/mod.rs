//! Accounts: registration and activation, sign-in sessions and tokens, one's own profile,
//! password and email, the affiliate's people and their roles, and machine clients.
pub mod clients;
pub mod delivery;
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
    cfg.service(routes::auth::issue_token)
        .service(routes::auth::revoke_token)
        .service(routes::auth::get_me)
        .service(routes::registrations::register)
        .service(routes::registrations::resend_temporary_login)
        .service(routes::registrations::activate_account)
        .service(routes::me::update_me)
        .service(routes::me::change_password)
        .service(routes::me::request_email_change)
        .service(routes::me::confirm_email_change)
        .service(routes::me::request_password_reset)
        .service(routes::me::confirm_password_reset)
        .service(routes::people::search_people)
        .service(routes::people::get_person)
        .service(routes::people::set_person_status)
        .service(routes::delivery::record_mail_bounce)
        .service(routes::delivery::remove_mail_bounce)
        .service(routes::delivery::record_mail_provider_event)
        .service(routes::people::grant_role)
        .service(routes::people::revoke_role)
        .service(routes::people::list_person_memberships)
        .service(routes::people::record_external_membership)
        .service(routes::people::get_membership_status)
        .service(routes::clients::create_client)
        .service(routes::clients::list_clients)
        .service(routes::clients::get_client)
        .service(routes::clients::rotate_client_secret)
        .service(routes::clients::revoke_client);
}

/// The routes outside `/v1`: the JWKS and the OAuth server metadata.
pub fn well_known(cfg: &mut ServiceConfig) {
    cfg.service(routes::auth::get_jwks).service(routes::auth::get_authorization_server_metadata);
}
