use sea_orm::entity::prelude::*;

/// Who did what to which record, written in the same transaction as the change.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub affiliate_id: Option<Uuid>,
    pub actor_kind: crate::sets::ActorKind,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub resource_kind: String,
    pub resource_id: String,
    pub before: Option<Json>,
    pub after: Option<Json>,
    pub request_id: Option<String>,
    pub occurred_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
