//! Which wording an email uses: the affiliate's own (a `mail_templates` row) when it has
//! one for the template and language, else the built-in one (`builtin/en.toml`,
//! `builtin/es.toml`, compiled in).
use std::collections::HashMap;
use std::sync::OnceLock;

use entity::mail_template::{self, MailTemplateKey};
use entity::sets::Language;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::render::Draft;

const ENGLISH: &str = include_str!("builtin/en.toml");
const SPANISH: &str = include_str!("builtin/es.toml");

#[derive(serde::Deserialize)]
struct Entry {
    subject: String,
    text: String,
    html: Option<String>,
}

fn builtins() -> &'static HashMap<(MailTemplateKey, Language), Draft> {
    static ALL: OnceLock<HashMap<(MailTemplateKey, Language), Draft>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = HashMap::new();
        for (language, source) in [(Language::English, ENGLISH), (Language::Spanish, SPANISH)] {
            // The files are part of the binary; the suite parses them and renders every
            // template, so a broken file cannot ship. Should one ever fail here, its
            // templates fall back to English (below) rather than the service stopping.
            let entries: HashMap<String, Entry> = toml::from_str(source).unwrap_or_default();
            for (key, entry) in entries {
                if let Some(key) = MailTemplateKey::parse(&key) {
                    all.insert((key, language), Draft { subject: entry.subject, text: entry.text, html: entry.html });
                }
            }
        }
        all
    })
}

/// The built-in wording of `key` in `language` (English when Spanish has none).
pub fn builtin(key: MailTemplateKey, language: Language) -> Draft {
    let all = builtins();
    all.get(&(key, language)).or_else(|| all.get(&(key, Language::English))).cloned().unwrap_or_else(|| Draft {
        subject: key.as_str().replace('_', " "),
        text: String::new(),
        html: None,
    })
}

/// The affiliate's own wording of `key` in `language`, if it has one.
pub async fn custom(
    db: &impl ConnectionTrait,
    affiliate_id: Uuid,
    key: MailTemplateKey,
    language: Language,
) -> Result<Option<mail_template::Model>, DbErr> {
    mail_template::Entity::find()
        .filter(mail_template::Column::AffiliateId.eq(affiliate_id))
        .filter(mail_template::Column::Template.eq(key))
        .filter(mail_template::Column::Language.eq(language))
        .filter(mail_template::Column::Customized.eq(true))
        .one(db)
        .await
}

/// The row of `key` in `language`, customized or reset.
pub async fn row(
    db: &impl ConnectionTrait,
    affiliate_id: Uuid,
    key: MailTemplateKey,
    language: Language,
) -> Result<Option<mail_template::Model>, DbErr> {
    mail_template::Entity::find()
        .filter(mail_template::Column::AffiliateId.eq(affiliate_id))
        .filter(mail_template::Column::Template.eq(key))
        .filter(mail_template::Column::Language.eq(language))
        .one(db)
        .await
}

pub fn draft_of(row: &mail_template::Model) -> Draft {
    Draft { subject: row.subject.clone(), text: row.text.clone(), html: row.html.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_files_parse_and_hold_every_template() {
        for (language, source) in [(Language::English, ENGLISH), (Language::Spanish, SPANISH)] {
            let entries: HashMap<String, Entry> = toml::from_str(source).unwrap_or_else(|e| panic!("{language}: {e}"));
            for key in MailTemplateKey::ALL {
                assert!(entries.contains_key(key.as_str()), "{language} has no `{key}`");
            }
            for name in entries.keys() {
                assert!(MailTemplateKey::parse(name).is_some(), "{language}: `{name}` is no template");
            }
        }
    }
}
