//! Faults, with the real `endorse` binary under load: PostgreSQL restarted (503 problems
//! while it is down, recovery without restarting the service, nothing acknowledged lost,
//! nothing half-written), and SIGTERM (in-flight requests complete, exit 0, new
//! connections refused, the stored rows are exactly the acknowledged requests).
use std::{
    collections::HashMap,
    fs::File,
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    os::unix::fs::MetadataExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_endorse");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn endorse(dir: &Path, database_url: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATA_DIR", dir)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "info");
    cmd
}

/// The `endorse serve` process, its output in a log file; killed when dropped.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn start(dir: &Path, database_url: &str, vars: &[(&str, &str)]) -> Server {
        let port = free_port();
        let log = dir.join("server.log");
        let out = File::create(&log).expect("log file");
        let mut cmd = endorse(dir, database_url);
        cmd.env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("HTTP_WORKERS", "2")
            .env("DB_MAX_CONNECTIONS", "8")
            .env("OUTBOX_POLL_INTERVAL_MS", "50")
            .env("REGISTRATION_RATE_LIMIT_PER_HOUR", "1000000")
            .env("RATE_LIMIT_PER_MINUTE", "1000000");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let child = cmd
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log file"))
            .stderr(out)
            .spawn()
            .expect("the server starts");
        Server { child, port, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Waits until `/readyz` answers 200 (migrations done, database reachable).
    async fn wait_ready(&mut self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait") {
                panic!("the server exited with {status} before it was ready:\n{}", self.log_tail());
            }
            if let Ok(res) = client.get(self.url("/readyz")).send().await
                && res.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server was not ready within 90 s:\n{}", self.log_tail());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn registration_body(email: &str) -> Value {
    json!({
        "given_name": "Fault", "family_name": "Test", "email": email, "preferred_language": "en",
        "highest_education": "bachelor", "years_of_experience": 3, "work_kinds": ["prevention_early_intervention"],
        "rsc_hours_received": 12.25, "target_category": "IFS"
    })
}

/// What one request got, with when it was sent (from the test's start) and how long it took.
#[derive(Clone, Debug)]
struct Outcome {
    what: String,
    email: String,
    key: String,
    sent: Duration,
    took: Duration,
    status: Option<u16>,
    content_type: String,
    retry_after: Option<String>,
    body: String,
    error: Option<String>,
}

impl Outcome {
    fn ended(&self) -> Duration {
        self.sent + self.took
    }

    fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

async fn call(t0: Instant, what: &str, email: &str, key: &str, req: reqwest::RequestBuilder) -> Outcome {
    let sent = t0.elapsed();
    let started = Instant::now();
    let mut outcome = Outcome {
        what: what.to_string(),
        email: email.to_string(),
        key: key.to_string(),
        sent,
        took: Duration::ZERO,
        status: None,
        content_type: String::new(),
        retry_after: None,
        body: String::new(),
        error: None,
    };
    match req.send().await {
        Ok(res) => {
            outcome.status = Some(res.status().as_u16());
            let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            outcome.content_type = header("content-type").unwrap_or_default();
            outcome.retry_after = header("retry-after");
            match res.text().await {
                Ok(body) => outcome.body = body,
                Err(e) => outcome.error = Some(format!("body: {e}")),
            }
        }
        Err(e) => outcome.error = Some(format!("{e:?}")),
    }
    outcome.took = started.elapsed();
    outcome
}

fn register(client: &reqwest::Client, server: &Server, email: &str, key: &str) -> reqwest::RequestBuilder {
    client
        .post(server.url("/v1/affiliates/wa/registrations"))
        .header("idempotency-key", key)
        .json(&registration_body(email))
}

/// A failure while the database is away must be a retryable 503 problem, nothing else.
fn assert_unavailable_problem(o: &Outcome) {
    assert_eq!(o.status, Some(503), "{o:?}");
    assert!(o.content_type.starts_with("application/problem+json"), "{o:?}");
    let retry: u64 = o.retry_after.as_deref().and_then(|r| r.parse().ok()).unwrap_or(0);
    assert!(retry >= 1, "a 503 carries Retry-After: {o:?}");
    let body = o.json();
    assert_eq!(body["status"], 503, "{o:?}");
    assert_eq!(body["code"], "service_unavailable", "{o:?}");
    assert_eq!(body["type"], "urn:endorse:problem:service_unavailable", "{o:?}");
    assert!(body["title"].is_string() && body["detail"].is_string(), "{o:?}");
}

async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql.to_string())).await.expect(sql)
}

