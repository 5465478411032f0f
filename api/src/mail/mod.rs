//! Every email the service sends. A typed message (`messages::Mail`) is rendered from its
//! template (the affiliate's own wording, else the built-in one, in the recipient's
//! language: `templates`) into a subject, a plain-text body and an HTML body (`render`),
//! with links into the front end (`links`) and names and dates in that language
//! (`locale`), and queued on the outbox in the caller's transaction (`send`).
//!
//! Templates are minijinja: Jinja syntax that coordinators can edit without a rebuild,
//! rendered in a sandbox (no file or network access, bounded work), with undefined
//! variables refused, so a template that names a field its message does not have fails
//! when it is saved, not when it is sent.
pub mod links;
pub mod locale;
pub mod messages;
pub mod render;
pub mod send;
pub mod templates;

pub use send::{Recipient, remind, send, to_person};

/// `"Name" <address>`, with characters that could break the header removed (a quote, a
/// backslash that would escape the closing quote, angle brackets, control characters).
pub fn mailbox(name: &str, email: &str) -> String {
    let name: String = name.chars().filter(|c| !matches!(c, '"' | '\\' | '<' | '>') && !c.is_control()).collect();
    format!("\"{name}\" <{email}>")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_mailbox_cannot_carry_a_second_header() {
        let to = super::mailbox("Ana \"<x>\"\r\nBcc: evil", "ana@example.org");
        assert!(!to.contains('\n') && !to.contains("<x>"), "{to}");
        assert!(to.ends_with("<ana@example.org>"));
    }
}

/// Every built-in template in both languages, rendered with its sample, as committed
/// snapshots (`snapshots/`): a wording change shows up in review as the email it makes.
#[cfg(test)]
mod snapshots {
    use entity::{mail_template::MailTemplateKey, sets::Language};

    use super::{messages::Mail, render, templates};

    #[test]
    fn every_template_renders_in_both_languages() {
        for key in MailTemplateKey::ALL {
            for language in Language::ALL {
                let mail = Mail::sample(*key, *language);
                let ctx = mail.context("Ana López", "Washington Association for Infant Mental Health", *language);
                let done = render::render(&templates::builtin(*key, *language), &ctx)
                    .unwrap_or_else(|e| panic!("{key} in {language}: {e}"));
                assert!(!done.text.contains("{{") && !done.subject.contains("{{"), "{key} {language}");
                insta::assert_snapshot!(
                    format!("{key}.{language}"),
                    format!("Subject: {}\n\n{}\n----- HTML -----\n{}", done.subject, done.text, done.html)
                );
            }
        }
    }
}
