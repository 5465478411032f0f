//! Tenancy: every record belongs to one affiliate, named in paths by its code or id.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{error::AppError, error::AppResult};
use entity::affiliate::{self, Column, Entity as Affiliates};

/// The affiliate by code (`wa`) or by id; 404 naming it otherwise.
pub async fn find(db: &impl ConnectionTrait, ident: &str) -> AppResult<affiliate::Model> {
    let query = match Uuid::parse_str(ident) {
        Ok(id) => Affiliates::find_by_id(id),
        Err(_) => Affiliates::find().filter(Column::Code.eq(ident.to_ascii_lowercase())),
    };
    query.one(db).await?.ok_or_else(|| AppError::NotFound(format!("Affiliate `{ident}`")))
}

/// The affiliate `ident` names, which the caller must coordinate (`what` says what only its
/// coordinators may do, for the 403).
pub async fn managed(
    db: &impl ConnectionTrait,
    caller: &crate::auth::Caller,
    ident: &str,
    what: &str,
) -> AppResult<affiliate::Model> {
    let affiliate = find(db, ident).await?;
    if !caller.manages_affiliate(affiliate.id) {
        return Err(AppError::Forbidden(format!("Only the affiliate's coordinators {what}.")));
    }
    Ok(affiliate)
}
