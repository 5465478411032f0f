use sea_orm::entity::prelude::*;

/// One entry per created, updated or deleted record that partners may sync,
/// appended in the same transaction as the change. `position` is the feed order.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "change_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub affiliate_id: Uuid,
    pub kind: crate::sets::RecordKind,
    pub record_id: Uuid,
    pub external_id: Option<String>,
    pub version: i64,
    pub operation: Operation,
    pub representation: Option<Json>,
    pub changed_at: DateTimeUtc,
    /// The feed order: assigned at commit, so it grows in commit order (null only
    /// inside the writing transaction).
    pub position: Option<i64>,
}

closed_set! {
    /// What happened to a record. New values may be added later.
    pub enum Operation {
        Upsert = "upsert",
        Delete = "delete",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
