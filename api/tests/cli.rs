//! The `endorse` binary as an operator uses it: migrations, the OpenAPI document, the
//! first admin (password from standard input), and graceful shutdown on SIGTERM.
use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_endorse");

fn endorse(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATA_DIR", dir)
        .env("DATABASE_URL", format!("sqlite://{}/endorse.db?mode=rwc", dir.display()))
        .env("RUST_LOG", "info");
    cmd
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

#[test]
fn openapi_command_prints_the_committed_document() {
    let out = Command::new(BIN).arg("openapi").output().expect("runs");
    assert!(out.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json")).expect("file");
    assert!(String::from_utf8_lossy(&out.stdout) == committed, "openapi/openapi.json is stale");
}

#[test]
fn migrate_status_down_and_up() {
    let dir = tempfile::tempdir().expect("dir");
    assert!(endorse(dir.path()).args(["migrate", "up"]).status().expect("runs").success());
    let status = endorse(dir.path()).args(["migrate", "status"]).output().expect("runs");
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.lines().count() >= 10 && text.lines().all(|l| l.starts_with("applied")), "{text}");
    assert!(endorse(dir.path()).args(["migrate", "down", "--steps", "2"]).status().expect("runs").success());
    let text = String::from_utf8_lossy(&endorse(dir.path()).args(["migrate", "status"]).output().expect("runs").stdout)
        .to_string();
    assert_eq!(text.lines().filter(|l| l.starts_with("pending")).count(), 2, "{text}");
    assert!(endorse(dir.path()).args(["migrate", "up"]).status().expect("runs").success());
}

#[test]
fn bad_configuration_names_the_variable() {
    let dir = tempfile::tempdir().expect("dir");
    let out = endorse(dir.path()).env("LOG_FORMAT", "xml").args(["migrate", "status"]).output().expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("LOG_FORMAT"), "{err}");
}

fn spawn_server(dir: &std::path::Path, port: u16) -> Child {
    let mut child = endorse(dir)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("LOG_FORMAT", "json")
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

fn http(port: u16, request: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

#[test]
fn admin_create_reads_the_password_from_stdin_and_can_sign_in() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = endorse(dir.path())
        .args(["admin", "create", "--email", "Admin@wa-aimh.org", "--affiliate", "wa"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    child.stdin.take().expect("stdin").write_all(b"a long enough passphrase\n").expect("write");
    let out = child.wait_with_output().expect("finishes");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created Admin@wa-aimh.org"));

    let mut weak = endorse(dir.path())
        .args(["admin", "create", "--email", "other@wa-aimh.org", "--affiliate", "wa"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    weak.stdin.take().expect("stdin").write_all(b"short\n").expect("write");
    let out = weak.wait_with_output().expect("finishes");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password"));

    let port = free_port();
    let mut server = spawn_server(dir.path(), port);
    let body = r#"{"grant_type":"password","username":"admin@wa-aimh.org","password":"a long enough passphrase"}"#;
    let response = http(
        port,
        &format!(
            "POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    let _ = server.kill();
    let _ = server.wait();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"access_token\""), "{response}");
}

#[test]
fn sigterm_lets_an_in_flight_request_finish() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let mut server = spawn_server(dir.path(), port);
    let mut logs = BufReader::new(server.stdout.take().expect("stdout"));
    // The port takes connections from the moment it is bound, before the server runs:
    // wait until it says it is serving, so the request below is in flight, not queued.
    let mut line = String::new();
    while !line.contains("endorse is listening") {
        line.clear();
        assert!(logs.read_line(&mut line).expect("read log") > 0, "the server exited before serving");
    }

    // Start a request and hold back the end of its body, so it is in flight.
    let body = br#"{"token":"rt_not_a_real_token"}"#;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(stream, "POST /v1/auth/revoke HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).expect("write");
    stream.write_all(&body[..10]).expect("write");
    std::thread::sleep(Duration::from_millis(300));

    let killed = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(500));
    // New connections are refused while the old one is served.
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the listener is closed after SIGTERM");

    stream.write_all(&body[10..]).expect("the in-flight request can still send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "exit status {status}");
    let mut all = String::new();
    let _ = logs.read_to_string(&mut all);
    let line = all.lines().find(|l| l.contains("request completed")).unwrap_or_default();
    let parsed: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
    assert!(
        parsed["request_id"].is_string() || parsed["span"]["request_id"].is_string(),
        "JSON logs carry the request id: {line}"
    );
    let _ = logs.read_line(&mut String::new());
}

#[test]
fn client_create_prints_credentials_once() {
    let dir = tempfile::tempdir().expect("dir");
    let out = endorse(dir.path())
        .args([
            "client",
            "create",
            "--affiliate",
            "wa",
            "--name",
            "Renewal script",
            "--scope",
            "renewals:write",
            "--scope",
            "people:read",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l.starts_with("client_id=wa_")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("client_secret=cs_")), "{text}");
    assert!(text.contains("scopes=people:read renewals:write"), "{text}");
    let bad = endorse(dir.path())
        .args(["client", "create", "--affiliate", "wa", "--name", "x", "--scope", "root"])
        .output()
        .expect("runs");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("root"));
}

#[test]
fn the_lapse_job_runs_from_cron_once() {
    use sea_orm::{ActiveModelTrait, Set};
    let dir = tempfile::tempdir().expect("dir");
    assert!(endorse(dir.path()).args(["migrate", "up"]).status().expect("runs").success());
    // An endorsement that ran through 2025's period, held by a person of Washington.
    let url = format!("sqlite://{}/endorse.db?mode=rwc", dir.path().display());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let db = api::db::connect_url(&url, 1, Duration::from_secs(5)).await.expect("db");
        let wa = uuid::Uuid::parse_str(migration::WASHINGTON_ID).expect("id");
        let person = uuid::Uuid::now_v7();
        let now = chrono::Utc::now();
        entity::person::ActiveModel {
            id: Set(person),
            affiliate_id: Set(wa),
            email: Set("cron@example.org".into()),
            email_normalized: Set("cron@example.org".into()),
            given_name: Set("Cron".into()),
            family_name: Set("Test".into()),
            password_hash: Set(None),
            status: Set(entity::person::PersonStatus::Active),
            preferred_language: Set(entity::sets::Language::English),
            phone: Set(None),
            address_line1: Set(None),
            address_line2: Set(None),
            city: Set(None),
            region: Set(None),
            postal_code: Set(None),
            country: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(&db)
        .await
        .expect("person");
        entity::endorsement::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            affiliate_id: Set(wa),
            person_id: Set(person),
            application_id: Set(None),
            category_code: Set("IFA".into()),
            number: Set("WA-IFA-CRON01".into()),
            issued_on: Set(chrono::NaiveDate::from_ymd_opt(2024, 2, 1).expect("date")),
            expires_on: Set(chrono::NaiveDate::from_ymd_opt(2025, 12, 31).expect("date")),
            status: Set(entity::endorsement::EndorsementStatus::Active),
            emerging: Set(false),
            listed: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&db)
        .await
        .expect("endorsement");
    });
    let run = |day: &str| {
        let out =
            endorse(dir.path()).args(["jobs", "lapse", "--affiliate", "wa", "--today", day]).output().expect("runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert!(run("2025-12-31").contains("lapse: 0 changed"));
    assert!(run("2026-01-01").contains("lapse: 1 changed"));
    assert!(run("2026-01-01").contains("lapse: 0 changed"), "running it twice changes nothing");
    let bad = endorse(dir.path()).args(["jobs", "lapse", "--today", "someday"]).output().expect("runs");
    assert!(!bad.status.success());
}
