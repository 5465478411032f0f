//! Revocation that bites: an access token is good only while its `generation` is its
//! subject's current one. Disabling a person, revoking a role, a new password, revoking a
//! client or rotating its secret without overlap bump the generation in the database.
//! Each replica remembers a subject's generation for at most `TTL`, so a token of an
//! older generation stops working on every replica within that time (well inside the
//! 5 seconds promised), at the cost of one indexed read per subject and TTL.
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::caller::SubjectKind;
use entity::{machine_client, person};

/// How long a replica trusts what it read of a subject.
pub const TTL: Duration = Duration::from_secs(2);
const CAPACITY: usize = 50_000;

/// A subject's current generation (`None`: it may not hold tokens), and when it was read.
type Reading = (Option<i64>, Instant);

/// What this replica last read of each subject.
#[derive(Default)]
pub struct TokenGenerations {
    entries: Mutex<HashMap<(SubjectKind, Uuid), Reading>>,
}

impl TokenGenerations {
    /// The subject's current generation; `None` for a disabled, revoked or unknown subject.
    pub async fn current(&self, db: &impl ConnectionTrait, kind: SubjectKind, id: Uuid) -> Result<Option<i64>, DbErr> {
        let now = Instant::now();
        if let Ok(entries) = self.entries.lock()
            && let Some((generation, read_at)) = entries.get(&(kind, id))
            && now.duration_since(*read_at) < TTL
        {
            return Ok(*generation);
        }
        let generation = read(db, kind, id).await?;
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.retain(|_, (_, at)| now.duration_since(*at) < TTL);
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
            }
            entries.insert((kind, id), (generation, now));
        }
        Ok(generation)
    }

    /// Forgets what this replica read of a subject (after it changed here).
    pub fn forget(&self, kind: SubjectKind, id: Uuid) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&(kind, id));
        }
    }
}

async fn read(db: &impl ConnectionTrait, kind: SubjectKind, id: Uuid) -> Result<Option<i64>, DbErr> {
    match kind {
        SubjectKind::Person => {
            let row: Option<(i64, person::PersonStatus)> = person::Entity::find_by_id(id)
                .select_only()
                .column(person::Column::TokenGeneration)
                .column(person::Column::Status)
                .into_tuple()
                .one(db)
                .await?;
            Ok(row.and_then(|(generation, status)| crate::domain::people::may_sign_in(status).then_some(generation)))
        }
        SubjectKind::Client => {
            let row: Option<i64> = machine_client::Entity::find()
                .filter(machine_client::Column::Id.eq(id))
                .filter(machine_client::Column::RevokedAt.is_null())
                .select_only()
                .column(machine_client::Column::TokenGeneration)
                .into_tuple()
                .one(db)
                .await?;
            Ok(row)
        }
    }
}
