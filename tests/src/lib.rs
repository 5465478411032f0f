//! The black-box harness: each test starts the real service on its own database
//! (a SQLite file in a temp folder, or a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` is set) and talks to it over HTTP.
pub mod smtp;

use std::{collections::HashMap, net::TcpListener, path::PathBuf};

use api::{config::Config, domain::roles::Role, features::accounts::people, startup::Application, state::AppState};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub mail_dir: PathBuf,
    pub database_url: String,
    handle: actix_web::dev::ServerHandle,
    _dir: tempfile::TempDir,
}

pub fn is_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

/// A database of this test's own: a SQLite file in `dir`, or a new PostgreSQL database.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        None => format!("sqlite://{}/endorse.db?mode=rwc", dir.display()),
        Some(admin_url) => {
            let name = format!("endorse_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(admin_url.as_str()).await.expect("connect to TEST_DATABASE_URL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            admin.close().await.ok();
            let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
            url.set_path(&format!("/{name}"));
            url.to_string()
        }
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[]).await
    }

    /// Starts the service with extra environment variables.
    pub async fn spawn_with(vars: &[(&str, &str)]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database_url(dir.path()).await;
        Self::start(dir, database_url, vars).await
    }

    /// A second replica of the service on the same database and signing key (its own
    /// port and workers), as behind a load balancer.
    pub async fn replica(&self, vars: &[(&str, &str)]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let shared = self._dir.path().display().to_string();
        let mut all: Vec<(&str, &str)> = vec![("DATA_DIR", shared.as_str())];
        all.extend_from_slice(vars);
        Self::start(dir, self.database_url.clone(), &all).await
    }

    async fn start(dir: tempfile::TempDir, database_url: String, vars: &[(&str, &str)]) -> TestApp {
        if std::env::var("TEST_LOG").is_ok() {
            api::telemetry::init(api::config::LogFormat::Pretty);
        }
        let mut env: HashMap<String, String> = HashMap::new();
        env.insert("DATABASE_URL".into(), database_url.clone());
        env.insert("DATA_DIR".into(), dir.path().display().to_string());
        env.insert("BIND_ADDR".into(), "127.0.0.1:0".into());
        env.insert("HTTP_WORKERS".into(), "2".into());
        env.insert("DB_MAX_CONNECTIONS".into(), "8".into());
        env.insert("OUTBOX_POLL_INTERVAL_MS".into(), "50".into());
        env.insert("SHUTDOWN_TIMEOUT_SECONDS".into(), "2".into());
        env.insert("LOGIN_RATE_LIMIT_PER_MINUTE".into(), "1000".into());
        // The shared per-caller limit has a test of its own; the others are not about it.
        env.insert("RATE_LIMIT_PER_MINUTE".into(), "1000000".into());
        // Every problem the suite provokes must be one its operation documents.
        env.insert("STRICT_PROBLEM_CODES".into(), "true".into());
        for (k, v) in vars {
            env.insert(k.to_string(), v.to_string());
        }
        let config = Config::from_lookup(|name| env.get(name).cloned()).expect("valid test configuration");
        let mail_dir = config.mail_dir.clone();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let app = Application::build_with_listener(config, listener).await.expect("service starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let state = app.state().clone();
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"),
            state,
            mail_dir,
            database_url,
            handle,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path))
    }

    pub fn patch(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.patch(self.url(path))
    }

    pub fn put(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.put(self.url(path))
    }

    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.delete(self.url(path))
    }

    /// Creates an active staff account directly through the service layer.
    pub async fn staff(&self, email: &str, affiliate: &str, roles: &[Role]) -> uuid::Uuid {
        people::create_staff(
            &self.state.db,
            people::NewStaff {
                email: email.into(),
                affiliate: affiliate.into(),
                given_name: "Test".into(),
                family_name: "Person".into(),
                password: PASSWORD.into(),
                roles: roles.to_vec(),
            },
        )
        .await
        .expect("staff account created")
        .id
    }

    /// Signs in and returns the token response.
    pub async fn login(&self, email: &str) -> Value {
        let res = self
            .post("/v1/auth/token")
            .json(&serde_json::json!({"grant_type": "password", "username": email, "password": PASSWORD}))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200, "login of {email} failed");
        res.json().await.expect("json")
    }

    /// A fresh account with `roles` at `affiliate`, signed in: its access token.
    pub async fn token(&self, affiliate: &str, roles: &[Role]) -> String {
        let email = format!("{}@example.org", uuid::Uuid::new_v4().simple());
        self.staff(&email, affiliate, roles).await;
        self.login(&email).await["access_token"].as_str().expect("access token").to_string()
    }

    pub async fn admin_token(&self) -> String {
        self.token("wa", &[Role::Admin]).await
    }

    /// Creates an affiliate as a fresh admin.
    pub async fn create_affiliate(&self, code: &str) -> Value {
        let admin = self.admin_token().await;
        let res = self
            .post("/v1/affiliates")
            .bearer_auth(admin)
            .json(&serde_json::json!({"code": code, "name": format!("Association {code}"), "time_zone": "America/Chicago", "currency": "USD"}))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 201);
        res.json().await.expect("json")
    }

    /// Creates a machine client of `wa` with `scopes` (as the coordinator) and returns an
    /// access token from the client-credentials grant.
    pub async fn client_token(&self, coordinator: &str, scopes: &[&str]) -> String {
        let c: Value = self
            .post("/v1/affiliates/wa/clients")
            .bearer_auth(coordinator)
            .json(&serde_json::json!({"name": "test client", "scopes": scopes}))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        let t: Value = self
            .post("/v1/auth/token")
            .json(&serde_json::json!({"grant_type": "client_credentials", "client_id": c["client_id"], "client_secret": c["client_secret"]}))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        t["access_token"].as_str().expect("access token").to_string()
    }

    /// Counts rows of a table with an optional SQL condition (test inspection only).
    pub async fn count(&self, table: &str, condition: &str) -> i64 {
        let sql = if condition.is_empty() {
            format!("SELECT COUNT(*) AS n FROM {table}")
        } else {
            format!("SELECT COUNT(*) AS n FROM {table} WHERE {condition}")
        };
        let backend = self.state.db.get_database_backend();
        let row = self
            .state
            .db
            .query_one_raw(sea_orm::Statement::from_string(backend, sql))
            .await
            .expect("query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("count")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sending the stop command is immediate; the server winds down on its own.
        drop(self.handle.stop(false));
    }
}

