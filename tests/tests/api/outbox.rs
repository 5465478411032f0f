//! The outbox: messages written in the caller's transaction, delivered once by the
//! worker (to files or SMTP), retried with backoff, never by two workers at once.
use std::{sync::Arc, time::Duration};

use api::{
    db::begin_write, http::metrics::Metrics, platform::outbox::EmailMessage, platform::outbox::enqueue_email,
    workers::mailer::Mailer, workers::outbox::OutboxWorker,
};
use endorse_tests::TestApp;
use sea_orm::{EntityTrait, TransactionTrait};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

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

/// A minimal SMTP server that accepts one message and hands back what it received.
async fn fake_smtp() -> (u16, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
        let mut data = String::new();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 OK queued\r\n").await.unwrap();
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                write.write_all(b"250-fake\r\n250 8BITMIME\r\n").await.unwrap();
            } else if upper.starts_with("DATA") {
                in_data = true;
                write.write_all(b"354 go ahead\r\n").await.unwrap();
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 bye\r\n").await.unwrap();
                break;
            } else {
                write.write_all(b"250 OK\r\n").await.unwrap();
            }
        }
        data
    });
    (port, handle)
}

#[tokio::test]
async fn smtp_delivery_sends_the_message() {
    let app = TestApp::spawn_with(&[("RUN_OUTBOX_WORKER", "false")]).await;
    let id = enqueue_email(&app.state.db, &email(7)).await.unwrap();
    let (port, server) = fake_smtp().await;
    let mailer = Mailer::new(Some(&format!("smtp://127.0.0.1:{port}")), app.mail_dir.clone()).unwrap();
    let report = worker(&app, mailer, 5).tick().await.unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    let received = tokio::time::timeout(Duration::from_secs(5), server).await.unwrap().unwrap();
    assert!(received.contains("Subject: Welcome 7"), "{received}");
    assert!(received.contains(&format!("<{id}@endorse.test>")), "{received}");
    assert!(received.contains("Hello from endorse."), "{received}");
    let row = entity::outbox_message::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(row.status.as_str(), "sent");
    assert!(row.delivered_at.is_some());
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
