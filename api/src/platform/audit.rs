//! The audit log: who changed what, with the before and after images and the
//! request id, written in the same transaction as the change.
use crate::db;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use serde_json::Value;
use uuid::Uuid;

use entity::audit_event;

/// Who acts: a person, a machine client, or the system itself (jobs, CLI).
#[derive(Clone, Debug)]
pub struct Actor {
    pub kind: &'static str,
    pub id: Option<Uuid>,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn system() -> Actor {
        Actor { kind: "system", id: None, request_id: None }
    }
}

pub struct AuditEntry<'a> {
    pub affiliate_id: Option<Uuid>,
    pub action: &'a str,
    pub resource_kind: &'a str,
    pub resource_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(db: &impl ConnectionTrait, actor: &Actor, entry: AuditEntry<'_>) -> Result<(), DbErr> {
    audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(entry.affiliate_id),
        actor_kind: Set(actor.kind.to_string()),
        actor_id: Set(actor.id),
        action: Set(entry.action.to_string()),
        resource_kind: Set(entry.resource_kind.to_string()),
        resource_id: Set(entry.resource_id),
        before: Set(entry.before),
        after: Set(entry.after),
        request_id: Set(actor.request_id.clone()),
        occurred_at: Set(db::now()),
    }
    .insert(db)
    .await
    .map(|_| ())
}
