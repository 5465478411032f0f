use actix_web::{HttpRequest, HttpResponse, http::header, patch, post};

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, auth::SubjectKind, error::Problem, features::accounts::dto::people::EmailChange,
    features::accounts::dto::people::EmailOnly, features::accounts::dto::people::PasswordChange,
    features::accounts::dto::people::Person, features::accounts::dto::people::Profile,
    features::accounts::dto::people::ProfilePatch, features::accounts::dto::people::SetPassword,
    features::accounts::dto::people::TokenOnly, features::accounts::profile as accounts,
    http::client_address::client_address, http::etag::Precondition, http::etag::etag, http::extract::ApiJson,
};

/// Updates one's own profile (names, language, contact details). Needs `If-Match`.
#[utoipa::path(
    tag = "accounts",
    request_body = ProfilePatch,
    responses(
        (status = 200, description = "Updated", body = Profile, headers(("ETag" = String, description = "New version"))),
        (status = 403, description = "Machine clients have no profile", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/me")]
pub async fn update_me(
    state: AppData,
    caller: Caller,
    precondition: Precondition,
    body: ApiJson<ProfilePatch>,
) -> Reply {
    let profile = accounts::update_profile(&state.db, &caller, &precondition, body.0).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(profile.person.version))).json(profile))
}

/// Changes one's password (the current one is required). Every session is signed out.
#[utoipa::path(
    tag = "accounts",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 403, description = "Machine clients have no password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/me/password")]
pub async fn change_password(state: AppData, caller: Caller, body: ApiJson<PasswordChange>) -> Reply {
    accounts::change_password(&state.db, &caller, body.0).await?;
    state.generations.forget(SubjectKind::Person, caller.id);
    Ok(HttpResponse::NoContent().finish())
}

/// Starts an email change: a confirmation link goes to the new address.
#[utoipa::path(
    tag = "accounts",
    request_body = EmailChange,
    responses(
        (status = 202, description = "Confirmation sent to the new address"),
        (status = 403, description = "Machine clients have no email", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/me/email-change")]
pub async fn request_email_change(state: AppData, caller: Caller, body: ApiJson<EmailChange>) -> Reply {
    accounts::request_email_change(&state, &caller, body.0).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Confirms an email change with the code from the new address.
#[utoipa::path(
    tag = "accounts",
    security(()),
    request_body = TokenOnly,
    responses(
        (status = 200, description = "The account now uses the new address", body = Person),
        (status = 400, description = "`invalid_token`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/email-change/confirm")]
pub async fn confirm_email_change(state: AppData, body: ApiJson<TokenOnly>) -> Reply {
    Ok(HttpResponse::Ok().json(accounts::confirm_email_change(&state, &body.0.token).await?))
}

/// Asks for a password-reset email. Always 202, so it reveals nothing; rate limited.
#[utoipa::path(
    tag = "accounts",
    security(()),
    request_body = EmailOnly,
    responses(
        (status = 202, description = "If an active account has this email, a reset link is on its way"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(req: HttpRequest, state: AppData, body: ApiJson<EmailOnly>) -> Reply {
    let client = client_address(&req, state.config.trust_forwarded_for);
    accounts::request_password_reset(&state, &body.0.email, &client).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Sets a new password with the code from the reset email; every session is signed out.
#[utoipa::path(
    tag = "accounts",
    security(()),
    request_body = SetPassword,
    responses(
        (status = 204, description = "Password changed"),
        (status = 400, description = "`invalid_token`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(state: AppData, body: ApiJson<SetPassword>) -> Reply {
    let input = body.0;
    accounts::confirm_password_reset(&state, &input.token, input.password).await?;
    Ok(HttpResponse::NoContent().finish())
}
