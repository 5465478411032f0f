//! The audit log: who changed what, with the before and after images and the
//! request id, written in the same transaction as the change.
use crate::db;
use sea_orm::{ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, Set};
use serde_json::Value;
use uuid::Uuid;

use entity::audit_event;
pub use entity::sets::ActorKind;

/// Who acts: a person, a machine client, or the system itself (jobs, CLI).
#[derive(Clone, Debug)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<Uuid>,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn system() -> Actor {
        Actor { kind: ActorKind::System, id: None, request_id: None }
    }

    /// A person acting outside a request's caller (a link they followed, a job for them).
    pub fn person(id: Uuid) -> Actor {
        Actor { kind: ActorKind::Person, id: Some(id), request_id: None }
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

impl<'a> AuditEntry<'a> {
    /// An entry for `action` on one record; add its images with `before` and `after`.
    pub fn new(
        affiliate_id: Option<Uuid>,
        action: &'a str,
        resource_kind: &'a str,
        resource_id: impl ToString,
    ) -> Self {
        AuditEntry {
            affiliate_id,
            action,
            resource_kind,
            resource_id: resource_id.to_string(),
            before: None,
            after: None,
        }
    }

    pub fn before(self, image: Value) -> Self {
        AuditEntry { before: Some(image), ..self }
    }

    pub fn after(self, image: Value) -> Self {
        AuditEntry { after: Some(image), ..self }
    }

    pub fn before_opt(self, image: Option<Value>) -> Self {
        AuditEntry { before: image, ..self }
    }

    pub fn after_opt(self, image: Option<Value>) -> Self {
        AuditEntry { after: image, ..self }
    }
}

/// Records what `caller` did (the common case: a person or machine client acting).
pub async fn by(db: &impl ConnectionTrait, caller: &crate::auth::Caller, entry: AuditEntry<'_>) -> Result<(), DbErr> {
    record(db, &caller.actor(), entry).await
}

/// Inserts a new record and audits its creation by `caller` in the same transaction; the
/// entry is made from the stored row, so it names the row's id and image as written.
pub async fn created<A>(
    db: &impl ConnectionTrait,
    caller: &crate::auth::Caller,
    row: A,
    entry: impl FnOnce(&<A::Entity as EntityTrait>::Model) -> AuditEntry<'static>,
) -> Result<<A::Entity as EntityTrait>::Model, DbErr>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let model = row.insert(db).await?;
    by(db, caller, entry(&model)).await?;
    Ok(model)
}

pub async fn record(db: &impl ConnectionTrait, actor: &Actor, entry: AuditEntry<'_>) -> Result<(), DbErr> {
    audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(entry.affiliate_id),
        actor_kind: Set(actor.kind),
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
