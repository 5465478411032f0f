//! Stored outcomes of POSTs sent with an `Idempotency-Key`. The unique (caller, key)
//! pair decides which of several concurrent first uses runs; the others see it in
//! flight (409) or, once it is done, get its stored response back.
use std::time::Duration;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::{db, db::is_unique_violation};
use entity::idempotency_key::{self, Column, Entity as Keys, IdempotencyState};

#[derive(Debug)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub enum Begin {
    /// First use: run the request, then `complete` or `abandon` this record.
    Proceed(Uuid),
    Replay(StoredResponse),
    InFlight,
    /// The key was used before with a different request.
    Mismatch,
}

pub async fn begin(
    db: &DatabaseConnection,
    caller: &str,
    key: &str,
    request_hash: &str,
    ttl: Duration,
) -> Result<Begin, DbErr> {
    for _ in 0..3 {
        let now = db::now();
        let id = Uuid::now_v7();
        let inserted = idempotency_key::ActiveModel {
            id: Set(id),
            caller: Set(caller.to_string()),
            key: Set(key.to_string()),
            request_hash: Set(request_hash.to_string()),
            state: Set(IdempotencyState::InFlight),
            response_status: Set(None),
            response_headers: Set(None),
            response_body: Set(None),
            created_at: Set(now),
            expires_at: Set(now + chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::hours(24))),
        }
        .insert(db)
        .await;
        match inserted {
            Ok(_) => return Ok(Begin::Proceed(id)),
            Err(e) if is_unique_violation(&e) => {
                let existing =
                    Keys::find().filter(Column::Caller.eq(caller)).filter(Column::Key.eq(key)).one(db).await?;
                match existing {
                    None => continue,
                    Some(row) if row.expires_at <= now => {
                        Keys::delete_many().filter(Column::Id.eq(row.id)).exec(db).await?;
                        continue;
                    }
                    Some(row) if row.request_hash != request_hash => return Ok(Begin::Mismatch),
                    Some(row) if row.state != IdempotencyState::Completed => return Ok(Begin::InFlight),
                    Some(row) => {
                        let headers = row
                            .response_headers
                            .as_deref()
                            .and_then(|h| serde_json::from_str(h).ok())
                            .unwrap_or_default();
                        return Ok(Begin::Replay(StoredResponse {
                            status: row.response_status.unwrap_or(200) as u16,
                            headers,
                            body: row.response_body.unwrap_or_default(),
                        }));
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Begin::InFlight)
}

pub async fn complete(db: &DatabaseConnection, id: Uuid, response: &StoredResponse) -> Result<(), DbErr> {
    let headers = serde_json::to_string(&response.headers).map_err(|e| DbErr::Json(e.to_string()))?;
    Keys::update_many()
        .col_expr(Column::State, Expr::value(IdempotencyState::Completed))
        .col_expr(Column::ResponseStatus, Expr::value(response.status as i32))
        .col_expr(Column::ResponseHeaders, Expr::value(headers))
        .col_expr(Column::ResponseBody, Expr::value(response.body.clone()))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Forgets a first use that did not produce a response worth replaying (a server
/// error, a rate limit), so that a retry with the same key runs again.
pub async fn abandon(db: &DatabaseConnection, id: Uuid) -> Result<(), DbErr> {
    Keys::delete_many().filter(Column::Id.eq(id)).exec(db).await.map(|_| ())
}

pub async fn purge_expired(db: &DatabaseConnection) -> Result<u64, DbErr> {
    Keys::delete_many().filter(Column::ExpiresAt.lt(db::now())).exec(db).await.map(|r| r.rows_affected)
}
