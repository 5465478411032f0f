//! Affiliates: public reads; admins create; admins and the affiliate's own
//! coordinators change settings.
use crate::error::ProblemCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    auth::Caller, db, db::begin_write, error::AppError, error::AppResult,
    features::affiliates::dto::affiliates::Affiliate, features::affiliates::dto::affiliates::AffiliatePatch,
    features::affiliates::dto::affiliates::NewAffiliate, http::etag::Precondition, http::pagination::PageRequest,
    platform::audit, platform::audit::AuditEntry, platform::change_log as changes, platform::change_log::Change,
    platform::change_log::Operation,
};
use entity::{
    affiliate::{self, Column, Entity as Affiliates},
    sets::RecordKind,
};

pub const RESOURCE: &str = "affiliate";

pub async fn list(db: &DatabaseConnection, page: &PageRequest<String>) -> AppResult<Vec<affiliate::Model>> {
    let mut query = Affiliates::find().order_by_asc(Column::Code).limit(page.fetch_limit());
    if let Some(after) = &page.after {
        query = query.filter(Column::Code.gt(after.as_str()));
    }
    Ok(query.all(db).await?)
}

fn representation(model: &affiliate::Model) -> serde_json::Value {
    serde_json::to_value(Affiliate::from(model.clone())).unwrap_or(serde_json::Value::Null)
}

pub async fn create(db: &DatabaseConnection, caller: &Caller, input: NewAffiliate) -> AppResult<affiliate::Model> {
    caller.require_admin()?;
    let txn = begin_write(db).await?;
    let model = affiliate::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(input.code.clone()),
        name: Set(input.name.trim().to_string()),
        time_zone: Set(input.time_zone),
        currency: Set(input.currency),
        contact_email: Set(input.contact_email),
        website_url: Set(input.website_url),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(db::conflict_on_unique(
        ProblemCode::AffiliateCodeTaken,
        format!("An affiliate with code `{}` already exists.", input.code),
    ))?;
    let after = representation(&model);
    audit::by(
        &txn,
        caller,
        AuditEntry::new(Some(model.id), "affiliate.created", RESOURCE, model.id).after(after.clone()),
    )
    .await?;
    changes::append(
        &txn,
        Change {
            affiliate_id: model.id,
            kind: RecordKind::Affiliate,
            record_id: model.id,
            external_id: None,
            version: model.version,
            operation: Operation::Upsert,
            representation: Some(after),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

pub async fn update(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    precondition: &Precondition,
    patch: AffiliatePatch,
) -> AppResult<affiliate::Model> {
    let txn = begin_write(db).await?;
    let current = crate::platform::tenancy::find(&txn, ident).await?;
    if !caller.manages_affiliate(current.id) {
        return Err(AppError::Forbidden("Only an admin or this affiliate's coordinators can change it.".into()));
    }
    let expected = precondition.check(current.version)?;

    let mut next = current.clone();
    if let Some(name) = patch.name {
        next.name = name.trim().to_string();
    }
    if let Some(tz) = patch.time_zone {
        next.time_zone = tz;
    }
    if let Some(email) = patch.contact_email {
        next.contact_email = email;
    }
    if let Some(url) = patch.website_url {
        next.website_url = url;
    }
    if next == current {
        txn.commit().await?;
        return Ok(current);
    }
    next.version = current.version + 1;
    next.updated_at = db::now();

    // Conditional on the version read: a concurrent writer makes this match no row.
    let result = Affiliates::update_many()
        .col_expr(Column::Name, Expr::value(next.name.clone()))
        .col_expr(Column::TimeZone, Expr::value(next.time_zone.clone()))
        .col_expr(Column::ContactEmail, Expr::value(next.contact_email.clone()))
        .col_expr(Column::WebsiteUrl, Expr::value(next.website_url.clone()))
        .col_expr(Column::UpdatedAt, Expr::value(next.updated_at))
        .col_expr(Column::Version, Expr::value(next.version))
        .filter(Column::Id.eq(current.id))
        .filter(Column::Version.eq(expected))
        .exec(&txn)
        .await?;
    if result.rows_affected == 0 {
        let current = Affiliates::find_by_id(current.id).one(&txn).await?.map(|a| a.version);
        return Err(AppError::PreconditionFailed { current });
    }
    let after = representation(&next);
    audit::by(
        &txn,
        caller,
        AuditEntry::new(Some(current.id), "affiliate.updated", RESOURCE, current.id)
            .before(representation(&current))
            .after(after.clone()),
    )
    .await?;
    changes::append(
        &txn,
        Change {
            affiliate_id: current.id,
            kind: RecordKind::Affiliate,
            record_id: current.id,
            external_id: None,
            version: next.version,
            operation: Operation::Upsert,
            representation: Some(after),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}
