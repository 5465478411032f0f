//! Fee schedules: per affiliate and fee kind (and category, for processing fees),
//! versioned by the date from which each amount is in force.
use crate::error::ProblemCode;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::{
    auth::Caller, db, db::begin_write, domain::money::check_amount, error::AppError, error::AppResult,
    features::billing::dto::NewFee, platform::audit, platform::audit::AuditEntry,
};
use entity::{fee_schedule, sets::FeeKind};

/// The fee of `kind` (and `category`) in force on `on`, if any is set.
pub async fn in_force(
    db: &impl ConnectionTrait,
    affiliate_id: Uuid,
    kind: FeeKind,
    category: &str,
    on: NaiveDate,
) -> AppResult<Option<fee_schedule::Model>> {
    Ok(fee_schedule::Entity::find()
        .filter(fee_schedule::Column::AffiliateId.eq(affiliate_id))
        .filter(fee_schedule::Column::FeeKind.eq(kind))
        .filter(fee_schedule::Column::Category.eq(category))
        .filter(fee_schedule::Column::EffectiveFrom.lte(on))
        .order_by_desc(fee_schedule::Column::EffectiveFrom)
        .one(db)
        .await?)
}

/// Every fee in force on `on`: the latest version of each kind and category.
pub async fn schedule(
    db: &DatabaseConnection,
    ident: &str,
    on: Option<NaiveDate>,
) -> AppResult<Vec<fee_schedule::Model>> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    let on = on.unwrap_or_else(|| crate::platform::clock::today(&affiliate));
    let rows = fee_schedule::Entity::find()
        .filter(fee_schedule::Column::AffiliateId.eq(affiliate.id))
        .filter(fee_schedule::Column::EffectiveFrom.lte(on))
        .order_by_asc(fee_schedule::Column::FeeKind)
        .order_by_asc(fee_schedule::Column::Category)
        .order_by_desc(fee_schedule::Column::EffectiveFrom)
        .all(db)
        .await?;
    let mut current: Vec<fee_schedule::Model> = Vec::new();
    for row in rows {
        if !current.iter().any(|c| c.fee_kind == row.fee_kind && c.category == row.category) {
            current.push(row);
        }
    }
    Ok(current)
}

pub async fn publish(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    input: NewFee,
) -> AppResult<fee_schedule::Model> {
    let txn = begin_write(db).await?;
    let affiliate = crate::platform::tenancy::managed(&txn, caller, ident, "set its fees").await?;
    let amount = check_amount(&input.amount, &affiliate.currency, true)
        .map_err(|m| AppError::invalid_field("amount", "invalid_amount", m))?;
    let category = input.category.clone().unwrap_or_default();
    let needs_category = input.kind == FeeKind::Processing;
    if needs_category && category.is_empty() {
        return Err(AppError::invalid_field("category", "required", "processing fees are set per category"));
    }
    let model = fee_schedule::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate.id),
        fee_kind: Set(input.kind),
        category: Set(category),
        amount_cents: Set(amount),
        currency: Set(affiliate.currency.clone()),
        effective_from: Set(input.effective_from),
        created_at: Set(db::now()),
        created_by: Set(Some(caller.id)),
    }
    .insert(&txn)
    .await
    .map_err(db::conflict_on_unique(ProblemCode::FeeVersionExists, "This fee already has a version from that date."))?;
    audit::by(
        &txn,
        caller,
        AuditEntry::new(Some(affiliate.id), "fee.published", "fee", model.id).after(serde_json::json!({
            "kind": model.fee_kind, "category": model.category,
            "amount_cents": model.amount_cents, "effective_from": model.effective_from,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
