use chrono::{DateTime, Utc};
use entity::{mail_template::MailTemplateKey, sets::Language};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationErrors};

use crate::http::validate::text;

/// The most a template's text or HTML may hold.
pub const MAX_TEMPLATE_CHARS: usize = 20_000;

/// One email template of an affiliate in one language: its own wording, or the built-in one.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "template": "temporary_login", "language": "es",
    "subject": "{{ affiliate }}: su acceso temporal",
    "text": "Hola {{ name }}:\n\nUse este enlace para crear su contraseña:\n\n{{ link }}\n\nO ingrese este código: {{ code }}\n",
    "html": null, "customized": true,
    "variables": ["affiliate", "code", "language", "link", "name", "valid_for"],
    "updated_at": "2026-11-23T17:30:00Z", "version": 2
}))]
pub struct MailTemplate {
    pub template: MailTemplateKey,
    pub language: Language,
    #[schema(max_length = 300)]
    pub subject: String,
    /// The plain-text body (minijinja).
    #[schema(max_length = 20000)]
    pub text: String,
    /// The HTML body; `null`: the plain text in the standard layout.
    #[schema(max_length = 20000)]
    pub html: Option<String>,
    /// The affiliate's own wording (`false`: the built-in one).
    pub customized: bool,
    /// What the template may use.
    pub variables: Vec<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// 0 until the affiliate first words it; sent as the ETag.
    #[schema(minimum = 0)]
    pub version: i64,
}

/// An affiliate's wording of a template: minijinja, refused (422 `invalid_template`
/// naming the part and line) when it does not render with the template's sample.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "subject": "{{ affiliate }}: your temporary login",
    "text": "Hello {{ name }},\n\nSet your password here:\n\n{{ link }}\n\nOr enter this code: {{ code }}\n",
    "html": null
}))]
pub struct MailTemplateInput {
    #[schema(min_length = 1, max_length = 300)]
    pub subject: String,
    #[schema(min_length = 1, max_length = 20000)]
    pub text: String,
    #[schema(min_length = 1, max_length = 20000)]
    pub html: Option<String>,
}

impl Validate for MailTemplateInput {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        text(&mut e, "subject", &self.subject, 300);
        text(&mut e, "text", &self.text, MAX_TEMPLATE_CHARS);
        if let Some(html) = &self.html {
            text(&mut e, "html", html, MAX_TEMPLATE_CHARS);
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// A wording to try: each part left out is the template's current one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"subject": "{{ affiliate }}: welcome, {{ name }}"}))]
pub struct MailTemplateDraft {
    #[schema(min_length = 1, max_length = 300)]
    pub subject: Option<String>,
    #[schema(min_length = 1, max_length = 20000)]
    pub text: Option<String>,
    #[schema(min_length = 1, max_length = 20000)]
    pub html: Option<String>,
}

impl Validate for MailTemplateDraft {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        for (field, value, max) in [
            ("subject", &self.subject, 300),
            ("text", &self.text, MAX_TEMPLATE_CHARS),
            ("html", &self.html, MAX_TEMPLATE_CHARS),
        ] {
            if let Some(v) = value {
                text(&mut e, field, v, max);
            }
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// A template rendered with its sample (Washington's values), as the email would be.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "subject": "Washington Association for Infant Mental Health: your temporary login",
    "text": "Hello Ana López,\n\nSet your password here:\n\nhttps://portal.wa-aimh.org/activate?token=Q2hvb3NlIGEgcGFzc3dvcmQ\n",
    "html": "<!DOCTYPE html>\n<html lang=\"en\">…</html>\n"
}))]
pub struct MailPreview {
    pub subject: String,
    pub text: String,
    pub html: String,
}
