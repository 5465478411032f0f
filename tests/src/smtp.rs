//! A real SMTP server for the mail tests: it speaks ESMTP over TCP, offers STARTTLS with a
//! self-signed certificate when asked (the client must then trust `ca_pem`), refuses
//! `MAIL FROM` with a 4xx or recipients with a 5xx when told to, and keeps every message
//! it accepts, raw, with whether it came over TLS.
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::{
    TlsAcceptor,
    rustls::{
        ServerConfig,
        pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer},
    },
};

/// What the server does with a message.
#[derive(Clone, Copy, Debug)]
pub enum Refusal {
    /// Accept every message.
    None,
    /// Answer `451` to the first `n` `MAIL FROM`s (greylisting, a busy server).
    TemporarilyFor(usize),
    /// Answer `550` to every recipient (no such mailbox).
    Permanently,
}

#[derive(Clone, Debug)]
pub struct Received {
    /// Whether STARTTLS was in force when the message came.
    pub tls: bool,
    pub rcpt_to: Vec<String>,
    /// The message as sent after `DATA`, lines joined with CRLF, dot-stuffing undone.
    pub raw: String,
}

pub struct SmtpServer {
    pub port: u16,
    /// The certificate to trust (PEM) when `starttls` is on.
    pub ca_pem: String,
    received: Arc<Mutex<Vec<Received>>>,
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

struct Shared {
    received: Arc<Mutex<Vec<Received>>>,
    refusal: Mutex<Refusal>,
    acceptor: Option<TlsAcceptor>,
}

impl SmtpServer {
    /// Listens on 127.0.0.1; with `starttls`, mail is refused until the client upgrades.
    pub async fn start(starttls: bool, refusal: Refusal) -> SmtpServer {
        let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).expect("cert");
        let ca_pem = cert.cert.pem();
        let acceptor = starttls.then(|| {
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key_pair.serialize_der()));
            let chain = vec![CertificateDer::from(cert.cert.der().to_vec())];
            let config =
                ServerConfig::builder_with_provider(Arc::new(tokio_rustls::rustls::crypto::ring::default_provider()))
                    .with_safe_default_protocol_versions()
                    .expect("protocol versions")
                    .with_no_client_auth()
                    .with_single_cert(chain, key)
                    .expect("server config");
            TlsAcceptor::from(Arc::new(config))
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::new(Shared { received: received.clone(), refusal: Mutex::new(refusal), acceptor });
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let _ = session(Box::new(socket), shared).await;
                });
            }
        });
        SmtpServer { port, ca_pem, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

async fn session(stream: Box<dyn Stream>, shared: Arc<Shared>) -> std::io::Result<()> {
    let mut conn = BufReader::new(stream);
    conn.get_mut().write_all(b"220 127.0.0.1 ESMTP endorse-test\r\n").await?;
    let mut tls = false;
    let mut rcpt_to = Vec::new();
    loop {
        let mut line = String::new();
        if conn.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            if shared.acceptor.is_some() && !tls {
                b"250-127.0.0.1\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 STARTTLS\r\n"
            } else {
                b"250-127.0.0.1\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
            }
        } else if upper.starts_with("HELO") {
            b"250 127.0.0.1\r\n"
        } else if upper == "STARTTLS" {
            let Some(acceptor) = shared.acceptor.clone().filter(|_| !tls) else {
                conn.get_mut().write_all(b"454 TLS not available\r\n").await?;
                continue;
            };
            conn.get_mut().write_all(b"220 Ready to start TLS\r\n").await?;
            let plain = conn.into_inner();
            let secured = acceptor.accept(plain).await?;
            conn = BufReader::new(Box::new(secured));
            tls = true;
            rcpt_to.clear();
            continue;
        } else if shared.acceptor.is_some() && !tls && !upper.starts_with("QUIT") && !upper.starts_with("NOOP") {
            b"530 5.7.0 Must issue a STARTTLS command first\r\n"
        } else if upper.starts_with("MAIL FROM") {
            let mut refusal = shared.refusal.lock().map_err(|_| std::io::Error::other("lock"))?;
            match *refusal {
                Refusal::TemporarilyFor(n) if n > 0 => {
                    *refusal = Refusal::TemporarilyFor(n - 1);
                    b"451 4.3.0 Try again later\r\n"
                }
                _ => b"250 2.1.0 OK\r\n",
            }
        } else if upper.starts_with("RCPT TO") {
            let refused = matches!(shared.refusal.lock().map(|r| *r), Ok(Refusal::Permanently));
            if refused {
                b"550 5.1.1 No such user here\r\n"
            } else {
                rcpt_to.push(command[8..].trim().to_string());
                b"250 2.1.5 OK\r\n"
            }
        } else if upper == "DATA" {
            conn.get_mut().write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
            let mut raw = String::new();
            loop {
                let mut data = String::new();
                if conn.read_line(&mut data).await? == 0 {
                    return Ok(());
                }
                let data = data.trim_end_matches(['\r', '\n']);
                if data == "." {
                    break;
                }
                raw.push_str(data.strip_prefix('.').unwrap_or(data));
                raw.push_str("\r\n");
            }
            if let Ok(mut all) = shared.received.lock() {
                all.push(Received { tls, rcpt_to: std::mem::take(&mut rcpt_to), raw });
            }
            b"250 2.0.0 OK queued\r\n"
        } else if upper == "RSET" {
            rcpt_to.clear();
            b"250 2.0.0 OK\r\n"
        } else if upper == "QUIT" {
            conn.get_mut().write_all(b"221 2.0.0 Bye\r\n").await?;
            return Ok(());
        } else {
            b"250 2.0.0 OK\r\n"
        };
        conn.get_mut().write_all(reply).await?;
    }
}
