//! Builds and runs the service: database, keys, HTTP server and the outbox worker.
use std::{net::TcpListener, sync::Arc};

use actix_web::{App, HttpServer, dev::Server, web};
use tokio::{sync::watch, task::JoinHandle};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;

use crate::{
    auth::keys::Keys, auth::tokens::TokenSettings, config::Config, db, features, http::cors::cors,
    http::extract::BodyLimit, http::extract::path_error_handler, http::fallback::RouteTable,
    http::fallback::not_matched, http::metrics::Metrics, http::metrics::MetricsMiddleware,
    http::problem_guard::ProblemGuard, http::rate_limit::RateLimit, http::rate_limit::RequestLimiter,
    http::request_id::RequestIdMiddleware, http::request_id::RequestSpan, http::security_headers::SecurityHeaders,
    openapi, state::AppState, workers::mailer::Mailer, workers::outbox::OutboxWorker, workers::webhooks::WebhookWorker,
};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("JWT_SIGNING_KEY: {0}")]
    Keys(String),
    #[error("mail: {0}")]
    Mail(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error("{0}")]
    Other(String),
}

pub struct Application {
    port: u16,
    server: Server,
    /// The internal `/metrics` listener (`METRICS_BIND_ADDR`), when configured.
    metrics_server: Option<Server>,
    state: AppState,
    workers: Vec<JoinHandle<()>>,
    stop_worker: watch::Sender<bool>,
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartupError> {
        let listener = TcpListener::bind(config.bind_addr)
            .map_err(|source| StartupError::Bind { addr: config.bind_addr.to_string(), source })?;
        Self::build_with_listener(config, listener).await
    }

    pub async fn build_with_listener(config: Config, listener: TcpListener) -> Result<Application, StartupError> {
        if config.run_migrations {
            db::migrate_up(&config.database_url).await?;
        }
        let connection = db::connect(&config).await?;
        let (keys, generated) =
            Keys::load(config.jwt_signing_key.as_deref(), &config.jwt_previous_public_keys, &config.data_dir)
                .map_err(StartupError::Keys)?;
        if generated {
            tracing::warn!(
                path = %config.data_dir.join("jwt-signing-key.pem").display(),
                "JWT_SIGNING_KEY is not set: using a development signing key kept in the data folder; set JWT_SIGNING_KEY in production"
            );
        }
        let doc = openapi::document();
        let served = openapi::finish(&doc).map_err(|e| StartupError::Other(e.to_string()))?;
        let openapi_json = served.to_string();
        let routes_table = web::Data::new(RouteTable::from_openapi(&doc));
        let metrics = Arc::new(Metrics::new().map_err(|e| StartupError::Other(e.to_string()))?);
        let config = Arc::new(config);
        let state = AppState {
            db: connection.clone(),
            token_settings: TokenSettings {
                issuer: config.jwt_issuer.clone(),
                audience: config.jwt_audience.clone(),
                access_ttl: config.access_token_ttl,
            },
            config: config.clone(),
            keys: Arc::new(keys),
            metrics: metrics.clone(),
            generations: Default::default(),
            invoice_effects: Arc::new(features::settlement::Dispatcher),
            openapi_json: Arc::new(openapi_json),
            docs: Arc::new(crate::features::operations::docs::DocsAssets::new()),
            links: crate::mail::links::Links::new(&config.frontend_base_url),
        };

        let mailer =
            Mailer::configured(config.smtp_url.as_deref(), config.smtp_ca_cert.as_deref(), config.mail_dir.clone())
                .map_err(StartupError::Mail)?;
        if config.run_outbox_worker {
            tracing::info!(mail = %mailer.describe(), "outbox worker delivers email");
        }
        let webhook_worker =
            WebhookWorker { db: connection.clone(), settings: config.webhooks.clone(), links: state.links.clone() };
        let worker = OutboxWorker {
            db: connection,
            mailer,
            from: config.mail_from.clone(),
            max_attempts: config.outbox_max_attempts,
            metrics: metrics.clone(),
            links: state.links.clone(),
        };
        let (stop_worker, stop_rx) = watch::channel(false);
        let workers = if config.run_outbox_worker {
            vec![
                tokio::spawn(worker.run(config.outbox_poll_interval, stop_rx.clone())),
                tokio::spawn(webhook_worker.run(config.outbox_poll_interval, stop_rx)),
            ]
        } else {
            Vec::new()
        };

        let port = listener.local_addr().map_err(|e| StartupError::Other(e.to_string()))?.port();
        let data = web::Data::new(state.clone());
        let body_limit = BodyLimit(config.max_body_bytes);
        let cors_origins = config.cors_origins.clone();
        let limiter = RequestLimiter::new(config.rate_limit_per_minute);
        let trust_forwarded_for = config.trust_forwarded_for;
        let security_headers = SecurityHeaders { hsts: config.public_base_url.scheme() == "https" };
        let problem_catalog = if config.strict_problem_codes {
            let doc = crate::openapi::document_value().map_err(|e| StartupError::Other(e.to_string()))?;
            Some(std::sync::Arc::new(crate::openapi::problems::Catalog::from_document(&doc)))
        } else {
            None
        };
        let metrics_server = match config.metrics_bind_addr {
            Some(addr) => {
                let data = data.clone();
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(data.clone())
                        .route("/metrics", web::get().to(features::operations::health::internal_metrics))
                        .wrap(SecurityHeaders { hsts: false })
                })
                .workers(1)
                .bind(addr)
                .map_err(|source| StartupError::Bind { addr: addr.to_string(), source })?
                .run();
                tracing::info!(%addr, "metrics are served on the internal address");
                Some(server)
            }
            None => None,
        };
        let mut server = HttpServer::new(move || {
            App::new()
                .into_utoipa_app()
                .configure(features::configure)
                .into_app()
                .app_data(data.clone())
                .app_data(routes_table.clone())
                .app_data(body_limit)
                .app_data(web::PathConfig::default().error_handler(path_error_handler))
                .app_data(web::PayloadConfig::new(body_limit.0))
                .default_service(web::to(not_matched))
                .wrap(RateLimit { limiter: limiter.clone(), trust_forwarded_for })
                .wrap(cors(&cors_origins))
                .wrap(ProblemGuard(problem_catalog.clone()))
                .wrap(security_headers)
                .wrap(MetricsMiddleware(metrics.clone()))
                .wrap(TracingLogger::<RequestSpan>::new())
                .wrap(RequestIdMiddleware)
        })
        .shutdown_timeout(config.shutdown_timeout.as_secs())
        .listen(listener)
        .map_err(|source| StartupError::Bind { addr: config.bind_addr.to_string(), source })?;
        if config.http_workers > 0 {
            server = server.workers(config.http_workers);
        }
        let server = server.run();
        let base = format!("http://{}:{}", config.bind_addr.ip(), port);
        tracing::info!(%base, docs = %format!("{base}/docs"), openapi = %format!("{base}/openapi.json"), "endorse is listening");
        Ok(Application { port, server, metrics_server, state, workers, stop_worker })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM/SIGINT (or `handle().stop(true)`): in-flight requests finish,
    /// then the workers complete their current deliveries and stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics_server.map(|s| {
            let handle = s.handle();
            tokio::spawn(s);
            handle
        });
        let result = self.server.await;
        if let Some(handle) = metrics {
            handle.stop(true).await;
        }
        let _ = self.stop_worker.send(true);
        for worker in self.workers {
            let _ = worker.await;
        }
        result
    }
}
