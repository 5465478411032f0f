//! Two replicas behind one database (PostgreSQL with `TEST_DATABASE_URL`, else the shared
//! SQLite file) under mixed traffic, both running the outbox and webhook workers:
//! conditional updates raced through both lose nothing, an idempotent POST raced and
//! retried through both is stored once and replayed byte for byte, and every email is
//! delivered once. (Webhook events through two replicas arrive once each:
//! `api::webhooks::a_partner_receives_signed_events_once_each_across_an_outage_and_a_secret_rotation`.)
use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use api::domain::roles::Role;
use endorse_tests::{PASSWORD, TestApp, problem};
use futures_util::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

/// Clients racing read-modify-write updates of one affiliate, and how many updates each makes.
const UPDATERS: usize = 6;
const UPDATES_EACH: usize = 3;
const IDEMPOTENT_KEYS: usize = 3;
const RACERS_PER_KEY: usize = 8;
const RESETS: usize = 8;
const APPLICANTS: usize = 4;

fn replica<'a>(apps: &[&'a TestApp; 2], n: usize) -> &'a TestApp {
    apps[n % 2]
}

/// Read, change, `PATCH` with `If-Match`; on 412 read again. Returns each success as
/// (new version, the name it set).
async fn updater(apps: [&TestApp; 2], token: &str, who: usize) -> (Vec<(i64, String)>, usize) {
    let mut done = Vec::new();
    let mut stale = 0;
    let mut attempt = 0;
    while done.len() < UPDATES_EACH {
        attempt += 1;
        assert!(attempt < 200, "updater {who} starved");
        let app = replica(&apps, who + attempt);
        let res = app.get("/v1/affiliates/wa").send().await.unwrap();
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        let current: Value = res.json().await.unwrap();
        assert_eq!(etag, format!("\"{}\"", current["version"]));
        let name = format!("Updater {who} change {}", done.len());
        let res = replica(&apps, who + attempt + 1)
            .patch("/v1/affiliates/wa")
            .bearer_auth(token)
            .header("if-match", &etag)
            .json(&json!({ "name": name }))
            .send()
            .await
            .unwrap();
        match res.status().as_u16() {
            200 => {
                let new_etag = res.headers()["etag"].to_str().unwrap().to_string();
                let body: Value = res.json().await.unwrap();
                let version = body["version"].as_i64().unwrap();
                assert_eq!(version, current["version"].as_i64().unwrap() + 1, "{body}");
                assert_eq!(new_etag, format!("\"{version}\""));
                assert_eq!(body["name"], name.as_str());
                done.push((version, name));
            }
            412 => {
                problem(res, 412, "precondition_failed").await;
                stale += 1;
            }
            other => panic!("updater {who}: {other} {}", res.text().await.unwrap()),
        }
    }
    (done, stale)
}

/// One key, raced from both replicas at once, then retried through each.
async fn idempotent_race(apps: [&TestApp; 2], token: &str, k: usize) -> (Vec<u16>, String) {
    let key = format!("faults-affiliate-{k}-{}", uuid::Uuid::new_v4().simple());
    let body = json!({"code": format!("fault-{k}"), "name": format!("Fault {k}"), "time_zone": "America/Chicago", "currency": "USD"});
    let send = |n: usize| {
        replica(&apps, n).post("/v1/affiliates").bearer_auth(token).header("idempotency-key", &key).json(&body).send()
    };
    let mut firsts: Vec<(Vec<u8>, String)> = Vec::new();
    let mut replays: Vec<(Vec<u8>, String)> = Vec::new();
    let mut statuses = Vec::new();
    for res in join_all((0..RACERS_PER_KEY).map(send)).await {
        let res = res.unwrap();
        statuses.push(res.status().as_u16());
        match res.status().as_u16() {
            201 => {
                let replayed = res.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
                let location = res.headers()["location"].to_str().unwrap().to_string();
                let bytes = res.bytes().await.unwrap().to_vec();
                if replayed { replays.push((bytes, location)) } else { firsts.push((bytes, location)) }
            }
            409 => {
                assert_eq!(res.headers()["retry-after"], "1");
                problem(res, 409, "idempotency_request_in_progress").await;
            }
            other => panic!("key {k}: {other} {}", res.text().await.unwrap()),
        }
    }
    // The client retries until it has its answer; every retry now is the stored one.
    for n in 0..4 {
        let mut res = send(n).await.unwrap();
        for _ in 0..50 {
            if res.status() != 409 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            res = send(n).await.unwrap();
        }
        assert_eq!(res.status(), 201, "retry {n} of key {k}");
        assert_eq!(res.headers()["idempotent-replayed"], "true");
        let location = res.headers()["location"].to_str().unwrap().to_string();
        replays.push((res.bytes().await.unwrap().to_vec(), location));
    }
    assert_eq!(firsts.len(), 1, "key {k}: exactly one request ran, the others were replays or 409");
    let (first, location) = &firsts[0];
    for (bytes, loc) in &replays {
        assert!(bytes == first, "key {k}: a replay differs from the first answer");
        assert_eq!(loc, location);
    }
    let created: Value = serde_json::from_slice(first).unwrap();
    (statuses, created["id"].as_str().unwrap().to_string())
}

