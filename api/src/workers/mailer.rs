//! Email transport: SMTP when `SMTP_URL` is set, otherwise `.eml` files in a folder
//! (named after the outbox message, so a repeated delivery overwrites, never duplicates).
use std::path::PathBuf;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart, header::ContentType},
    transport::smtp::client::{Certificate, Tls, TlsParameters},
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
        Mailer::configured(smtp_url, None, folder)
    }

    /// SMTP at `smtp_url` (`smtp://` plain, `?tls=required|opportunistic` for STARTTLS,
    /// `smtps://` for TLS from the start), also trusting the PEM certificates `extra_roots`
    /// (a relay with a private CA); or `.eml` files in `folder` without a URL.
    pub fn configured(smtp_url: Option<&str>, extra_roots: Option<&str>, folder: PathBuf) -> Result<Mailer, String> {
        let Some(url) = smtp_url else {
            std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
            return Ok(Mailer::Folder(folder));
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| format!("SMTP_URL: {e}"))?;
        if let Some(pem) = extra_roots {
            let parsed = url::Url::parse(url).map_err(|e| format!("SMTP_URL: {e}"))?;
            let host = parsed.host_str().ok_or("SMTP_URL: no host")?.trim_matches(['[', ']']).to_string();
            let root = Certificate::from_pem(pem.as_bytes()).map_err(|e| format!("SMTP_CA_CERT: {e}"))?;
            let params = TlsParameters::builder(host)
                .add_root_certificate(root)
                .build()
                .map_err(|e| format!("SMTP_CA_CERT: {e}"))?;
            let mode = parsed.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.to_string());
            builder = match (parsed.scheme(), mode.as_deref()) {
                ("smtps", _) => builder.tls(Tls::Wrapper(params)),
                (_, Some("required")) => builder.tls(Tls::Required(params)),
                (_, Some("opportunistic")) => builder.tls(Tls::Opportunistic(params)),
                _ => {
                    return Err(
                        "SMTP_CA_CERT is set but SMTP_URL uses no TLS (add ?tls=required, or use smtps://)".into()
                    );
                }
            };
        }
        Ok(Mailer::Smtp(builder.timeout(Some(std::time::Duration::from_secs(30))).build()))
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
