//! Bulk upsert of 100 000 people over HTTP, then the same requests again (which must
//! change nothing). Starts the service in-process on its own database and posts
//! `/v1/affiliates/wa/sync/people` in requests of 1000 items, `BENCH_IN_FLIGHT` (default 2)
//! at a time, as a sync script with two workers would.
//! Run: `cargo bench -p api --bench sync` (SQLite in a temp folder), or with
//! `BENCH_DATABASE_URL=postgres://...` (an empty database) for PostgreSQL.
use std::{
    collections::HashMap,
    net::TcpListener,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Instant,
};

use api::{config::Config, domain::roles::Role, features::accounts::people, startup::Application};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const PEOPLE: usize = 100_000;
const BATCH: usize = 1000;
const PASSWORD: &str = "correct horse battery staple";

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(run());
}

async fn count(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_string()))
        .await
        .expect("query")
        .expect("row");
    row.try_get_by_index::<i64>(0).expect("count")
}

fn batch(b: usize) -> Value {
    let items: Vec<Value> = (0..BATCH)
        .map(|i| {
            let n = b * BATCH + i;
            json!({"external_id": format!("crm-{n}"), "email": format!("p{n}@bench.example"),
                   "given_name": format!("Given{n}"), "family_name": "Bench",
                   "address": {"city": "Seattle", "region": "WA", "country": "US"}})
        })
        .collect();
    json!({ "items": items })
}

/// Posts all batches with `in_flight` requests at a time; returns the summed counts.
async fn pass(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    label: &str,
    backend: &str,
    in_flight: usize,
) -> HashMap<String, u64> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..in_flight {
        let (client, url, token, next) = (client.clone(), url.to_string(), token.to_string(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut totals: HashMap<String, u64> = HashMap::new();
            loop {
                let b = next.fetch_add(1, Ordering::SeqCst);
                if b >= PEOPLE / BATCH {
                    return totals;
                }
                let res = client.post(&url).bearer_auth(&token).json(&batch(b)).send().await.expect("request");
                assert_eq!(res.status(), 200, "batch {b}");
                let body: Value = res.json().await.expect("json");
                for (k, v) in body["counts"].as_object().expect("counts") {
                    *totals.entry(k.clone()).or_default() += v.as_u64().unwrap_or(0);
                }
            }
        }));
    }
    let mut totals: HashMap<String, u64> = HashMap::new();
    for w in workers {
        for (k, v) in w.await.expect("worker") {
            *totals.entry(k).or_default() += v;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{backend}: {label}, {in_flight} request(s) in flight: {PEOPLE} people in {secs:.1} s = {:.0} records/s (created {}, unchanged {}, updated {}, failed {})",
        PEOPLE as f64 / secs,
        totals.get("created").unwrap_or(&0),
        totals.get("unchanged").unwrap_or(&0),
        totals.get("updated").unwrap_or(&0),
        totals.get("failed").unwrap_or(&0),
    );
    totals
}

async fn run() {
    let dir = tempfile::tempdir().expect("dir");
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let mut env: HashMap<&str, String> = HashMap::new();
    env.insert("DATABASE_URL", url.clone());
    env.insert("DATA_DIR", dir.path().display().to_string());
    env.insert("BIND_ADDR", "127.0.0.1:0".into());
    env.insert("RUN_OUTBOX_WORKER", "false".into());
    let config = Config::from_lookup(|k| env.get(k).cloned()).expect("config");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let app = Application::build_with_listener(config, listener).await.expect("start");
    let base = format!("http://127.0.0.1:{}", app.port());
    let db = app.state().db.clone();
    tokio::spawn(app.run_until_stopped());

    people::create_staff(
        &db,
        people::NewStaff {
            email: "coordinator@bench.example".into(),
            affiliate: "wa".into(),
            given_name: "Bench".into(),
            family_name: "Coordinator".into(),
            password: PASSWORD.into(),
            roles: vec![Role::Coordinator],
        },
    )
    .await
    .expect("coordinator");
    let client = reqwest::Client::new();
    let token: Value = client
        .post(format!("{base}/v1/auth/token"))
        .json(&json!({"grant_type": "password", "username": "coordinator@bench.example", "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = token["access_token"].as_str().expect("token").to_string();
    let sync = format!("{base}/v1/affiliates/wa/sync/people");

    let in_flight: usize = std::env::var("BENCH_IN_FLIGHT").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    let first = pass(&client, &sync, &token, "first run (create)", backend, in_flight).await;
    assert_eq!(first.get("created"), Some(&(PEOPLE as u64)));
    let people_after = count(&db, "SELECT COUNT(*) FROM people WHERE family_name = 'Bench'").await;
    let changes_after = count(&db, "SELECT COUNT(*) FROM change_log").await;
    let second = pass(&client, &sync, &token, "same requests again", backend, in_flight).await;
    assert_eq!(second.get("unchanged"), Some(&(PEOPLE as u64)));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM people WHERE family_name = 'Bench'").await, people_after);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM change_log").await, changes_after, "a retry logs no change");
    println!("{backend}: after both runs: {people_after} synced people, {changes_after} change-log rows");
}
