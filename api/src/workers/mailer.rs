//! Email transport: SMTP when `SMTP_URL` is set, otherwise `.eml` files in a folder
//! (named after the outbox message, so a repeated delivery overwrites, never duplicates).
use std::path::PathBuf;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart, header::ContentType},
};
use uuid::Uuid;

use crate::platform::outbox::EmailMessage;

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, folder: PathBuf) -> Result<Mailer, String> {
        match smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| Mailer::Smtp(b.timeout(Some(std::time::Duration::from_secs(30))).build()))
                .map_err(|e| format!("SMTP_URL: {e}")),
            None => {
                std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
                Ok(Mailer::Folder(folder))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp(_) => "SMTP".into(),
            Mailer::Folder(p) => format!("files in {}", p.display()),
        }
    }

    /// Sends one email. The Message-ID is derived from the outbox id, so a receiver can
    /// recognise a repeated delivery after a crash between sending and recording it.
    pub async fn send(&self, id: Uuid, from: &Mailbox, email: &EmailMessage) -> Result<(), MailError> {
        let to: Mailbox =
            email.to.parse().map_err(|e| MailError::Undeliverable(format!("bad recipient `{}`: {e}", email.to)))?;
        let domain = from.email.domain().to_string();
        let builder = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(format!("<{id}@{domain}>")));
        let message = match &email.html {
            // Plain text first: a reader that shows one part shows the last it understands.
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(email.text.clone(), html.clone())),
            None => builder.header(ContentType::TEXT_PLAIN).body(email.text.clone()),
        }
        .map_err(|e| MailError::Undeliverable(format!("cannot build message: {e}")))?;
        match self {
            Mailer::Smtp(transport) => transport.send(message).await.map(|_| ()).map_err(|e| {
                // A 5xx answer (no such mailbox, refused recipient) will not change on a retry.
                if e.is_permanent() {
                    MailError::Undeliverable(format!("SMTP: {e}"))
                } else {
                    MailError::Transient(format!("SMTP: {e}"))
                }
            }),
            Mailer::Folder(dir) => {
                let path = dir.join(format!("{id}.eml"));
                let tmp = dir.join(format!(".{id}.eml.tmp"));
                tokio::fs::write(&tmp, message.formatted())
                    .await
                    .map_err(|e| MailError::Transient(format!("write {}: {e}", tmp.display())))?;
                tokio::fs::rename(&tmp, &path)
                    .await
                    .map_err(|e| MailError::Transient(format!("rename {}: {e}", path.display())))
            }
        }
    }
}

/// Why an email was not sent: for now (retry later), or for good (the message itself
/// cannot be delivered, so retrying would only repeat the failure).
#[derive(Debug, PartialEq, Eq)]
pub enum MailError {
    Transient(String),
    Undeliverable(String),
}

impl std::fmt::Display for MailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailError::Transient(e) => f.write_str(e),
            MailError::Undeliverable(e) => write!(f, "undeliverable: {e}"),
        }
    }
}
