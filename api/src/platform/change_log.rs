//! The change log that partners' feeds and webhooks read: one row per created, updated
//! or deleted record, appended in the same transaction as the change. Its `position`
//! is assigned at commit (see migration m0045), so reading `position > cursor` in order
//! never skips a transaction that committed late.
use crate::db;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde_json::Value;
use uuid::Uuid;

pub use entity::sets::RecordKind;
use entity::{change_log, external_id};

pub use entity::change_log::Operation;

pub struct Change {
    pub affiliate_id: Uuid,
    pub kind: RecordKind,
    pub record_id: Uuid,
    /// The partner's id when the caller knows it; otherwise it is looked up.
    pub external_id: Option<String>,
    pub version: i64,
    pub operation: Operation,
    /// The record as the API shows it; `None` for a delete (a tombstone).
    pub representation: Option<Value>,
}

fn row(change: Change, external_id: Option<String>) -> change_log::ActiveModel {
    change_log::ActiveModel {
        seq: NotSet,
        affiliate_id: Set(change.affiliate_id),
        kind: Set(change.kind),
        record_id: Set(change.record_id),
        external_id: Set(external_id),
        version: Set(change.version),
        operation: Set(change.operation),
        representation: Set(change.representation),
        changed_at: Set(db::now()),
        position: NotSet,
    }
}

pub async fn append(db: &impl ConnectionTrait, change: Change) -> Result<(), DbErr> {
    let external = match change.external_id.clone() {
        Some(id) => Some(id),
        None => external_id_of(db, change.affiliate_id, change.kind, change.record_id).await?,
    };
    row(change, external).insert(db).await.map(|_| ())
}

/// Appends many changes whose external ids the caller already knows (bulk sync).
pub async fn append_many(db: &impl ConnectionTrait, changes: Vec<Change>) -> Result<(), DbErr> {
    let rows: Vec<change_log::ActiveModel> = changes
        .into_iter()
        .map(|c| {
            let external = c.external_id.clone();
            row(c, external)
        })
        .collect();
    for chunk in rows.chunks(500) {
        change_log::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    Ok(())
}

pub async fn external_id_of(
    db: &impl ConnectionTrait,
    affiliate_id: Uuid,
    kind: RecordKind,
    record_id: Uuid,
) -> Result<Option<String>, DbErr> {
    external_id::Entity::find()
        .select_only()
        .column(external_id::Column::ExternalId)
        .filter(external_id::Column::AffiliateId.eq(affiliate_id))
        .filter(external_id::Column::Kind.eq(kind))
        .filter(external_id::Column::RecordId.eq(record_id))
        .into_tuple()
        .one(db)
        .await
}

/// Up to `limit` committed changes of one affiliate after `after`, in commit order.
/// One index range scan: a page costs the same at any depth.
pub async fn after(
    db: &impl ConnectionTrait,
    affiliate_id: Uuid,
    after: i64,
    limit: u64,
) -> Result<Vec<change_log::Model>, DbErr> {
    change_log::Entity::find()
        .filter(change_log::Column::AffiliateId.eq(affiliate_id))
        .filter(change_log::Column::Position.gt(after))
        .order_by_asc(change_log::Column::Position)
        .limit(limit)
        .all(db)
        .await
}

/// The external ids of many records of one kind (record ids are globally unique).
pub async fn external_ids_for(
    db: &impl ConnectionTrait,
    kind: RecordKind,
    record_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, DbErr> {
    let mut found = std::collections::HashMap::new();
    for chunk in record_ids.chunks(500) {
        let rows: Vec<(Uuid, String)> = external_id::Entity::find()
            .select_only()
            .column(external_id::Column::RecordId)
            .column(external_id::Column::ExternalId)
            .filter(external_id::Column::Kind.eq(kind))
            .filter(external_id::Column::RecordId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}
