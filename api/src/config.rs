//! Configuration from environment variables, validated once at start.
//! Every error names the variable, so a bad deployment fails fast and clearly.
use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use lettre::message::Mailbox;
use url::Url;

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub bind_addr: SocketAddr,
    pub public_base_url: Url,
    /// Where links in emails point (the front end's pages `activate`, `reset-password`, `confirm-email`).
    pub frontend_base_url: Url,
    /// Where the SQLite database, the development signing key and mail files live.
    pub data_dir: PathBuf,
    /// PEM (PKCS#8 Ed25519) text or a path to such a file. `None`: a dev key in `data_dir`.
    pub jwt_signing_key: Option<String>,
    /// Extra public keys (PEM, `;`-separated) still accepted while a key rotation settles.
    pub jwt_previous_public_keys: Vec<String>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub cors_origins: Vec<String>,
    pub smtp_url: Option<String>,
    /// PEM certificates (text, or a path to a file) trusted besides the public roots for
    /// SMTP over TLS: a relay with a private CA.
    pub smtp_ca_cert: Option<String>,
    /// `whsec_…`: verifies the mail provider's bounce and complaint webhook
    /// (`POST /v1/mail/events`, Standard Webhooks). `None`: the endpoint answers 404.
    pub mail_webhook_secret: Option<String>,
    pub mail_from: Mailbox,
    pub mail_dir: PathBuf,
    pub log_format: LogFormat,
    pub run_migrations: bool,
    pub max_body_bytes: usize,
    pub idempotency_ttl: Duration,
    /// Login attempts allowed per account (and, times five, per client address) per minute.
    pub login_rate_limit_per_minute: u32,
    /// Requests allowed per caller (token subject, else client address) per minute, per
    /// replica, on every route.
    pub rate_limit_per_minute: std::num::NonZeroU32,
    /// Registrations allowed per client address per hour.
    pub registration_rate_limit_per_hour: u32,
    /// Use the `X-Forwarded-For` address for rate limits (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    pub shutdown_timeout: Duration,
    pub db_max_connections: u32,
    pub db_acquire_timeout: Duration,
    pub http_workers: usize,
    /// Whether this replica runs the outbox worker (any number of replicas may).
    pub run_outbox_worker: bool,
    pub outbox_poll_interval: Duration,
    pub outbox_max_attempts: i32,
    pub webhooks: WebhookSettings,
    /// `/metrics` answers on the main address only to `Authorization: Bearer <this>`.
    pub metrics_token: Option<String>,
    /// Answer 500 for a problem code the operation's documentation does not list
    /// (`STRICT_PROBLEM_CODES`; the suite and the contract run turn it on).
    pub strict_problem_codes: bool,
    /// A separate (internal) listen address that serves `/metrics` alone, without a token.
    pub metrics_bind_addr: Option<SocketAddr>,
}

/// How webhooks are delivered (see the README's configuration table).
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Allow subscription URLs on loopback, private and link-local addresses and plain
    /// `http` (local testing only; never in production: SSRF).
    pub allow_private_targets: bool,
    /// First retry delay; each later one doubles, up to `retry_max`, with ±20% jitter.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// A delivery still failing this long after its event gives up and disables the
    /// subscription (three days).
    pub max_age: Duration,
    pub timeout: Duration,
}