/// Each stored registration of the given emails: email → (person id, registration id,
/// invoice id). A person without its registration or invoice shows as `None` there: half-written.
async fn stored_registrations(
    db: &DatabaseConnection,
    email_prefix: &str,
) -> HashMap<String, (String, Option<String>, Option<String>)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let people = entity::person::Entity::find()
        .filter(entity::person::Column::Email.starts_with(email_prefix))
        .all(db)
        .await
        .expect("people");
    let registrations = entity::registration::Entity::find().all(db).await.expect("registrations");
    let invoices = entity::invoice::Entity::find().all(db).await.expect("invoices");
    let mut out = HashMap::new();
    for p in people {
        let reg = registrations.iter().find(|r| r.person_id == p.id);
        let inv = reg.and_then(|r| r.invoice_id).filter(|id| invoices.iter().any(|i| i.id == *id));
        let value = (p.id.to_string(), reg.map(|r| r.id.to_string()), inv.map(|i| i.to_string()));
        assert!(out.insert(p.email.clone(), value).is_none(), "two people stored for {}", p.email);
    }
    out
}

fn same_id(stored: &str, answered: &Value) -> bool {
    answered.as_str() == Some(stored)
}

// ---------------------------------------------------------------------------------------
// PostgreSQL restarted under load
// ---------------------------------------------------------------------------------------

/// A PostgreSQL server of this test's own (temp folder, own port and socket), run as the
/// `postgres` user like `.ci/run` does, which the test may stop and start. Stopped when dropped.
struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

fn newest_postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().split('.').next()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn as_postgres(script: &str) -> std::process::Output {
    Command::new("su").args(["postgres", "-s", "/bin/sh", "-c", script]).output().expect("su runs")
}

impl Cluster {
    /// Err(reason) when this machine cannot run one (no server binaries, not root).
    fn create() -> Result<Cluster, String> {
        let Some(bin) = newest_postgres_bin() else {
            return Err("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)".into());
        };
        if std::fs::metadata("/proc/self").map(|m| m.uid()).ok() != Some(0) {
            return Err("not running as root, so PostgreSQL cannot be started as the postgres user".into());
        }
        if !Command::new("id").arg("postgres").output().is_ok_and(|o| o.status.success()) {
            return Err("no postgres user".into());
        }
        let dir = tempfile::Builder::new().prefix("endorse-faults-pg.").tempdir().expect("temp dir");
        let chown = Command::new("chown").arg("postgres").arg(dir.path()).status().expect("chown runs");
        assert!(chown.success(), "chown postgres {}", dir.path().display());
        let out = as_postgres(&format!(
            "'{}/initdb' -D '{}/data' -U postgres --auth=trust -E UTF8",
            bin.display(),
            dir.path().display()
        ));
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let cluster = Cluster { bin, dir, port: free_port() };
        cluster.start();
        Ok(cluster)
    }

    fn pg_ctl(&self, args: &str) -> std::process::Output {
        as_postgres(&format!("'{}/pg_ctl' -D '{}/data' {args}", self.bin.display(), self.dir.path().display()))
    }

    fn start(&self) {
        let dir = self.dir.path().display();
        let out = self.pg_ctl(&format!(
            "-l '{dir}/log' -w -t 60 -o \"-p {} -k '{dir}' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100 -c max_prepared_transactions=4\" start",
            self.port
        ));
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stdout),
            std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
        );
    }

    /// `pg_ctl -m fast stop`: open sessions are terminated, as in a restart or failover.
    fn stop_fast(&self) {
        let out = self.pg_ctl("-w -t 60 -m fast stop");
        assert!(out.status.success(), "pg_ctl stop: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl("-m immediate stop");
    }
}

fn mail_to(mail_dir: &Path, to: &str) -> usize {
    std::fs::read_dir(mail_dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
                .filter(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains(to)))
                .count()
        })
        .unwrap_or(0)
}

async fn eventually_mail(mail_dir: &Path, to: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if mail_to(mail_dir, to) >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{n} email(s) to {to} were not delivered; {} were", mail_to(mail_dir, to));
}