/// Registers through one replica and pays the $25 fee in two halves, one through each
/// replica at the same moment: settled once, so one temporary-login email.
async fn settlement_race(apps: [&TestApp; 2], coordinator: &str, i: usize) -> String {
    let email = format!("faults-applicant-{i}-{}@example.org", uuid::Uuid::new_v4().simple());
    let reg = replica(&apps, i).register(&email).await;
    let invoice = reg["invoice"]["id"].as_str().unwrap().to_string();
    let half = |n: usize| {
        replica(&apps, n).entry(
            coordinator,
            &invoice,
            json!({"kind": "payment", "method": "check", "amount": {"amount_cents": 1250, "currency": "USD"}, "reference": format!("half {n}")}),
        )
    };
    let (x, y) = tokio::join!(half(0), half(1));
    for res in [x, y] {
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }
    email
}

fn delivered_ids(dir: &std::path::Path) -> HashSet<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_string_lossy().strip_suffix(".eml").map(str::to_string))
                .filter(|name| !name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

fn files_to(dirs: &[&std::path::Path], to: &str) -> usize {
    dirs.iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().filter_map(|e| e.ok()))
        .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
        .filter(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains(to)))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_under_mixed_traffic_lose_no_update_store_each_post_once_and_send_each_email_once() {
    let mail_b = tempfile::tempdir().unwrap();
    let a = TestApp::spawn().await;
    // Same database and signing key; an outbox worker of its own writing to a folder of its own.
    let b = a.replica(&[("MAIL_DIR", mail_b.path().to_str().unwrap())]).await;
    assert_ne!(a.mail_dir, b.mail_dir);
    let apps = [&a, &b];
    let admin = a.admin_token().await;
    let coordinator = b.token("wa", &[Role::Coordinator]).await;
    let start: Value = b.get("/v1/affiliates/wa").send().await.unwrap().json().await.unwrap();
    let start_version = start["version"].as_i64().unwrap();
    let mut staff = Vec::new();
    for i in 0..RESETS {
        let email = format!("faults-staff-{i}-{}@example.org", uuid::Uuid::new_v4().simple());
        a.staff(&email, "wa", &[Role::Reviewer]).await;
        staff.push(email);
    }
    let before_outbox = a.count("outbox_messages", "").await;
    assert_eq!(before_outbox, 0);

    // All of it at once, through both replicas.
    let updates = join_all((0..UPDATERS).map(|w| updater(apps, &coordinator, w)));
    let races = join_all((0..IDEMPOTENT_KEYS).map(|k| idempotent_race(apps, &admin, k)));
    let resets =
        join_all(staff.iter().enumerate().map(|(i, email)| {
            replica(&apps, i).post("/v1/auth/password-reset").json(&json!({ "email": email })).send()
        }));
    let settlements = join_all((0..APPLICANTS).map(|i| settlement_race(apps, &coordinator, i)));
    let (updates, races, resets, applicants) = tokio::join!(updates, races, resets, settlements);

    // Conditional updates: one success per version, no version given twice, none lost.
    let successes: Vec<(i64, String)> = updates.iter().flat_map(|(done, _)| done.clone()).collect();
    let stale: usize = updates.iter().map(|(_, stale)| stale).sum();
    let mut versions: Vec<i64> = successes.iter().map(|(v, _)| *v).collect();
    versions.sort();
    let expected: Vec<i64> = (start_version + 1..=start_version + (UPDATERS * UPDATES_EACH) as i64).collect();
    assert_eq!(versions, expected, "each version was reached by exactly one update");
    let last = successes.iter().max_by_key(|(v, _)| *v).unwrap();
    for app in apps {
        let res = app.get("/v1/affiliates/wa").send().await.unwrap();
        assert_eq!(res.headers()["etag"], format!("\"{}\"", last.0).as_str());
        let now: Value = res.json().await.unwrap();
        assert_eq!(now["version"], last.0);
        assert_eq!(now["name"], last.1.as_str(), "the final state is the last update");
    }
    // Every acknowledged change is in the history, as the change from the version before it.
    let history = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::Action.eq("affiliate.updated"))
        .all(&a.state.db)
        .await
        .unwrap();
    let by_version: HashMap<i64, (i64, String)> = history
        .iter()
        .map(|e| {
            let after = e.after.clone().unwrap();
            let before = e.before.clone().unwrap();
            (
                after["version"].as_i64().unwrap(),
                (before["version"].as_i64().unwrap(), after["name"].as_str().unwrap().to_string()),
            )
        })
        .collect();
    assert_eq!(history.len(), successes.len(), "one history entry per acknowledged update");
    for (version, name) in &successes {
        assert_eq!(by_version.get(version), Some(&(version - 1, name.clone())), "the update to version {version}");
    }

    // Idempotent POSTs: one stored record per key, however many times and wherever sent.
    for (k, (statuses, id)) in races.iter().enumerate() {
        let code = format!("fault-{k}");
        assert_eq!(a.count("affiliates", &format!("code = '{code}'")).await, 1, "{statuses:?}");
        let shown: Value = b.get(&format!("/v1/affiliates/{code}")).send().await.unwrap().json().await.unwrap();
        assert_eq!(shown["id"], id.as_str());
    }
    assert_eq!(a.count("audit_events", "action = 'affiliate.created'").await, IDEMPOTENT_KEYS as i64);
    assert_eq!(a.count("idempotency_keys", "state = 'completed'").await, IDEMPOTENT_KEYS as i64);
    assert_eq!(a.count("idempotency_keys", "state <> 'completed'").await, 0);

    // Emails: every one accepted is written once and delivered once, by one of the two workers.
    for res in resets {
        assert_eq!(res.unwrap().status(), 202);
    }
    // A reset request is a job of the outbox that writes its email; both are claimed once.
    let mut total = 0;
    for _ in 0..300 {
        total = a.count("outbox_messages", "kind = 'email'").await;
        if total == (RESETS + 2 * APPLICANTS) as i64 && a.count("outbox_messages", "status <> 'sent'").await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(a.count("outbox_messages", "status <> 'sent'").await, 0, "every email was delivered");
    // A registration is acknowledged (its fee and how to pay), then settled (the login).
    assert_eq!(total, (RESETS + 2 * APPLICANTS) as i64, "one email per reset, two per settled registration");
    assert_eq!(a.count("outbox_messages", "kind = 'password_reset'").await, RESETS as i64, "one job per reset");
    assert_eq!(a.count("outbox_messages", "attempts <> 1").await, 0, "each claimed once");
    let (in_a, in_b) = (delivered_ids(&a.mail_dir), delivered_ids(&b.mail_dir));
    assert!(in_a.is_disjoint(&in_b), "a message was delivered by both replicas: {:?}", in_a.intersection(&in_b));
    let rows = entity::outbox_message::Entity::find().all(&a.state.db).await.unwrap();
    let ids: HashSet<String> = rows.iter().filter(|m| m.kind.as_str() == "email").map(|m| m.id.to_string()).collect();
    let delivered: HashSet<String> = in_a.union(&in_b).cloned().collect();
    assert_eq!(delivered, ids, "the files delivered are exactly the messages");
    let dirs = [a.mail_dir.as_path(), b.mail_dir.as_path()];
    for email in &staff {
        assert_eq!(a.emails_to(email).await.len(), 1, "{email}: one message");
        assert_eq!(files_to(&dirs, email), 1, "{email}: delivered once");
    }
    for email in &applicants {
        assert_eq!(a.logins_to(email).await.len(), 1, "{email}: one temporary login");
        assert_eq!(files_to(&dirs, email), 2, "{email}: each of its two messages delivered once");
    }
    // The temporary login works, once: the settlement's email carries a valid code.
    let code = endorse_tests::code_in(&a.logins_to(&applicants[0]).await[0].text);
    let activate =
        |app: &TestApp| app.post("/v1/auth/activate").json(&json!({"token": code, "password": PASSWORD})).send();
    assert_eq!(activate(&b).await.unwrap().status(), 200);
    problem(activate(&a).await.unwrap(), 400, "invalid_token").await;
    println!(
        "replicas: {} updates ({stale} stale If-Match answered 412), idempotent races {:?}, {} emails ({} by one worker, {} by the other)",
        successes.len(),
        races.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>(),
        total,
        in_a.len(),
        in_b.len()
    );
}