impl Config {
    /// Reads the process environment (after a `.env` file, if any).
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds a configuration from any source of variables; the tests use a map.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let data_dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url =
            var("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}/endorse.db?mode=rwc", data_dir.display()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError {
                var: "DATABASE_URL",
                message: "must start with sqlite:, postgres:// or postgresql://".into(),
            });
        }
        if database_url.contains(":memory:") || database_url.contains("mode=memory") {
            // Every pooled connection (and the migrator's own) would get a database of its own.
            return Err(ConfigError {
                var: "DATABASE_URL",
                message: "an in-memory SQLite database is not shared between connections; use a file".into(),
            });
        }
        let bind_addr: SocketAddr = parse(&var, "BIND_ADDR", "127.0.0.1:8080")?;
        let public_base_url = match var("PUBLIC_BASE_URL") {
            Some(v) => Url::parse(&v).map_err(|e| ConfigError { var: "PUBLIC_BASE_URL", message: e.to_string() })?,
            None => Url::parse(&format!("http://{bind_addr}"))
                .map_err(|e| ConfigError { var: "BIND_ADDR", message: e.to_string() })?,
        };
        if !matches!(public_base_url.scheme(), "http" | "https") {
            return Err(ConfigError { var: "PUBLIC_BASE_URL", message: "must be an http or https URL".into() });
        }
        let frontend_base_url = match var("FRONTEND_BASE_URL") {
            Some(v) => {
                Some(Url::parse(&v).map_err(|e| ConfigError { var: "FRONTEND_BASE_URL", message: e.to_string() })?)
            }
            None => None,
        };
        if frontend_base_url.as_ref().is_some_and(|u| !matches!(u.scheme(), "http" | "https")) {
            return Err(ConfigError { var: "FRONTEND_BASE_URL", message: "must be an http or https URL".into() });
        }
        let registration_limit: u32 = parse(&var, "REGISTRATION_RATE_LIMIT_PER_HOUR", "20")?;
        if registration_limit == 0 {
            return Err(ConfigError { var: "REGISTRATION_RATE_LIMIT_PER_HOUR", message: "must be at least 1".into() });
        }
        let issuer = var("JWT_ISSUER").unwrap_or_else(|| public_base_url.as_str().trim_end_matches('/').to_string());
        let log_format = match var("LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError { var: "LOG_FORMAT", message: format!("`{other}` is not `pretty` or `json`") });
            }
        };
        let cors_origins = var("CORS_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().trim_end_matches('/').to_string())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for origin in &cors_origins {
            let url = Url::parse(origin)
                .map_err(|e| ConfigError { var: "CORS_ORIGINS", message: format!("`{origin}`: {e}") })?;
            if !matches!(url.scheme(), "http" | "https") || url.path() != "/" {
                return Err(ConfigError {
                    var: "CORS_ORIGINS",
                    message: format!("`{origin}` is not an origin like https://app.example.org"),
                });
            }
        }
        let smtp_url = var("SMTP_URL");
        if let Some(url) = &smtp_url {
            let parsed = Url::parse(url).map_err(|e| ConfigError { var: "SMTP_URL", message: e.to_string() })?;
            if !matches!(parsed.scheme(), "smtp" | "smtps") {
                return Err(ConfigError { var: "SMTP_URL", message: "must start with smtp:// or smtps://".into() });
            }
        }
        // Emails sent for real must open the front end's pages: the API has no `/activate`
        // page, so defaulting to it would mail links that answer 404.
        let frontend_base_url = match (frontend_base_url, &smtp_url) {
            (Some(url), _) => url,
            (None, Some(_)) => {
                return Err(ConfigError {
                    var: "FRONTEND_BASE_URL",
                    message: "is required when SMTP_URL is set: the links in emails (activate, reset password, \
                              rate a reference, pay an invoice, ...) open the front end at this address"
                        .into(),
                });
            }
            (None, None) => public_base_url.clone(),
        };
        let smtp_ca_cert = match var("SMTP_CA_CERT") {
            Some(v) if v.contains("-----BEGIN CERTIFICATE-----") => Some(v),
            Some(path) => {
                let pem = std::fs::read_to_string(&path)
                    .map_err(|e| ConfigError { var: "SMTP_CA_CERT", message: format!("cannot read `{path}`: {e}") })?;
                if !pem.contains("-----BEGIN CERTIFICATE-----") {
                    return Err(ConfigError {
                        var: "SMTP_CA_CERT",
                        message: format!("`{path}` holds no PEM certificate"),
                    });
                }
                Some(pem)
            }
            None => None,
        };
        let mail_webhook_secret = var("MAIL_WEBHOOK_SECRET");
        if mail_webhook_secret.as_deref().is_some_and(|s| !crate::domain::webhooks::is_secret(s)) {
            return Err(ConfigError {
                var: "MAIL_WEBHOOK_SECRET",
                message:
                    "must be `whsec_` followed by base64 (at least 24 bytes), as Standard Webhooks providers give it"
                        .into(),
            });
        }
        let mail_from: Mailbox = var("MAIL_FROM")
            .unwrap_or_else(|| "Endorse <no-reply@localhost>".into())
            .parse()
            .map_err(|e| ConfigError { var: "MAIL_FROM", message: format!("not a mailbox: {e}") })?;
        let idempotency_hours: u64 = parse(&var, "IDEMPOTENCY_TTL_HOURS", "24")?;
        if idempotency_hours < 24 {
            return Err(ConfigError { var: "IDEMPOTENCY_TTL_HOURS", message: "must be at least 24".into() });
        }
        let max_body_bytes: usize = parse(&var, "MAX_BODY_BYTES", "1048576")?;
        if !(1024..=64 * 1024 * 1024).contains(&max_body_bytes) {
            return Err(ConfigError { var: "MAX_BODY_BYTES", message: "must be between 1024 and 67108864".into() });
        }
        let access_secs: u64 = parse(&var, "ACCESS_TOKEN_TTL_SECONDS", "900")?;
        if !(30..=86_400).contains(&access_secs) {
            return Err(ConfigError {
                var: "ACCESS_TOKEN_TTL_SECONDS",
                message: "must be between 30 and 86400".into(),
            });
        }
        let refresh_days: u64 = parse(&var, "REFRESH_TOKEN_TTL_DAYS", "30")?;
        if !(1..=365).contains(&refresh_days) {
            return Err(ConfigError { var: "REFRESH_TOKEN_TTL_DAYS", message: "must be between 1 and 365".into() });
        }
        let login_limit: u32 = parse(&var, "LOGIN_RATE_LIMIT_PER_MINUTE", "10")?;
        if login_limit == 0 {
            return Err(ConfigError { var: "LOGIN_RATE_LIMIT_PER_MINUTE", message: "must be at least 1".into() });
        }
        let rate_limit_per_minute: u32 = parse(&var, "RATE_LIMIT_PER_MINUTE", "1200")?;
        let rate_limit_per_minute = std::num::NonZeroU32::new(rate_limit_per_minute)
            .ok_or_else(|| ConfigError { var: "RATE_LIMIT_PER_MINUTE", message: "must be at least 1".into() })?;
        let db_max_connections: u32 = parse(&var, "DB_MAX_CONNECTIONS", "16")?;
        if db_max_connections == 0 {
            return Err(ConfigError { var: "DB_MAX_CONNECTIONS", message: "must be at least 1".into() });
        }
        let http_workers: usize = parse(&var, "HTTP_WORKERS", "0")?;
        let outbox_max_attempts: i32 = parse(&var, "OUTBOX_MAX_ATTEMPTS", "12")?;
        if outbox_max_attempts < 1 {
            return Err(ConfigError { var: "OUTBOX_MAX_ATTEMPTS", message: "must be at least 1".into() });
        }
        let metrics_token = var("METRICS_TOKEN");
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16 || !t.bytes().all(|b| b.is_ascii_graphic())) {
            return Err(ConfigError {
                var: "METRICS_TOKEN",
                message: "must be at least 16 visible ASCII characters".into(),
            });
        }
        let metrics_bind_addr = match var("METRICS_BIND_ADDR") {
            Some(v) => Some(v.parse::<SocketAddr>().map_err(|e| ConfigError {
                var: "METRICS_BIND_ADDR",
                message: format!("`{v}` is not an address like 127.0.0.1:9100: {e}"),
            })?),
            None => None,
        };
        Ok(Config {
            metrics_token,
            metrics_bind_addr,
            mail_dir: var("MAIL_DIR").map(PathBuf::from).unwrap_or_else(|| data_dir.join("mail")),
            data_dir,
            database_url,
            bind_addr,
            public_base_url,
            frontend_base_url,
            registration_rate_limit_per_hour: registration_limit,
            jwt_signing_key: var("JWT_SIGNING_KEY"),
            jwt_previous_public_keys: var("JWT_PREVIOUS_PUBLIC_KEYS")
                .map(|v| v.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect())
                .unwrap_or_default(),
            jwt_issuer: issuer,
            jwt_audience: var("JWT_AUDIENCE").unwrap_or_else(|| "endorse-api".into()),
            access_token_ttl: Duration::from_secs(access_secs),
            refresh_token_ttl: Duration::from_secs(refresh_days * 86_400),
            cors_origins,
            smtp_url,
            smtp_ca_cert,
            mail_webhook_secret,
            mail_from,
            log_format,
            run_migrations: parse_bool(&var, "RUN_MIGRATIONS", true)?,
            max_body_bytes,
            idempotency_ttl: Duration::from_secs(idempotency_hours * 3600),
            login_rate_limit_per_minute: login_limit,
            rate_limit_per_minute,
            trust_forwarded_for: parse_bool(&var, "TRUST_FORWARDED_FOR", false)?,
            strict_problem_codes: parse_bool(&var, "STRICT_PROBLEM_CODES", false)?,
            shutdown_timeout: Duration::from_secs(parse(&var, "SHUTDOWN_TIMEOUT_SECONDS", "30")?),
            db_max_connections,
            db_acquire_timeout: Duration::from_millis(parse(&var, "DB_ACQUIRE_TIMEOUT_MS", "3000")?),
            http_workers,
            run_outbox_worker: parse_bool(&var, "RUN_OUTBOX_WORKER", true)?,
            outbox_poll_interval: Duration::from_millis(parse(&var, "OUTBOX_POLL_INTERVAL_MS", "1000")?),
            outbox_max_attempts,
            webhooks: WebhookSettings {
                allow_private_targets: parse_bool(&var, "WEBHOOK_ALLOW_PRIVATE_TARGETS", false)?,
                retry_base: Duration::from_millis(parse(&var, "WEBHOOK_RETRY_BASE_MS", "30000")?),
                retry_max: Duration::from_millis(parse(&var, "WEBHOOK_RETRY_MAX_MS", "21600000")?),
                max_age: Duration::from_secs(parse(&var, "WEBHOOK_MAX_AGE_SECONDS", "259200")?),
                timeout: Duration::from_millis(parse(&var, "WEBHOOK_TIMEOUT_MS", "10000")?),
            },
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

fn parse<T: FromStr>(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    let raw = var(name).unwrap_or_else(|| default.to_string());
    raw.parse().map_err(|e: T::Err| ConfigError { var: name, message: format!("`{raw}`: {e}") })
}

fn parse_bool(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match var(name).map(|v| v.to_ascii_lowercase()).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError { var: name, message: format!("`{other}` is not a boolean (true/false)") }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_sqlite_on_localhost() {
        let c = config(&[]).expect("defaults are valid");
        assert_eq!(c.database_url, "sqlite://./data/endorse.db?mode=rwc");
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.jwt_issuer, "http://127.0.0.1:8080");
        assert!(c.run_migrations);
        assert_eq!(c.idempotency_ttl, Duration::from_secs(24 * 3600));
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases: &[(&str, &str)] = &[
            ("DATABASE_URL", "mysql://x"),
            ("DATABASE_URL", "sqlite::memory:"),
            ("BIND_ADDR", "not-an-address"),
            ("PUBLIC_BASE_URL", "ftp://x"),
            ("LOG_FORMAT", "xml"),
            ("CORS_ORIGINS", "https://a.example/path"),
            ("SMTP_URL", "http://mail"),
            ("MAIL_FROM", "not a mailbox"),
            ("IDEMPOTENCY_TTL_HOURS", "2"),
            ("MAX_BODY_BYTES", "10"),
            ("RUN_MIGRATIONS", "maybe"),
            ("LOGIN_RATE_LIMIT_PER_MINUTE", "0"),
            ("ACCESS_TOKEN_TTL_SECONDS", "abc"),
        ];
        for (name, value) in cases {
            let err = config(&[(name, value)]).expect_err(name);
            assert_eq!(&err.var, name, "{err}");
        }
    }

    #[test]
    fn cors_origins_are_split_and_normalised() {
        let c = config(&[("CORS_ORIGINS", "https://a.example, http://localhost:3000/")]).expect("valid");
        assert_eq!(c.cors_origins, vec!["https://a.example", "http://localhost:3000"]);
    }
}
