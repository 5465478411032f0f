//! Delivery status: staff record or clear a person's last bounce; the mail provider
//! reports bounces and complaints through a signed webhook.
use actix_web::{HttpRequest, HttpResponse, delete, http::header, post, put, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::{Validate, ValidationErrors};

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::AppError, error::Problem, error::ProblemCode, features::accounts::delivery,
    features::accounts::dto::people::BounceKind, features::accounts::dto::people::BounceReport,
    features::accounts::dto::people::Person, features::accounts::dto::people::check_email, http::etag::Precondition,
    http::etag::etag, http::extract::ApiJson, http::extract::flatten_validation, http::extract::parse_json,
};

/// Records a bounce or complaint reported to staff (coordinators of the person's affiliate).
///
/// The address must be the person's email or reminder address. A hard bounce or a
/// complaint stops reminders to that address; transactional email is still sent. The
/// person's version changes.
#[utoipa::path(
    tag = "people",
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = BounceReport,
    responses(
        (status = 200, description = "The person with the bounce", body = Person, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such person you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/people/{id}/mail-bounce")]
pub async fn record_mail_bounce(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    precondition: Precondition,
    body: ApiJson<BounceReport>,
) -> Reply {
    let p = delivery::record_bounce(&state.db, &caller, path.into_inner(), &precondition, body.0).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(p.version))).json(Person::from(p)))
}

/// Clears a person's last bounce once the address works again (coordinators).
#[utoipa::path(
    tag = "people",
    params(("id" = Uuid, Path, description = "Person id")),
    responses(
        (status = 200, description = "The person, `mail.last_bounce` null", body = Person, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such person you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/people/{id}/mail-bounce")]
pub async fn remove_mail_bounce(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    precondition: Precondition,
) -> Reply {
    let p = delivery::clear_bounce(&state.db, &caller, path.into_inner(), &precondition).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(p.version))).json(Person::from(p)))
}

/// What a mail provider reports about one address.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "ana.lopez@childhaven.org", "kind": "hard", "reason": "550 5.1.1 mailbox unavailable"}))]
pub struct MailProviderEvent {
    /// The recipient address the report is about.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    pub kind: BounceKind,
    /// What the receiving server said (longer text is cut at 500 characters).
    #[schema(max_length = 4000)]
    pub reason: Option<String>,
}

impl Validate for MailProviderEvent {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_email("email", &self.email, &mut errors);
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

fn header_of<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The mail provider's bounce and complaint webhook (public; signed).
///
/// Signed as Standard Webhooks says, with `MAIL_WEBHOOK_SECRET` (`whsec_…`): the
/// `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, the HMAC-SHA256 of
/// `{id}.{timestamp}.{body}`, a timestamp within 5 minutes. Every person known by the
/// address (email or reminder address) gets it as their last bounce; a hard bounce or
/// complaint stops reminders to it. Answers 204 whether or not anyone has the address.
/// Without `MAIL_WEBHOOK_SECRET` the endpoint answers 404.
#[utoipa::path(
    tag = "people",
    security(()),
    params(
        ("Webhook-Id" = String, Header, description = "The message id (redeliveries reuse it)"),
        ("Webhook-Timestamp" = i64, Header, description = "Unix seconds when it was signed"),
        ("Webhook-Signature" = String, Header, description = "`v1,<base64>` values, space-separated")
    ),
    request_body = MailProviderEvent,
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, description = "No mail webhook is configured", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/mail/events")]
pub async fn record_mail_provider_event(state: AppData, req: HttpRequest, body: web::Bytes) -> Reply {
    let Some(secret) = state.config.mail_webhook_secret.as_deref() else {
        return Err(AppError::NotFound("Mail webhook".into()));
    };
    let refused = || {
        AppError::bad_request(
            ProblemCode::InvalidSignature,
            "The webhook-signature does not verify, or webhook-timestamp is more than 5 minutes off.",
        )
    };
    let id = header_of(&req, "webhook-id").ok_or_else(refused)?;
    let timestamp: i64 =
        header_of(&req, "webhook-timestamp").and_then(|t| t.trim().parse().ok()).ok_or_else(refused)?;
    let signature = header_of(&req, "webhook-signature").ok_or_else(refused)?;
    let now = chrono::Utc::now().timestamp();
    if !crate::domain::webhooks::verify(secret, id, timestamp, &body, signature, now) {
        return Err(refused());
    }
    let event: MailProviderEvent = parse_json(&body)?;
    event.validate().map_err(|e| AppError::Validation(flatten_validation(&e)))?;
    let reason: Option<String> = event.reason.map(|r| r.chars().take(500).collect());
    delivery::apply_provider_report(&state.db, &event.email, event.kind, reason.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
