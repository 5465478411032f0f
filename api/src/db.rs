//! Database connection, transactions and error classification, for SQLite and PostgreSQL.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr, RuntimeErr, SqlErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::{self, sqlite::SqliteJournalMode, sqlite::SqliteSynchronous},
};

use crate::config::Config;

/// Opens the pool. SQLite gets WAL, a busy timeout and enforced foreign keys; the file
/// and its folder are created on first start.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbErr> {
    connect_url(&config.database_url, config.db_max_connections, config.db_acquire_timeout).await
}

pub async fn connect_url(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    if url.starts_with("sqlite:") {
        ensure_sqlite_folder(url)?;
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.max_connections(max_connections)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(acquire_timeout)
        .idle_timeout(Duration::from_secs(300))
        .sqlx_logging(false)
        // A connection broken by a database restart is discarded rather than handed out.
        .test_before_acquire(true);
    opts.map_sqlx_sqlite_opts(|o| {
        o.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            .create_if_missing(true)
    });
    Database::connect(opts).await
}

fn ensure_sqlite_folder(url: &str) -> Result<(), DbErr> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", parent.display())))?;
    }
    Ok(())
}

/// A connection for running migrations: a pool of one. sea-orm-migration wraps a migration
/// in a transaction only on PostgreSQL; on SQLite each statement would otherwise take any
/// free pooled connection, and one still holding an older view of the schema fails
/// ("index … already exists"). One connection applies them in order on one view.
pub async fn migrator_connection(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_url(url, 1, Duration::from_secs(30)).await
}

/// Applies every pending migration on a connection of its own, before any pool serves requests.
pub async fn migrate_up(url: &str) -> Result<(), DbErr> {
    let conn = migrator_connection(url).await?;
    Migrator::up(&conn, None).await?;
    conn.close().await
}

/// Starts a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`, so two
/// writers queue on the busy timeout instead of failing when a read lock is upgraded.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Maps a unique-constraint violation to a 409 `code`; any other error as usual. The
/// database decides uniqueness (no check-then-insert race).
pub fn conflict_on_unique(
    code: crate::error::ProblemCode,
    detail: impl Into<String>,
) -> impl FnOnce(DbErr) -> crate::error::AppError {
    let detail = detail.into();
    move |e| if is_unique_violation(&e) { crate::error::AppError::conflict(code, detail) } else { e.into() }
}

/// True when the database could not be reached or dropped the connection: the request
/// is answered 503 (and may be retried) rather than 500.
pub fn is_connection_error(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => match e.as_ref() {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                // PostgreSQL: 08xxx connection exceptions, 57P0x shutdown / cannot connect now.
                // SQLite: 5 (BUSY) and 6 (LOCKED) after the busy timeout ran out.
                code.starts_with("08") || code.starts_with("57P") || code == "5" || code == "6"
            }
            _ => false,
        },
        _ => false,
    }
}

/// Answers whether the database can be used right now, within `timeout`.
pub async fn ping(db: &DatabaseConnection, timeout: Duration) -> Result<(), String> {
    match tokio::time::timeout(timeout, db.execute_unprepared("SELECT 1")).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
    }
}

/// The current time at the precision both databases store (microseconds), so that a
/// response built from written values equals what a later read returns.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    entity::now()
}
