//! Queues an email: renders its template for the recipient and puts it on the outbox in
//! the caller's transaction, so it goes out if and only if the change that caused it
//! commits.
use entity::{affiliate, person, person::BounceKind, sets::Language};
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

/// Where a reminder to `p` goes, or `None` when they turned reminders off or the address
/// hard-bounced or complained (mailing it again would only hurt the sender's standing):
/// the reminder address when they gave one, else their email.
pub fn reminder_recipient(p: &person::Model) -> Option<Recipient> {
    if !p.reminders_enabled {
        return None;
    }
    let to = Recipient::person(p);
    let to = match &p.reminder_email {
        Some(other) => to.at(other),
        None => to,
    };
    let suppressed = matches!(p.bounce_kind, Some(BounceKind::Hard | BounceKind::Complaint))
        && p.bounced_email.as_deref().is_some_and(|b| b.eq_ignore_ascii_case(&to.email));
    (!suppressed).then_some(to)
}

/// Queues the reminder `mail` for `p` where `reminder_recipient` says; false when none.
pub async fn remind(
    db: &impl ConnectionTrait,
    affiliate: &affiliate::Model,
    p: &person::Model,
    mail: &Mail,
) -> AppResult<bool> {
    debug_assert!(mail.is_reminder());
    match reminder_recipient(p) {
        Some(to) => send(db, affiliate, &to, mail).await.map(|()| true),
        None => Ok(false),
    }
}

/// `mail` to a person of the affiliate they belong to.
pub async fn to_person(db: &impl ConnectionTrait, p: &person::Model, mail: &Mail) -> AppResult<()> {
    let affiliate = affiliate::Entity::find_by_id(p.affiliate_id)
        .one(db)
        .await?
        .ok_or_else(|| crate::error::AppError::internal("a person's affiliate vanished"))?;
    send(db, &affiliate, &Recipient::person(p), mail).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(email: &str) -> person::Model {
        let now = chrono::Utc::now();
        person::Model {
            id: uuid::Uuid::now_v7(),
            affiliate_id: uuid::Uuid::now_v7(),
            email: email.into(),
            email_normalized: email.to_lowercase(),
            given_name: "Ana".into(),
            family_name: "López".into(),
            password_hash: None,
            status: person::PersonStatus::Active,
            preferred_language: Language::Spanish,
            phone: None,
            address_line1: None,
            address_line2: None,
            city: None,
            region: None,
            postal_code: None,
            country: None,
            created_at: now,
            updated_at: now,
            version: 1,
            created_via: person::AccountOrigin::Registration,
            last_signed_in_at: None,
            token_generation: 0,
            reminders_enabled: true,
            reminder_email: None,
            bounced_at: None,
            bounce_kind: None,
            bounce_reason: None,
            bounced_email: None,
        }
    }

    fn bounced(mut p: person::Model, email: &str, kind: BounceKind) -> person::Model {
        p.bounced_email = Some(email.into());
        p.bounce_kind = Some(kind);
        p.bounced_at = Some(chrono::Utc::now());
        p
    }

    #[test]
    fn reminders_go_to_the_reminder_address_unless_off_or_suppressed() {
        let work = person("ana@childhaven.org");
        assert_eq!(reminder_recipient(&work).map(|r| r.email).as_deref(), Some("ana@childhaven.org"));
        let home = person::Model { reminder_email: Some("ana@home.example".into()), ..work.clone() };
        let to = reminder_recipient(&home).unwrap();
        assert_eq!((to.email.as_str(), to.language), ("ana@home.example", Language::Spanish));
        assert!(reminder_recipient(&person::Model { reminders_enabled: false, ..home.clone() }).is_none());
        // A hard bounce or complaint of the address used stops reminders; a soft one does not,
        // nor a bounce of the other address.
        assert!(reminder_recipient(&bounced(work.clone(), "ANA@childhaven.org", BounceKind::Hard)).is_none());
        assert!(reminder_recipient(&bounced(work.clone(), "ana@childhaven.org", BounceKind::Complaint)).is_none());
        assert!(reminder_recipient(&bounced(work.clone(), "ana@childhaven.org", BounceKind::Soft)).is_some());
        let to = reminder_recipient(&bounced(home, "ana@childhaven.org", BounceKind::Hard)).unwrap();
        assert_eq!(to.email, "ana@home.example");
    }
}
