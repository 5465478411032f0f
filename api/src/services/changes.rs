//! The change log that partners' feeds read: one row per created, updated or deleted
//! record, appended in the same transaction as the change.
use crate::db;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, NotSet, Set};
use serde_json::Value;
use uuid::Uuid;

use entity::change_log;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Upsert,
    Delete,
}

pub struct Change<'a> {
    pub affiliate_id: Uuid,
    pub kind: &'a str,
    pub record_id: Uuid,
    pub external_id: Option<String>,
    pub version: i64,
    pub operation: Operation,
    /// The record as the API shows it; `None` for a delete (a tombstone).
    pub representation: Option<Value>,
}

pub async fn append(db: &impl ConnectionTrait, change: Change<'_>) -> Result<(), DbErr> {
    change_log::ActiveModel {
        seq: NotSet,
        affiliate_id: Set(change.affiliate_id),
        kind: Set(change.kind.to_string()),
        record_id: Set(change.record_id),
        external_id: Set(change.external_id),
        version: Set(change.version),
        operation: Set(match change.operation {
            Operation::Upsert => "upsert".into(),
            Operation::Delete => "delete".into(),
        }),
        representation: Set(change.representation),
        changed_at: Set(db::now()),
    }
    .insert(db)
    .await
    .map(|_| ())
}
