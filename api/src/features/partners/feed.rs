//! The change feed a partner polls: its affiliate's changes in commit order, from an
//! opaque cursor that is always handed back (also on an empty page).
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{
    auth::Caller, error::AppError, error::AppResult, features::partners::dto::sync::ChangeEvent,
    features::partners::dto::sync::ChangeFeed, http::pagination, platform::change_log as changes,
};

const LIST: &str = "changes";
pub const SCOPE: crate::domain::scopes::Scope = crate::domain::scopes::Scope::SyncRead;
const DEFAULT_LIMIT: u64 = pagination::DEFAULT_LIMIT;

pub async fn page(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<ChangeFeed> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    caller.require_staff_or_scope(affiliate.id, SCOPE)?;
    let after = match cursor.filter(|c| !c.is_empty()) {
        None => 0,
        Some(raw) => {
            let (aff, position): (Uuid, i64) = pagination::decode(LIST, raw)?;
            if aff != affiliate.id {
                return Err(AppError::invalid_query("cursor", "invalid_cursor", "belongs to another affiliate's feed"));
            }
            position
        }
    };
    let limit = limit.map(|l| l as u64).unwrap_or(DEFAULT_LIMIT);
    let mut rows = changes::after(db, affiliate.id, after, limit + 1).await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let last = rows.last().and_then(|r| r.position).unwrap_or(after);
    let data = rows
        .into_iter()
        .map(|r| ChangeEvent {
            event_id: format!("chg_{}", r.seq),
            kind: r.kind,
            record_id: r.record_id,
            external_id: r.external_id,
            version: r.version,
            operation: r.operation,
            changed_at: r.changed_at,
            representation: r.representation,
        })
        .collect();
    Ok(ChangeFeed { data, next_cursor: pagination::encode(LIST, &(affiliate.id, last))?, has_more })
}
