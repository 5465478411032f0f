//! The credential catalog (public) and the categories' lookup by code or slug.
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::{error::AppError, error::AppResult};
use entity::{credential_category, credential_family};

pub async fn families(db: &DatabaseConnection) -> AppResult<Vec<credential_family::Model>> {
    Ok(credential_family::Entity::find().order_by_asc(credential_family::Column::Code).all(db).await?)
}

pub async fn categories(db: &impl ConnectionTrait, family: Option<&str>) -> AppResult<Vec<credential_category::Model>> {
    let mut q = credential_category::Entity::find()
        .order_by_asc(credential_category::Column::FamilyCode)
        .order_by_asc(credential_category::Column::Rank)
        .order_by_asc(credential_category::Column::Code);
    if let Some(f) = family {
        let exists = credential_family::Entity::find_by_id(f.to_uppercase()).one(db).await?;
        if exists.is_none() {
            return Err(AppError::invalid_query(
                "family",
                "unknown_family",
                format!("`{f}` is not a family (IMH-E, ECMH-E)"),
            ));
        }
        q = q.filter(credential_category::Column::FamilyCode.eq(f.to_uppercase()));
    }
    Ok(q.all(db).await?)
}

/// By code (`IMHM-R/F`, any case) or slug (`imhm-rf`).
pub async fn category(db: &impl ConnectionTrait, ident: &str) -> AppResult<credential_category::Model> {
    let by_code = credential_category::Entity::find_by_id(ident.to_uppercase()).one(db).await?;
    let found = match by_code {
        Some(c) => Some(c),
        None => {
            credential_category::Entity::find()
                .filter(credential_category::Column::Slug.eq(ident.to_lowercase()))
                .one(db)
                .await?
        }
    };
    found.ok_or_else(|| AppError::NotFound(format!("Credential category `{ident}`")))
}

pub async fn known_codes(db: &impl ConnectionTrait) -> AppResult<Vec<String>> {
    Ok(credential_category::Entity::find().all(db).await?.into_iter().map(|c| c.code).collect())
}
