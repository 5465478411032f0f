use sea_orm::entity::prelude::*;

/// The stored outcome of a POST sent with an `Idempotency-Key`, per caller.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub caller: String,
    pub key: String,
    pub request_hash: String,
    pub state: IdempotencyState,
    pub response_status: Option<i32>,
    pub response_headers: Option<String>,
    pub response_body: Option<Vec<u8>>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

closed_set! {
    /// Whether the first request with a key is still running.
    pub enum IdempotencyState {
        InFlight = "in_flight",
        Completed = "completed",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