/// A SQL condition `column = id` for a UUID column on either database (SQLite keeps
/// UUIDs as 16-byte blobs, PostgreSQL as `uuid`), for `count`.
pub fn id_is(column: &str, id: &str) -> String {
    let id = uuid::Uuid::parse_str(id).expect("a uuid");
    if is_postgres() { format!("{column} = '{id}'") } else { format!("{column} = X'{}'", id.simple()) }
}

/// Asserts an RFC 9457 problem response and returns its body.
pub async fn problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    let actual = res.status().as_u16();
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let text = res.text().await.expect("body");
    assert_eq!(actual, status, "status; body: {text}");
    assert!(content_type.starts_with("application/problem+json"), "content-type {content_type}; body: {text}");
    let body: Value = serde_json::from_str(&text).expect("problem body is JSON");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["type"], format!("urn:endorse:problem:{code}"), "{body}");
    assert!(body["title"].is_string() && body["detail"].is_string(), "{body}");
    body
}

/// Registration and payment helpers for the journeys.
impl TestApp {
    /// Registers `email` with Washington and returns the 201 body.
    pub async fn register(&self, email: &str) -> Value {
        self.register_in(email, "en").await
    }

    /// Registers `email` reading `language` (`en`, `es`).
    pub async fn register_in(&self, email: &str, language: &str) -> Value {
        let mut body = registration_body(email);
        body["preferred_language"] = language.into();
        let res = self.post("/v1/affiliates/wa/registrations").json(&body).send().await.expect("request");
        assert_eq!(res.status(), 201, "registration of {email}");
        res.json().await.expect("json")
    }

