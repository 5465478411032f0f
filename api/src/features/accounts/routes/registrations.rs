use actix_web::{HttpRequest, HttpResponse, http::header, post, web};

use crate::http::handler::{AppData, Reply};
use crate::{
    error::Problem, features::accounts::dto::people::EmailOnly, features::accounts::dto::people::Person,
    features::accounts::dto::people::SetPassword, features::accounts::dto::registrations::NewRegistration,
    features::accounts::dto::registrations::Registration, features::accounts::registrations,
    http::client_address::client_address, http::extract::ApiJson,
};

/// Registers for endorsement with an affiliate (public, rate limited): a pending account
/// and the registration-fee invoice. Once the fee is settled, a temporary login is emailed.
#[utoipa::path(
    tag = "registration",
    security(()),
    params(("affiliate" = String, Path, description = "Affiliate code (e.g. `wa`) or id")),
    request_body = NewRegistration,
    responses(
        (status = 201, description = "Registered: the account is pending until the fee is settled and the temporary login used", body = Registration),
        crate::http::responses::NoSuchAffiliate,
        (status = 429, description = "Too many registrations from this address", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/affiliates/{affiliate}/registrations")]
pub async fn register(
    req: HttpRequest,
    state: AppData,
    path: web::Path<String>,
    body: ApiJson<NewRegistration>,
) -> Reply {
    let client = client_address(&req, state.config.trust_forwarded_for);
    let registration = registrations::register(&state, &path.into_inner(), body.0, &client).await?;
    Ok(HttpResponse::Created().json(registration))
}

/// Sends the temporary login again (for a pending account whose fee is settled). Always
/// answers 202 so that it reveals nothing; rate limited.
#[utoipa::path(
    tag = "registration",
    security(()),
    request_body = EmailOnly,
    responses(
        (status = 202, description = "If the account is waiting for its temporary login, a new one is on its way"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/temporary-login/resend")]
pub async fn resend_temporary_login(req: HttpRequest, state: AppData, body: ApiJson<EmailOnly>) -> Reply {
    let client = client_address(&req, state.config.trust_forwarded_for);
    registrations::resend_temporary_login(&state, &body.0.email, &client).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Uses the temporary login: sets the password and activates the account.
#[utoipa::path(
    tag = "registration",
    security(()),
    request_body = SetPassword,
    responses(
        (status = 200, description = "Activated; sign in with the new password", body = Person),
        (status = 400, description = "`invalid_token`: unknown, used or expired", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`account_not_pending`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/activate")]
pub async fn activate_account(state: AppData, body: ApiJson<SetPassword>) -> Reply {
    let input = body.0;
    let person = registrations::activate(&state, &input.token, input.password).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(Person::from(person)))
}
