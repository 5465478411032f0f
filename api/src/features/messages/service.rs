use entity::{affiliate, mail_template, mail_template::MailTemplateKey, sets::Language};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set};
use uuid::Uuid;

use super::dto::{MailPreview, MailTemplate, MailTemplateDraft, MailTemplateInput};
use crate::{
    auth::Caller,
    db,
    db::begin_write,
    error::{AppError, AppResult},
    http::etag::Precondition,
    mail::{messages::Mail, render, render::Draft, templates},
    platform::{audit, audit::AuditEntry, tenancy},
};

async fn managed(db: &impl ConnectionTrait, caller: &Caller, ident: &str) -> AppResult<affiliate::Model> {
    tenancy::managed(db, caller, ident, "manage its email templates").await
}

/// The names a template may use: its sample's fields.
fn variables(key: MailTemplateKey, language: Language) -> Vec<String> {
    let ctx = Mail::sample(key, language).context("", "", language);
    let mut names: Vec<String> = ctx.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    names.sort();
    names
}

fn shown(key: MailTemplateKey, language: Language, row: Option<mail_template::Model>) -> MailTemplate {
    let builtin = templates::builtin(key, language);
    let variables = variables(key, language);
    match row {
        Some(r) if r.customized => MailTemplate {
            template: key,
            language,
            subject: r.subject,
            text: r.text,
            html: r.html,
            customized: true,
            variables,
            updated_at: Some(r.updated_at),
            version: r.version,
        },
        other => MailTemplate {
            template: key,
            language,
            subject: builtin.subject,
            text: builtin.text,
            html: builtin.html,
            customized: false,
            variables,
            updated_at: other.as_ref().map(|r| r.updated_at),
            version: other.map_or(0, |r| r.version),
        },
    }
}

/// Every template in both languages, as the affiliate's emails use them.
pub async fn list(db: &DatabaseConnection, caller: &Caller, ident: &str) -> AppResult<Vec<MailTemplate>> {
    let affiliate = managed(db, caller, ident).await?;
    let mut all = Vec::new();
    for key in MailTemplateKey::ALL {
        for language in Language::ALL {
            let row = templates::row(db, affiliate.id, *key, *language).await?;
            all.push(shown(*key, *language, row));
        }
    }
    Ok(all)
}

pub async fn get(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    key: MailTemplateKey,
    language: Language,
) -> AppResult<MailTemplate> {
    let affiliate = managed(db, caller, ident).await?;
    Ok(shown(key, language, templates::row(db, affiliate.id, key, language).await?))
}

/// Renders `draft` with the template's sample; a failure names the part and line.
fn try_render(key: MailTemplateKey, language: Language, affiliate: &str, draft: &Draft) -> AppResult<render::Rendered> {
    let ctx = Mail::sample(key, language).context("Ana López", affiliate, language);
    render::render(draft, &ctx).map_err(|e| AppError::invalid_field(e.part, "invalid_template", e.to_string()))
}

/// Replaces the affiliate's wording (If-Match: the template's version, 0 for a built-in one).
pub async fn replace(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    (key, language): (MailTemplateKey, Language),
    input: MailTemplateInput,
    precondition: &Precondition,
) -> AppResult<MailTemplate> {
    let txn = begin_write(db).await?;
    let affiliate = managed(&txn, caller, ident).await?;
    let draft = Draft { subject: input.subject, text: input.text, html: input.html };
    try_render(key, language, &affiliate.name, &draft)?;
    let current = templates::row(&txn, affiliate.id, key, language).await?;
    precondition.check(current.as_ref().map_or(0, |r| r.version))?;
    let now = db::now();
    let saved = match current {
        Some(row) => {
            let mut next: mail_template::ActiveModel = row.into();
            next.subject = Set(draft.subject);
            next.text = Set(draft.text);
            next.html = Set(draft.html);
            next.customized = Set(true);
            next.updated_by = Set(Some(caller.id));
            next.update(&txn).await?
        }
        None => {
            mail_template::ActiveModel {
                id: Set(Uuid::now_v7()),
                affiliate_id: Set(affiliate.id),
                template: Set(key),
                language: Set(language),
                subject: Set(draft.subject),
                text: Set(draft.text),
                html: Set(draft.html),
                customized: Set(true),
                updated_by: Set(Some(caller.id)),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            }
            .insert(&txn)
            .await?
        }
    };
    let entry = AuditEntry::new(Some(affiliate.id), "mail_template.replaced", "mail_template", saved.id)
        .after(serde_json::json!({"template": key, "language": language}));
    audit::by(&txn, caller, entry).await?;
    txn.commit().await?;
    Ok(shown(key, language, Some(saved)))
}

/// Back to the built-in wording; the version keeps counting, so a stale If-Match stays stale.
pub async fn reset(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    (key, language): (MailTemplateKey, Language),
    precondition: &Precondition,
) -> AppResult<MailTemplate> {
    let txn = begin_write(db).await?;
    let affiliate = managed(&txn, caller, ident).await?;
    let current = templates::row(&txn, affiliate.id, key, language).await?;
    precondition.check(current.as_ref().map_or(0, |r| r.version))?;
    let Some(row) = current.filter(|r| r.customized) else {
        txn.commit().await?;
        return Ok(shown(key, language, templates::row(db, affiliate.id, key, language).await?));
    };
    let mut next: mail_template::ActiveModel = row.into();
    next.customized = Set(false);
    next.updated_by = Set(Some(caller.id));
    let saved = next.update(&txn).await?;
    let entry = AuditEntry::new(Some(affiliate.id), "mail_template.reset", "mail_template", saved.id)
        .after(serde_json::json!({"template": key, "language": language}));
    audit::by(&txn, caller, entry).await?;
    txn.commit().await?;
    Ok(shown(key, language, Some(saved)))
}

/// The template (or a draft of it) rendered with its sample; nothing is stored.
pub async fn preview(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    (key, language): (MailTemplateKey, Language),
    draft: MailTemplateDraft,
) -> AppResult<MailPreview> {
    let affiliate = managed(db, caller, ident).await?;
    let current = shown(key, language, templates::row(db, affiliate.id, key, language).await?);
    let html = draft.html.or(current.html);
    let draft =
        Draft { subject: draft.subject.unwrap_or(current.subject), text: draft.text.unwrap_or(current.text), html };
    let done = try_render(key, language, &affiliate.name, &draft)?;
    Ok(MailPreview { subject: done.subject, text: done.text, html: done.html })
}