    /// Records an entry on an invoice as `token` and returns the response.
    pub async fn entry(&self, token: &str, invoice_id: &str, body: Value) -> reqwest::Response {
        self.post(&format!("/v1/invoices/{invoice_id}/entries"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// Pays `cents` by check on an invoice as `token`; asserts 201 and returns the invoice.
    pub async fn pay(&self, token: &str, invoice_id: &str, cents: i64) -> Value {
        let res = self
            .entry(token, invoice_id, serde_json::json!({"kind": "payment", "method": "check", "amount": {"amount_cents": cents, "currency": "USD"}, "reference": "check"}))
            .await;
        assert_eq!(res.status(), 201, "payment of {cents} on {invoice_id}");
        res.json().await.expect("json")
    }

    /// The emails in the outbox whose recipient contains `to`, oldest first.
    pub async fn emails_to(&self, to: &str) -> Vec<api::platform::outbox::EmailMessage> {
        use sea_orm::{EntityTrait, QueryOrder};
        entity::outbox_message::Entity::find()
            .order_by_asc(entity::outbox_message::Column::Id)
            .all(&self.state.db)
            .await
            .expect("outbox")
            .into_iter()
            .filter_map(|m| serde_json::from_value::<api::platform::outbox::EmailMessage>(m.payload).ok())
            .filter(|e| e.to.contains(to))
            .collect()
    }

    /// The temporary logins sent to `to`, oldest first (the registration's acknowledgement
    /// and other emails left out).
    pub async fn logins_to(&self, to: &str) -> Vec<api::platform::outbox::EmailMessage> {
        let login = Some(entity::mail_template::MailTemplateKey::TemporaryLogin);
        self.emails_to(to).await.into_iter().filter(|e| e.template == login).collect()
    }

    /// The first email to `to` whose subject contains `subject`, waiting up to 10 s for
    /// the outbox worker (account jobs such as a password reset write their email there).
    pub async fn wait_for_email(&self, to: &str, subject: &str) -> api::platform::outbox::EmailMessage {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if let Some(e) = self.emails_to(to).await.into_iter().find(|e| e.subject.contains(subject)) {
                return e;
            }
            assert!(std::time::Instant::now() < deadline, "no email to {to} about `{subject}` within 10 s");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 10 s) until `n` outbox jobs of `kind` have been carried out.
    pub async fn wait_for_jobs(&self, kind: &str, n: i64) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.count("outbox_messages", &format!("kind = '{kind}' AND status = 'sent'")).await < n {
            assert!(std::time::Instant::now() < deadline, "{n} `{kind}` jobs not done within 10 s");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Signs in with a given password; returns the response.
    pub async fn login_with(&self, email: &str, password: &str) -> reqwest::Response {
        self.post("/v1/auth/token")
            .json(&serde_json::json!({"grant_type": "password", "username": email, "password": password}))
            .send()
            .await
            .expect("request")
    }

    /// Registers, pays the fee as a Washington coordinator, activates with `PASSWORD`, signs
    /// in: returns (person id, access token).
    pub async fn applicant(&self, email: &str) -> (String, String) {
        self.applicant_in(email, "en").await
    }

    /// An active applicant reading `language`: (person id, access token).
    pub async fn applicant_in(&self, email: &str, language: &str) -> (String, String) {
        let coordinator = self.token("wa", &[Role::Coordinator]).await;
        let reg = self.register_in(email, language).await;
        self.pay(&coordinator, reg["invoice"]["id"].as_str().expect("invoice id"), 2500).await;
        let code = code_in(&self.emails_to(email).await.last().expect("temporary login email").text);
        let res = self
            .post("/v1/auth/activate")
            .json(&serde_json::json!({"token": code, "password": PASSWORD}))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200, "activation");
        let token = self.login(email).await["access_token"].as_str().expect("token").to_string();
        (reg["person_id"].as_str().expect("person id").to_string(), token)
    }
}

pub fn registration_body(email: &str) -> Value {
    serde_json::json!({
        "given_name": "Ana", "family_name": "López", "email": email, "preferred_language": "en",
        "phone": "+1 206 555 0100", "address": {"city": "Seattle", "region": "WA", "country": "US"},
        "highest_education": "bachelor", "years_of_experience": 3, "work_kinds": ["prevention_early_intervention"],
        "rsc_hours_received": 12.25, "target_category": "IFS"
    })
}

/// The one-time code in an email (the last word of the line that gives it).
pub fn code_in(text: &str) -> String {
    text.lines()
        .find(|l| l.contains("code: ") || l.contains("Code: ") || l.contains("código: ") || l.contains("Código: "))
        .and_then(|l| l.split_whitespace().last())
        .expect("a code in the email")
        .to_string()
}

/// A validator for the document's component schema `name` (JSON Schema 2020-12, which
/// OpenAPI 3.1 schemas are), resolving its `$ref`s within the document.
pub fn schema_validator(name: &str) -> jsonschema::Validator {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    let doc = DOC.get_or_init(|| api::openapi::document_value().expect("document"));
    let root = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": doc["components"],
    });
    jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("schema {name}: {e}"))
}

/// Fails unless `value` is valid against the document's schema `name`, naming each error.
pub fn assert_conforms(name: &str, value: &Value) {
    let validator = schema_validator(name);
    let errors: Vec<String> = validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "not a valid {name}: {errors:#?}\n{value:#}");
}
