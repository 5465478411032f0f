//! The outbox: side effects recorded in the caller's transaction and delivered later
//! by the worker. Claiming uses a lease (and `FOR UPDATE SKIP LOCKED` on PostgreSQL)
//! so that several replicas never deliver the same message at the same time.
use crate::db;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use entity::outbox_message::{self, Column, Entity as Outbox};
pub use entity::outbox_message::{OutboxKind, OutboxStatus};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct EmailMessage {
    /// A mailbox: `Name <address>` or a bare address.
    pub to: String,
    pub subject: String,
    pub text: String,
    /// The HTML alternative of `text` (messages queued before it existed have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// The template it was rendered from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<entity::mail_template::MailTemplateKey>,
}

pub async fn enqueue_email(db: &impl ConnectionTrait, email: &EmailMessage) -> Result<Uuid, DbErr> {
    let payload = serde_json::to_value(email).map_err(|e| DbErr::Json(e.to_string()))?;
    enqueue(db, OutboxKind::Email, payload).await
}

pub async fn enqueue(db: &impl ConnectionTrait, kind: OutboxKind, payload: serde_json::Value) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let now = db::now();
    outbox_message::ActiveModel {
        id: Set(id),
        kind: Set(kind),
        payload: Set(payload),
        status: Set(OutboxStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        delivered_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// Takes up to `batch` due messages for this worker for `lease`; returns them with the
/// attempt counted. A message whose worker died is due again when its lease runs out.
pub async fn claim_due(
    db: &DatabaseConnection,
    batch: u64,
    lease: Duration,
) -> Result<Vec<outbox_message::Model>, DbErr> {
    let txn = crate::db::begin_write(db).await?;
    let now = db::now();
    let mut query = Outbox::find()
        .filter(Column::Status.eq(OutboxStatus::Pending))
        .filter(Column::NextAttemptAt.lte(now))
        .filter(Column::LockedUntil.is_null().or(Column::LockedUntil.lt(now)))
        .order_by_asc(Column::NextAttemptAt)
        .limit(batch);
    if db.get_database_backend() == DbBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let mut rows = query.all(&txn).await?;
    if rows.is_empty() {
        txn.commit().await?;
        return Ok(rows);
    }
    let until = now + chrono::Duration::from_std(lease).unwrap_or_else(|_| chrono::Duration::minutes(5));
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    Outbox::update_many()
        .col_expr(Column::LockedUntil, Expr::value(until))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .filter(Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    for row in &mut rows {
        row.attempts += 1;
        row.locked_until = Some(until);
    }
    Ok(rows)
}

pub async fn mark_delivered(db: &DatabaseConnection, id: Uuid) -> Result<(), DbErr> {
    Outbox::update_many()
        .col_expr(Column::Status, Expr::value(OutboxStatus::Sent))
        .col_expr(Column::DeliveredAt, Expr::value(db::now()))
        .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Schedules another attempt at `retry_at`, or gives up (`dead`) when `retry_at` is `None`.
pub async fn mark_failed(
    db: &DatabaseConnection,
    id: Uuid,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let mut update = Outbox::update_many()
        .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(Column::LastError, Expr::value(error.chars().take(2000).collect::<String>()));
    update = match retry_at {
        Some(at) => update.col_expr(Column::NextAttemptAt, Expr::value(at)),
        None => update.col_expr(Column::Status, Expr::value(OutboxStatus::Dead)),
    };
    update.filter(Column::Id.eq(id)).exec(db).await.map(|_| ())
}
