//! The outbox: messages written in the caller's transaction, delivered once by the
//! worker (to files or SMTP), retried with backoff, never by two workers at once.
use std::{sync::Arc, time::Duration};

use api::{
    db::begin_write, http::metrics::Metrics, platform::outbox::EmailMessage, platform::outbox::enqueue_email,
    workers::mailer::Mailer, workers::outbox::OutboxWorker,
};
use endorse_tests::{
    TestApp,
    smtp::{Refusal, SmtpServer},
};
use sea_orm::{EntityTrait, TransactionTrait};
use tokio::net::TcpListener;

fn email(n: usize) -> EmailMessage {
    EmailMessage {
        to: format!("Person {n} <p{n}@example.org>"),
        subject: format!("Welcome {n}"),
        text: "Hello from endorse.".into(),
        html: None,
        template: None,
    }
}

fn worker(app: &TestApp, mailer: Mailer, max_attempts: i32) -> OutboxWorker {
    OutboxWorker {
        db: app.state.db.clone(),
        mailer,
        from: "Endorse <no-reply@endorse.test>".parse().unwrap(),
        max_attempts,
        metrics: Arc::new(Metrics::new().unwrap()),
        links: app.state.links.clone(),
    }
}

#[tokio::test]
async fn committed_messages_are_delivered_as_files_and_rolled_back_ones_never_exist() {
    let app = TestApp::spawn().await;
    let txn = begin_write(&app.state.db).await.unwrap();
    let id = enqueue_email(&txn, &email(1)).await.unwrap();
    txn.commit().await.unwrap();
    let txn = app.state.db.begin().await.unwrap();
    enqueue_email(&txn, &email(2)).await.unwrap();
    txn.rollback().await.unwrap();

    let path = app.mail_dir.join(format!("{id}.eml"));
    let mut delivered = false;
    for _ in 0..100 {
        if path.exists() {
            delivered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(delivered, "the running worker wrote {}", path.display());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("Subject: Welcome 1"), "{text}");
    assert!(
        text.contains(&format!("Message-ID: <{id}@endorse")) || text.contains(&format!("Message-ID: <{id}@localhost>")),
        "{text}"
    );
    assert!(
        text.contains("To: \"Person 1\" <p1@example.org>") || text.contains("To: Person 1 <p1@example.org>"),
        "{text}"
    );
    assert_eq!(app.count("outbox_messages", "").await, 1, "the rolled-back message was never written");
    // The row is marked sent just after the file is written.
    for _ in 0..50 {
        if app.count("outbox_messages", "status = 'sent' AND attempts = 1").await == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the message was not marked sent");
}

#[tokio::test]
async fn failures_are_retried_with_backoff_then_abandoned() {
    let app = TestApp::spawn_with(&[("RUN_OUTBOX_WORKER", "false")]).await;
    let id = enqueue_email(&app.state.db, &email(1)).await.unwrap();
    // Nothing listens on this port: every attempt fails.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let mailer = Mailer::new(Some(&format!("smtp://127.0.0.1:{closed}")), app.mail_dir.clone()).unwrap();
    let w = worker(&app, mailer, 2);

    let before = chrono::Utc::now();
    let report = w.tick().await.unwrap();
    assert_eq!((report.delivered, report.failed), (0, 1));
    let row = entity::outbox_message::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(row.status.as_str(), "pending");
    assert_eq!(row.attempts, 1);
    assert!(row.last_error.as_deref().unwrap_or_default().contains("SMTP"), "{:?}", row.last_error);
    let wait = (row.next_attempt_at - before).num_seconds();
    assert!((23..=37).contains(&wait), "first retry after ~30 s ± 20%, got {wait}");
    assert!(row.locked_until.is_none());

    let report = w.tick().await.unwrap();
    assert_eq!(report, Default::default(), "not due yet");

    // Make it due again: the second failure reaches the maximum and the message is abandoned.
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
    entity::outbox_message::Entity::update_many()
        .col_expr(entity::outbox_message::Column::NextAttemptAt, Expr::value(chrono::Utc::now()))
        .filter(entity::outbox_message::Column::Id.eq(id))
        .exec(&app.state.db)
        .await
        .unwrap();
    assert_eq!(w.tick().await.unwrap().failed, 1);
    let row = entity::outbox_message::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(row.status.as_str(), "dead");
    assert_eq!(row.attempts, 2);
}

/// The Spanish reference request as the service renders it: a subject and a recipient
/// with non-ASCII letters, a text and an HTML body.
fn spanish_email() -> EmailMessage {
    use api::mail::{messages::Mail, render, templates};
    use entity::{mail_template::MailTemplateKey, sets::Language};
    let mail = Mail::sample(MailTemplateKey::ReferenceRequest, Language::Spanish);
    let ctx = mail.context("María Núñez", "Washington Association for Infant Mental Health", Language::Spanish);
    let done = render::render(&templates::builtin(MailTemplateKey::ReferenceRequest, Language::Spanish), &ctx).unwrap();
    EmailMessage {
        to: api::mail::mailbox("María Núñez", "maria.nunez@example.org"),
        subject: done.subject,
        text: done.text,
        html: Some(done.html),
        template: Some(MailTemplateKey::ReferenceRequest),
    }
}

async fn deliver_once(app: &TestApp, mailer: Mailer) -> (uuid::Uuid, EmailMessage) {
    let message = spanish_email();
    let id = enqueue_email(&app.state.db, &message).await.unwrap();
    let report = worker(app, mailer, 5).tick().await.unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    (id, message)
}

/// What a mail client reads of a received message: every header and part as sent.
fn check_mime(raw: &str, id: uuid::Uuid, sent: &EmailMessage) {
    use mail_parser::{MessageParser, MimeHeaders};
    // Headers travel as 7-bit ASCII: a non-ASCII subject or name is RFC 2047-encoded.
    let head = &raw[..raw.find("\r\n\r\n").unwrap()];
    assert!(head.is_ascii(), "{head}");
    assert!(head.contains("=?utf-8?"), "encoded words in {head}");
    let parsed = MessageParser::default().parse(raw.as_bytes()).unwrap();
    assert_eq!(parsed.subject(), Some(sent.subject.as_str()));
    assert!(sent.subject.contains("López"), "{}", sent.subject);
    let to = parsed.to().and_then(|a| a.first()).unwrap();
    assert_eq!((to.name(), to.address()), (Some("María Núñez"), Some("maria.nunez@example.org")));
    assert_eq!(parsed.message_id(), Some(format!("{id}@endorse.test").as_str()));
    let root = parsed.content_type().unwrap();
    assert_eq!((root.ctype(), root.subtype()), ("multipart", Some("alternative")));
    // Plain text first, then HTML, both UTF-8, each decoding to exactly what was rendered.
    assert_eq!(parsed.text_body.len(), 1);
    assert_eq!(parsed.html_body.len(), 1);
    let text = parsed.part(parsed.text_body[0]).unwrap();
    let html = parsed.part(parsed.html_body[0]).unwrap();
    assert!(parsed.text_body[0] < parsed.html_body[0]);
    for (part, subtype) in [(text, "plain"), (html, "html")] {
        let ct = part.content_type().unwrap();
        assert_eq!((ct.ctype(), ct.subtype()), ("text", Some(subtype)));
        assert_eq!(ct.attribute("charset").map(str::to_ascii_lowercase).as_deref(), Some("utf-8"));
    }
    assert_eq!(parsed.body_text(0).unwrap().replace("\r\n", "\n").trim_end(), sent.text.trim_end());
    assert_eq!(parsed.body_html(0).unwrap().replace("\r\n", "\n").trim_end(), sent.html.as_deref().unwrap().trim_end());
    assert!(sent.text.contains("ingrese este código"), "{}", sent.text);
}

#[tokio::test]
async fn delivery_through_a_real_smtp_server_is_multipart_utf8() {
    let app = TestApp::spawn_with(&[("RUN_OUTBOX_WORKER", "false")]).await;
    let server = SmtpServer::start(false, Refusal::None).await;
    let mailer = Mailer::new(Some(&format!("smtp://127.0.0.1:{}", server.port)), app.mail_dir.clone()).unwrap();
    let (id, sent) = deliver_once(&app, mailer).await;
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert!(!received[0].tls);
    assert_eq!(received[0].rcpt_to, ["<maria.nunez@example.org>"]);
    check_mime(&received[0].raw, id, &sent);
    let row = entity::outbox_message::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(row.status.as_str(), "sent");
    assert!(row.delivered_at.is_some());
}

#[tokio::test]
async fn delivery_upgrades_with_starttls_and_trusts_only_the_configured_ca() {
    let app = TestApp::spawn_with(&[("RUN_OUTBOX_WORKER", "false")]).await;
    let server = SmtpServer::start(true, Refusal::None).await;
    let url = format!("smtp://127.0.0.1:{}?tls=required", server.port);
    let (id, sent) =
        deliver_once(&app, Mailer::configured(Some(&url), Some(&server.ca_pem), app.mail_dir.clone()).unwrap()).await;
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].tls, "the message came over TLS");
    check_mime(&received[0].raw, id, &sent);

    // Without trusting its certificate the upgrade fails: nothing is sent in clear, and the
    // message waits for a retry.
    let untrusting = Mailer::new(Some(&url), app.mail_dir.clone()).unwrap();
    let id = enqueue_email(&app.state.db, &spanish_email()).await.unwrap();
    let report = worker(&app, untrusting, 5).tick().await.unwrap();
    assert_eq!((report.delivered, report.failed), (0, 1));
    assert_eq!(server.received().len(), 1);
    let row = entity::outbox_message::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    // A CA for a URL without TLS is a configuration error, not a silent downgrade.
    let plain = format!("smtp://127.0.0.1:{}", server.port);
    assert!(Mailer::configured(Some(&plain), Some(&server.ca_pem), app.mail_dir.clone()).is_err());
}