const WRITERS: usize = 4;
const READERS: usize = 2;
/// `DB_ACQUIRE_TIMEOUT_MS` for the service under test: how long a request waits for a
/// connection before its 503.
const ACQUIRE_TIMEOUT_MS: u64 = 1000;
/// No request may take longer than this, outage or not.
const MAX_LATENCY: Duration = Duration::from_secs(8);
const OUTAGE: Duration = Duration::from_millis(2500);
/// PostgreSQL back, the service must serve again within this, without a restart.
const RECOVERY: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restart_under_load_gives_503s_then_recovers_and_loses_nothing_acknowledged() {
    let cluster = match tokio::task::spawn_blocking(Cluster::create).await.expect("task") {
        Ok(c) => c,
        Err(reason) => {
            println!("skipped: {reason}");
            return;
        }
    };
    let dir = tempfile::tempdir().expect("dir");
    let url = cluster.url();

    // The first admin, to see that the outbox worker comes back too.
    let admin = "fault-admin@example.org";
    let mut create = endorse(dir.path(), &url)
        .args(["admin", "create", "--email", admin, "--affiliate", "wa"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    create.stdin.take().expect("stdin").write_all(b"a long enough passphrase\n").expect("write");
    let out = create.wait_with_output().expect("finishes");
    assert!(out.status.success(), "admin create: {}", String::from_utf8_lossy(&out.stderr));

    let acquire = ACQUIRE_TIMEOUT_MS.to_string();
    let mut server = Server::start(dir.path(), &url, &[("DB_ACQUIRE_TIMEOUT_MS", &acquire)]);
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    server.wait_ready(&client).await;
    let server = Arc::new(server);
    let mail_dir = dir.path().join("mail");
    let reset = |client: &reqwest::Client| {
        client.post(server.url("/v1/auth/password-reset")).json(&json!({"email": admin})).send()
    };
    let res = reset(&client).await.expect("request");
    assert_eq!(res.status(), 202);
    eventually_mail(&mail_dir, admin, 1).await;

    let t0 = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let outcomes: Arc<Mutex<Vec<Outcome>>> = Arc::default();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let (client, server, stop, outcomes) = (client.clone(), server.clone(), stop.clone(), outcomes.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let email = format!("fault-w{w}-{n}@example.org");
                let key = format!("fault-{w}-{n}-{}", uuid::Uuid::new_v4().simple());
                let o = call(t0, &format!("write {w}"), &email, &key, register(&client, &server, &email, &key)).await;
                outcomes.lock().unwrap().push(o);
                n += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    for r in 0..READERS {
        let (client, server, stop, outcomes) = (client.clone(), server.clone(), stop.clone(), outcomes.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let path = if n % 2 == 0 { "/v1/affiliates/wa" } else { "/readyz" };
                let o = call(t0, &format!("read {r} {path}"), "", "", client.get(server.url(path))).await;
                outcomes.lock().unwrap().push(o);
                n += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }

    // Load, then PostgreSQL goes away under it, stays away, and comes back.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let stopping = t0.elapsed();
    // Make sure writes are caught mid-transaction by the restart: a prepared transaction
    // (it outlives the restart) holds inserts into `people` back, so that every writer is
    // waiting inside its request when PostgreSQL goes down.
    let locker = Database::connect(url.as_str()).await.expect("connect");
    locker
        .execute_unprepared("BEGIN; LOCK TABLE people IN EXCLUSIVE MODE; PREPARE TRANSACTION 'faults-hold'")
        .await
        .expect("lock");
    locker.close().await.ok();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let cluster = Arc::new(cluster);
    let c = cluster.clone();
    let stop_begins = t0.elapsed();
    tokio::task::spawn_blocking(move || c.stop_fast()).await.expect("stop");
    let down = t0.elapsed();
    tokio::time::sleep(OUTAGE / 2).await;
    // A request for an email while the database is down: refused, not silently dropped.
    let during =
        call(t0, "reset", admin, "", client.post(server.url("/v1/auth/password-reset")).json(&json!({"email": admin})))
            .await;
    tokio::time::sleep(OUTAGE / 2).await;
    let starting = t0.elapsed();
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.start()).await.expect("start");
    let up = t0.elapsed();
    let unlocker = Database::connect(url.as_str()).await.expect("connect");
    unlocker.execute_unprepared("ROLLBACK PREPARED 'faults-hold'").await.expect("unlock");
    unlocker.close().await.ok();

    // Keep going until the service has served for a while after it recovered.
    let deadline = Instant::now() + RECOVERY + Duration::from_secs(10);
    loop {
        let recovered_at = outcomes.lock().unwrap().iter().filter(|o| o.sent >= up && o.ok()).map(|o| o.sent).min();
        if recovered_at.is_some_and(|r| t0.elapsed() > r.max(up + RECOVERY) + Duration::from_secs(1)) {
            break;
        }
        if Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        t.await.expect("load task");
    }
    let outcomes = outcomes.lock().unwrap().clone();
    let writes: Vec<&Outcome> = outcomes.iter().filter(|o| o.what.starts_with("write")).collect();
    let log = server.log_tail();

    // Every request got an answer within the bound: a success or a 503 problem, never a 500.
    for o in &outcomes {
        assert!(o.error.is_none(), "no answer: {o:?}\n{log}");
        assert!(o.took <= MAX_LATENCY, "took {:?}: {o:?}", o.took);
        if !o.ok() {
            assert_unavailable_problem(o);
        }
    }
    let before: Vec<&Outcome> = outcomes.iter().filter(|o| o.ended() < stopping).collect();
    assert!(before.len() >= 20, "load before the outage: {}", before.len());
    assert!(before.iter().all(|o| o.ok()), "everything succeeds before the outage");
    // Whatever ran wholly while PostgreSQL was down was refused with a 503.
    let outage: Vec<&Outcome> = outcomes.iter().filter(|o| o.sent >= down && o.ended() < starting).collect();
    for w in 0..WRITERS {
        let name = format!("write {w}");
        assert!(outage.iter().any(|o| o.what == name), "writer {w} sent nothing during the outage: {outage:?}");
    }
    assert!(outage.iter().any(|o| o.what.starts_with("read")), "reads during the outage");
    // The writes caught in flight by the restart were refused with a 503 too.
    let caught: Vec<&&Outcome> = writes.iter().filter(|o| o.sent < stop_begins && o.ended() > stop_begins).collect();
    assert_eq!(caught.len(), WRITERS, "each writer was caught in flight: {caught:?}");
    assert!(caught.iter().all(|o| o.status == Some(503)), "{caught:?}");
    assert!(outage.iter().all(|o| o.status == Some(503)), "{outage:?}");
    // An email asked for while the database is down is refused, not accepted and lost.
    assert_unavailable_problem(&during);

    // Recovery without a restart: served again soon after PostgreSQL is back, and from then on.
    let recovered_at = writes.iter().filter(|o| o.sent >= up && o.ok()).map(|o| o.sent).min();
    let recovered_at = recovered_at.unwrap_or_else(|| panic!("no write succeeded after PostgreSQL came back\n{log}"));
    assert!(recovered_at - up <= RECOVERY, "recovered {:?} after PostgreSQL was back", recovered_at - up);
    let settled = recovered_at.max(up + Duration::from_secs(1));
    let after: Vec<&Outcome> = outcomes.iter().filter(|o| o.sent >= settled).collect();
    assert!(after.len() >= 20, "load after recovery: {}", after.len());
    assert!(after.iter().all(|o| o.ok()), "a failure after recovery: {:?}", after.iter().find(|o| !o.ok()));
    let res = client.get(server.url("/readyz")).send().await.expect("request");
    assert_eq!(res.status(), 200);

    // Nothing acknowledged is lost; nothing refused is half-written.
    let db = Database::connect(url.as_str()).await.expect("connect");
    let stored = stored_registrations(&db, "fault-w").await;
    for (email, (_, reg, inv)) in &stored {
        assert!(reg.is_some() && inv.is_some(), "half-written registration of {email}");
    }
    let mut committed_but_refused = Vec::new();
    for o in &writes {
        if o.ok() {
            assert_eq!(o.status, Some(201), "{o:?}");
            let body = o.json();
            let (person, _, inv) = stored.get(&o.email).unwrap_or_else(|| panic!("acknowledged but lost: {o:?}"));
            assert!(same_id(person, &body["person_id"]), "{person} vs {body}");
            assert!(same_id(inv.as_deref().unwrap_or_default(), &body["invoice"]["id"]), "{inv:?} vs {body}");
        } else if stored.contains_key(&o.email) {
            committed_but_refused.push(*o);
        }
    }
    assert_eq!(stored.len(), writes.iter().filter(|o| o.ok()).count() + committed_but_refused.len());
    let audited = rows(&db, "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'person.registered'").await;
    assert_eq!(audited[0].try_get::<i64>("", "n").expect("n") as usize, stored.len(), "one audit event each");

    // A client retrying its refused requests with the same Idempotency-Key is served.
    let refused: Vec<&Outcome> = writes.iter().filter(|o| !o.ok()).copied().collect();
    assert!(!refused.is_empty());
    let mut retried = HashMap::<String, usize>::new();
    let patience = Instant::now() + Duration::from_secs(10);
    for o in &refused {
        let mut again = call(t0, "retry", &o.email, &o.key, register(&client, &server, &o.email, &o.key)).await;
        // 409 "in progress" (Retry-After: 1) is fine for a moment, not for good.
        while again.status == Some(409)
            && again.json()["code"] == "idempotency_request_in_progress"
            && Instant::now() < patience
        {
            tokio::time::sleep(Duration::from_secs(1)).await;
            again = call(t0, "retry", &o.email, &o.key, register(&client, &server, &o.email, &o.key)).await;
        }
        let code = again.json()["code"].as_str().unwrap_or_default().to_string();
        *retried.entry(format!("{:?} {code}", again.status)).or_default() += 1;
        if committed_but_refused.iter().any(|c| c.email == o.email) {
            assert!(
                again.status == Some(201) || code == "email_taken",
                "a retry of a refused request that was committed: {again:?}"
            );
        } else {
            assert_eq!(again.status, Some(201), "a retry of a refused request: {again:?}");
        }
    }
    println!(
        "restart: {} requests ({} writes), {} answered 503 ({} of them committed), recovered {:?} after PostgreSQL was back; retries: {retried:?}",
        outcomes.len(),
        writes.len(),
        outcomes.iter().filter(|o| !o.ok()).count(),
        committed_but_refused.len(),
        recovered_at - up
    );
    let stored = stored_registrations(&db, "fault-w").await;
    let attempted: std::collections::HashSet<&str> = writes.iter().map(|o| o.email.as_str()).collect();
    assert_eq!(stored.len(), attempted.len(), "after the retries every registration exists once");

    // The outbox worker came back too: an email asked for now is delivered.
    let res = reset(&client).await.expect("request");
    assert_eq!(res.status(), 202);
    eventually_mail(&mail_dir, admin, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(mail_to(&mail_dir, admin), 2, "one email per accepted request");
    db.close().await.ok();
}

// ---------------------------------------------------------------------------------------
// SIGTERM under load
// ---------------------------------------------------------------------------------------

/// Requests held in flight across the SIGTERM: headers and part of the body sent before
/// it, the rest after.
const HELD: usize = 6;
const LOAD_TASKS: usize = 4;
const SHUTDOWN_TIMEOUT_SECONDS: u64 = 20;

fn read_response(mut stream: TcpStream) -> (String, Value) {
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("the in-flight request gets its whole answer");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (head.to_string(), serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_lets_in_flight_requests_finish_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/endorse.db?mode=rwc", dir.path().display());
    let timeout = SHUTDOWN_TIMEOUT_SECONDS.to_string();
    let mut server = Server::start(dir.path(), &url, &[("SHUTDOWN_TIMEOUT_SECONDS", &timeout)]);
    // A connection per request, so that requests after the SIGTERM meet the closed listener.
    let client =
        reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(30)).build().expect("client");
    server.wait_ready(&client).await;
    let port = server.port;

    let held: Vec<(String, TcpStream, Vec<u8>)> = (0..HELD)
        .map(|i| {
            let email = format!("term-held-{i}@example.org");
            let body = registration_body(&email).to_string().into_bytes();
            let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            write!(
                stream,
                "POST /v1/affiliates/wa/registrations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: held-{i}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .expect("write");
            stream.write_all(&body[..10]).expect("write");
            (email, stream, body)
        })
        .collect();

    let t0 = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let server = Arc::new(server);
    let mut tasks = Vec::new();
    for w in 0..LOAD_TASKS {
        let (client, server, stop) = (client.clone(), server.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let email = format!("term-{w}-{n}@example.org");
                let key = format!("term-{w}-{n}");
                let o = call(t0, &format!("load {w}"), &email, &key, register(&client, &server, &email, &key)).await;
                let failed = o.error.is_some();
                outcomes.push(o);
                if failed {
                    break;
                }
                n += 1;
            }
            outcomes
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;

    let killed = Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let term = t0.elapsed();
    // The listener closes: new connections are refused while the old ones are served.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Err(_) => break,
            Ok(probe) => drop(probe),
        }
        assert!(Instant::now() < deadline, "the listener is still open 5 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let refused = t0.elapsed();
    stop.store(true, Ordering::SeqCst);
    let mut load = Vec::new();
    for t in tasks {
        load.extend(t.await.expect("load task"));
    }

    // The held requests finish: each gets its whole, well-formed 201.
    let answers = tokio::task::spawn_blocking(move || {
        held.into_iter()
            .map(|(email, mut stream, body)| {
                stream.write_all(&body[10..]).expect("the in-flight request can still send");
                let (head, json) = read_response(stream);
                (email, head, json)
            })
            .collect::<Vec<_>>()
    })
    .await
    .expect("held requests");
    for (email, head, json) in &answers {
        assert!(head.starts_with("HTTP/1.1 201"), "{email}: {head}");
        assert!(head.to_ascii_lowercase().contains("content-type: application/json"), "{head}");
        assert!(json["person_id"].is_string() && json["invoice"]["id"].is_string(), "{json}");
    }

    // The process exits 0, within the grace period: the requests finished, none was cut off.
    let mut server = Arc::into_inner(server).expect("the load tasks are done");
    let deadline = Instant::now() + Duration::from_secs(SHUTDOWN_TIMEOUT_SECONDS + 10);
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop:\n{}", server.log_tail());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let exited = t0.elapsed();
    assert!(status.success(), "exit status {status}:\n{}", server.log_tail());
    assert!(
        exited - term < Duration::from_secs(SHUTDOWN_TIMEOUT_SECONDS),
        "shutdown took {:?}: it waited out the grace period instead of finishing the requests",
        exited - term
    );
    let log = server.log_tail();
    assert!(!log.contains("panicked"), "{log}");

    // Every answered load request succeeded; the ones that failed did so because the
    // listener had closed after the SIGTERM.
    let acknowledged: Vec<&Outcome> = load.iter().filter(|o| o.status.is_some()).collect();
    for o in &load {
        match o.status {
            Some(status) => assert_eq!(status, 201, "{o:?}"),
            None => assert!(o.ended() >= term, "a request failed before the SIGTERM: {o:?}"),
        }
    }
    assert!(acknowledged.len() >= 10, "load before the SIGTERM: {}", acknowledged.len());
    let in_flight = acknowledged.iter().filter(|o| o.sent <= term && o.ended() >= term).count();

    // The stored rows are exactly the acknowledged requests, each whole.
    let db = Database::connect(url.as_str()).await.expect("connect");
    let stored = stored_registrations(&db, "term-").await;
    for (email, (_, reg, inv)) in &stored {
        assert!(reg.is_some() && inv.is_some(), "half-written registration of {email}");
    }
    for (email, _, json) in &answers {
        let (person, _, _) = stored.get(email).unwrap_or_else(|| panic!("{email} was answered 201 but not stored"));
        assert!(same_id(person, &json["person_id"]), "{person} vs {json}");
    }
    for o in &acknowledged {
        let (person, _, _) = stored.get(&o.email).unwrap_or_else(|| panic!("acknowledged but lost: {o:?}"));
        assert!(same_id(person, &o.json()["person_id"]), "{o:?}");
    }
    assert_eq!(stored.len(), answers.len() + acknowledged.len(), "nothing unacknowledged was stored");
    let completed = rows(&db, "SELECT COUNT(*) AS n FROM idempotency_keys WHERE state = 'completed'").await;
    assert_eq!(
        completed[0].try_get::<i64>("", "n").expect("n") as usize,
        stored.len(),
        "each idempotent outcome was stored before the exit"
    );
    let in_progress = rows(&db, "SELECT COUNT(*) AS n FROM idempotency_keys WHERE state <> 'completed'").await;
    assert_eq!(in_progress[0].try_get::<i64>("", "n").expect("n"), 0, "no key left in flight");
    db.close().await.ok();
    println!(
        "sigterm: {} load requests answered ({in_flight} of them in flight at the SIGTERM) + {HELD} held; listener closed {:?} and process exited {:?} after the SIGTERM",
        acknowledged.len(),
        refused - term,
        exited - term
    );
}
