//! The reference point of the HTTP benchmark: a bare actix-web + sqlx server that answers
//! `GET /people/{id}` with the SELECT the service's `GET /v1/people/{id}` runs (the one
//! sea-orm generates for `person::Entity::find_by_id(id).one(db)`), serialising the row to
//! the same JSON (and `GET /healthz`, as the service's, to compare the HTTP stacks alone).
//! No authentication, middleware, logging or metrics: what is left is the
//! cost of HTTP, the pool, the query and JSON.
//!
//! Environment: `DATABASE_URL` (`sqlite://...` or `postgres://...`, an endorse database),
//! `BIND_ADDR` (default `127.0.0.1:8090`), `HTTP_WORKERS` (default: CPU count, as actix-web),
//! `DB_MAX_CONNECTIONS` (default 16, the service's default). Pool options are sqlx's defaults.
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, http::header, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{
    PgPool, Row, SqlitePool,
    pool::PoolOptions,
    postgres::PgConnectOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
};
use uuid::Uuid;

/// sea-orm's SQL for `find_by_id(..).one(..)` on `people`, per backend (placeholders differ).
const PG_SELECT: &str = r#"SELECT "people"."id", "people"."affiliate_id", "people"."email", "people"."email_normalized", "people"."given_name", "people"."family_name", "people"."password_hash", "people"."status", "people"."preferred_language", "people"."phone", "people"."address_line1", "people"."address_line2", "people"."city", "people"."region", "people"."postal_code", "people"."country", "people"."created_at", "people"."updated_at", "people"."version" FROM "people" WHERE "people"."id" = $1 LIMIT $2"#;
const SQLITE_SELECT: &str = r#"SELECT "people"."id", "people"."affiliate_id", "people"."email", "people"."email_normalized", "people"."given_name", "people"."family_name", "people"."password_hash", "people"."status", "people"."preferred_language", "people"."phone", "people"."address_line1", "people"."address_line2", "people"."city", "people"."region", "people"."postal_code", "people"."country", "people"."created_at", "people"."updated_at", "people"."version" FROM "people" WHERE "people"."id" = ? LIMIT ?"#;

#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

#[derive(Serialize)]
struct Address {
    line1: Option<String>,
    line2: Option<String>,
    city: Option<String>,
    region: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
}

/// The same fields, names and nesting as the service's `Person` representation.
#[derive(Serialize)]
struct Person {
    id: Uuid,
    affiliate_id: Uuid,
    email: String,
    given_name: String,
    family_name: String,
    status: String,
    preferred_language: String,
    phone: Option<String>,
    address: Address,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

/// Reads a row the way sea-orm does: every column of the table (the password hash is read
/// and dropped, as the service does).
fn person_from<'r, R>(row: &'r R) -> Result<Person, sqlx::Error>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let _email_normalized: String = row.try_get(3)?;
    let _password_hash: Option<String> = row.try_get(6)?;
    Ok(Person {
        id: row.try_get(0)?,
        affiliate_id: row.try_get(1)?,
        email: row.try_get(2)?,
        given_name: row.try_get(4)?,
        family_name: row.try_get(5)?,
        status: row.try_get(7)?,
        preferred_language: row.try_get(8)?,
        phone: row.try_get(9)?,
        address: Address {
            line1: row.try_get(10)?,
            line2: row.try_get(11)?,
            city: row.try_get(12)?,
            region: row.try_get(13)?,
            postal_code: row.try_get(14)?,
            country: row.try_get(15)?,
        },
        created_at: row.try_get(16)?,
        updated_at: row.try_get(17)?,
        version: row.try_get(18)?,
    })
}

async fn find(db: &Db, id: Uuid) -> Result<Option<Person>, sqlx::Error> {
    match db {
        Db::Pg(pool) => {
            let row = sqlx::query(PG_SELECT).bind(id).bind(1_i64).fetch_optional(pool).await?;
            row.as_ref().map(person_from).transpose()
        }
        Db::Sqlite(pool) => {
            let row = sqlx::query(SQLITE_SELECT).bind(id).bind(1_i64).fetch_optional(pool).await?;
            row.as_ref().map(person_from).transpose()
        }
    }
}

async fn get_person(db: web::Data<Db>, path: web::Path<String>) -> HttpResponse {
    let Ok(id) = Uuid::parse_str(&path.into_inner()) else {
        return HttpResponse::BadRequest().json(serde_json::json!({"code": "invalid_id"}));
    };
    match find(&db, id).await {
        Ok(Some(p)) => HttpResponse::Ok().insert_header((header::ETAG, format!("\"{}\"", p.version))).json(p),
        Ok(None) => HttpResponse::NotFound().json(serde_json::json!({"code": "not_found"})),
        Err(e) => {
            HttpResponse::InternalServerError().json(serde_json::json!({"code": "database", "detail": e.to_string()}))
        }
    }
}

/// The HTTP stack alone, as the service's `/healthz`: no database, no token.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(serde_json::json!({"status": "ok"}))
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Ok(v) => v.parse().map_err(|_| format!("{name}: cannot parse {v:?}")),
        Err(_) => Ok(default),
    }
}

async fn connect(url: &str, max: u32) -> Result<Db, String> {
    let err = |e: sqlx::Error| format!("DATABASE_URL: {e}");
    if url.starts_with("postgres") {
        let opts: PgConnectOptions = url.parse().map_err(err)?;
        Ok(Db::Pg(PoolOptions::new().max_connections(max).connect_with(opts).await.map_err(err)?))
    } else if url.starts_with("sqlite:") {
        // The service's SQLite settings (WAL, synchronous=NORMAL, a busy timeout); the
        // database must exist already (the service creates and migrates it).
        let opts: SqliteConnectOptions = url.parse().map_err(err)?;
        let opts = opts
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .create_if_missing(false);
        Ok(Db::Sqlite(PoolOptions::new().max_connections(max).connect_with(opts).await.map_err(err)?))
    } else {
        Err("DATABASE_URL must start with sqlite: or postgres".into())
    }
}

async fn run() -> Result<(), String> {
    let url = std::env::var("DATABASE_URL").map_err(|_| "DATABASE_URL is not set".to_string())?;
    let bind = std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8090".into());
    let max: u32 = env_or("DB_MAX_CONNECTIONS", 16)?;
    let workers: usize = env_or("HTTP_WORKERS", 0)?;
    let db = web::Data::new(connect(&url, max).await?);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(db.clone())
            .route("/people/{id}", web::get().to(get_person))
            .route("/healthz", web::get().to(healthz))
    });
    if workers > 0 {
        server = server.workers(workers);
    }
    server.bind(&bind).map_err(|e| format!("BIND_ADDR {bind}: {e}"))?.run().await.map_err(|e| e.to_string())
}

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-baseline: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
