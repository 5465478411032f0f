//! Queues an email: renders its template for the recipient and puts it on the outbox in
//! the caller's transaction, so it goes out if and only if the change that caused it
//! commits.
use entity::{affiliate, person, sets::Language};
use sea_orm::{ConnectionTrait, EntityTrait};

use super::{mailbox, messages::Mail, render, templates};
use crate::{error::AppResult, platform::outbox};

/// Who an email goes to, and the language they read.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub name: String,
    pub email: String,
    pub language: Language,
}

impl Recipient {
    pub fn person(p: &person::Model) -> Recipient {
        Recipient {
            name: format!("{} {}", p.given_name, p.family_name),
            email: p.email.clone(),
            language: p.preferred_language,
        }
    }

    /// The same person at another address (the one an email change leaves).
    pub fn at(&self, email: &str) -> Recipient {
        Recipient { email: email.to_string(), ..self.clone() }
    }
}

/// The email `mail` for `to`, in `to`'s language and `affiliate`'s wording.
pub async fn render_for(
    db: &impl ConnectionTrait,
    affiliate: &affiliate::Model,
    to: &Recipient,
    mail: &Mail,
) -> AppResult<render::Rendered> {
    let key = mail.key();
    let ctx = mail.context(&to.name, &affiliate.name, to.language);
    if let Some(row) = templates::custom(db, affiliate.id, key, to.language).await? {
        match render::render(&templates::draft_of(&row), &ctx) {
            Ok(done) => return Ok(done),
            // Saved templates render with their sample; a real value can still differ
            // (a missing optional field). The built-in wording is sent rather than nothing.
            Err(e) => {
                tracing::warn!(affiliate = %affiliate.code, template = %key, error = %e, "an affiliate template failed; the built-in one is used")
            }
        }
    }
    render::render(&templates::builtin(key, to.language), &ctx)
        .map_err(|e| crate::error::AppError::internal(format!("built-in template {key}: {e}")))
}

/// Renders `mail` for `to` and queues it.
pub async fn send(
    db: &impl ConnectionTrait,
    affiliate: &affiliate::Model,
    to: &Recipient,
    mail: &Mail,
) -> AppResult<()> {
    let done = render_for(db, affiliate, to, mail).await?;
    let message = outbox::EmailMessage {
        to: mailbox(&to.name, &to.email),
        subject: done.subject,
        text: done.text,
        html: Some(done.html),
        template: Some(mail.key()),
    };
    outbox::enqueue_email(db, &message).await?;
    Ok(())
}

/// `mail` to a person of the affiliate they belong to.
pub async fn to_person(db: &impl ConnectionTrait, p: &person::Model, mail: &Mail) -> AppResult<()> {
    let affiliate = affiliate::Entity::find_by_id(p.affiliate_id)
        .one(db)
        .await?
        .ok_or_else(|| crate::error::AppError::internal("a person's affiliate vanished"))?;
    send(db, &affiliate, &Recipient::person(p), mail).await
}
