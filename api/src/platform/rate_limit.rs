//! Fixed-window rate limits kept in the database, so that every replica counts
//! against the same budget. One statement increments and reads the window's count.
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait as _, OnConflict, Query},
};

use crate::{db, error::AppError};
use entity::rate_limit::{self, Column};

/// Counts one hit on `bucket`; over `limit` hits in the current window → 429 with the
/// seconds until the window ends.
pub async fn hit(db: &impl ConnectionTrait, bucket: &str, limit: u32, window: Duration) -> Result<(), AppError> {
    let now = db::now();
    let (key, window_end) = window_key(bucket, now, window);
    let stmt = Query::insert()
        .into_table(rate_limit::Entity)
        .columns([Column::Bucket, Column::Hits, Column::ExpiresAt])
        .values_panic([key.into(), 1i32.into(), window_end.into()])
        .on_conflict(
            OnConflict::column(Column::Bucket)
                .value(Column::Hits, Expr::col((rate_limit::Entity, Column::Hits)).add(1))
                .to_owned(),
        )
        .returning_col(Column::Hits)
        .to_owned();
    let row = db.query_one(&stmt).await?;
    let hits: i32 = match row {
        Some(r) => r.try_get_by_index(0).map_err(|e| AppError::internal(format!("rate limit row: {e}")))?,
        None => 1,
    };
    if hits as u32 > limit {
        let retry_after = std::cmp::max((window_end - now).num_seconds(), 1) as u64;
        return Err(AppError::RateLimited { retry_after_secs: retry_after });
    }
    Ok(())
}

fn window_key(bucket: &str, now: DateTime<Utc>, window: Duration) -> (String, DateTime<Utc>) {
    let size = std::cmp::max(window.as_secs(), 1) as i64;
    let start = now.timestamp() - now.timestamp().rem_euclid(size);
    let end = Utc.timestamp_opt(start + size, 0).single().unwrap_or(now);
    (format!("{bucket}@{start}"), end)
}

pub async fn purge_expired(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    rate_limit::Entity::delete_many().filter(Column::ExpiresAt.lt(db::now())).exec(db).await.map(|r| r.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 42).single().expect("time");
        let (key, end) = window_key("login:a", t, Duration::from_secs(60));
        assert_eq!(key, format!("login:a@{}", t.timestamp() - 42));
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 11, 23, 10, 1, 0).single().expect("time"));
    }
}
