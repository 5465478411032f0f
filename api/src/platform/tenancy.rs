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