#[tokio::test]
async fn a_refusing_server_is_retried_for_4xx_and_given_up_on_for_5xx() {
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
    let app = TestApp::spawn_with(&[("RUN_OUTBOX_WORKER", "false")]).await;
    let busy = SmtpServer::start(false, Refusal::TemporarilyFor(1)).await;
    let mailer = Mailer::new(Some(&format!("smtp://127.0.0.1:{}", busy.port)), app.mail_dir.clone()).unwrap();
    let w = worker(&app, mailer, 5);
    let id = enqueue_email(&app.state.db, &spanish_email()).await.unwrap();
    assert_eq!(w.tick().await.unwrap().failed, 1);
    let row = entity::outbox_message::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    assert!(row.last_error.as_deref().unwrap_or_default().contains("451"), "{:?}", row.last_error);
    assert!(busy.received().is_empty());
    entity::outbox_message::Entity::update_many()
        .col_expr(entity::outbox_message::Column::NextAttemptAt, Expr::value(chrono::Utc::now()))
        .filter(entity::outbox_message::Column::Id.eq(id))
        .exec(&app.state.db)
        .await
        .unwrap();
    assert_eq!(w.tick().await.unwrap().delivered, 1);
    assert_eq!(busy.received().len(), 1, "delivered once, on the retry");
    let row = entity::outbox_message::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));

    // No such mailbox: a 5xx will not change, so the message is not retried.
    let refusing = SmtpServer::start(false, Refusal::Permanently).await;
    let mailer = Mailer::new(Some(&format!("smtp://127.0.0.1:{}", refusing.port)), app.mail_dir.clone()).unwrap();
    let id = enqueue_email(&app.state.db, &spanish_email()).await.unwrap();
    assert_eq!(worker(&app, mailer, 5).tick().await.unwrap().failed, 1);
    let row = entity::outbox_message::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("dead", 1));
    assert!(row.last_error.as_deref().unwrap_or_default().contains("550"), "{:?}", row.last_error);
}

#[tokio::test]
async fn two_workers_never_deliver_the_same_message() {
    let app = TestApp::spawn_with(&[("RUN_OUTBOX_WORKER", "false")]).await;
    for n in 0..40 {
        enqueue_email(&app.state.db, &email(n)).await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let a = worker(&app, Mailer::new(None, dir.path().to_path_buf()).unwrap(), 5);
    let b = worker(&app, Mailer::new(None, dir.path().to_path_buf()).unwrap(), 5);
    let run = |w: OutboxWorker| async move {
        let mut total = 0;
        loop {
            let r = w.tick().await.unwrap();
            if r.delivered == 0 {
                return total;
            }
            total += r.delivered;
        }
    };
    let (x, y) = tokio::join!(run(a), run(b));
    assert_eq!(x + y, 40, "{x} + {y}");
    assert_eq!(app.count("outbox_messages", "status = 'sent' AND attempts = 1").await, 40, "each claimed exactly once");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 40);
}
