//! Versioned policies: each affiliate's requirements per category, in force from a date.
//! A version never changes once published, and new ones only take effect from today on,
//! so an application keeps evaluating against the version it started under.
use crate::error::ProblemCode;
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::{
    auth::Caller, db, db::begin_write, domain::engine::Evaluation, domain::engine::Profile, domain::engine::evaluate,
    domain::policy::Requirements, domain::policy::WorkRule, error::AppError, error::AppResult, error::FieldError,
    features::affiliates::catalog, features::affiliates::dto::catalog::NewPolicyVersion,
    features::affiliates::dto::catalog::PolicyVersion, http::pagination::PageRequest, platform::audit,
    platform::audit::AuditEntry, platform::clock::today,
};
use entity::policy_version;

pub fn requirements(m: &policy_version::Model) -> AppResult<Requirements> {
    serde_json::from_value(m.requirements.clone())
        .map_err(|e| AppError::internal(format!("stored policy {} unreadable: {e}", m.id)))
}

pub fn to_dto(m: policy_version::Model) -> AppResult<PolicyVersion> {
    Ok(PolicyVersion {
        requirements: requirements(&m)?,
        id: m.id,
        affiliate_id: m.affiliate_id,
        category: m.category_code,
        number: m.number,
        effective_from: m.effective_from,
        notes: m.notes,
        created_at: m.created_at,
    })
}

pub async fn in_force(
    db: &impl ConnectionTrait,
    affiliate_id: Uuid,
    category: &str,
    on: NaiveDate,
) -> AppResult<Option<policy_version::Model>> {
    Ok(policy_version::Entity::find()
        .filter(policy_version::Column::AffiliateId.eq(affiliate_id))
        .filter(policy_version::Column::CategoryCode.eq(category))
        .filter(policy_version::Column::EffectiveFrom.lte(on))
        .order_by_desc(policy_version::Column::EffectiveFrom)
        .one(db)
        .await?)
}

/// The version in force on `on` for every category that has one.
pub async fn all_in_force(
    db: &impl ConnectionTrait,
    affiliate_id: Uuid,
    on: NaiveDate,
) -> AppResult<Vec<policy_version::Model>> {
    let rows = policy_version::Entity::find()
        .filter(policy_version::Column::AffiliateId.eq(affiliate_id))
        .filter(policy_version::Column::EffectiveFrom.lte(on))
        .order_by_asc(policy_version::Column::CategoryCode)
        .order_by_desc(policy_version::Column::EffectiveFrom)
        .all(db)
        .await?;
    let mut out: Vec<policy_version::Model> = Vec::new();
    for row in rows {
        if out.last().is_none_or(|l| l.category_code != row.category_code) {
            out.push(row);
        }
    }
    Ok(out)
}

/// A page of a category's policy versions, oldest first.
pub async fn versions(
    db: &DatabaseConnection,
    affiliate_ident: &str,
    category: &str,
    page: &PageRequest<i32>,
) -> AppResult<Vec<policy_version::Model>> {
    let affiliate = crate::platform::tenancy::find(db, affiliate_ident).await?;
    let category = catalog::category(db, category).await?;
    let mut query = policy_version::Entity::find()
        .filter(policy_version::Column::AffiliateId.eq(affiliate.id))
        .filter(policy_version::Column::CategoryCode.eq(category.code))
        .order_by_asc(policy_version::Column::Number)
        .limit(page.fetch_limit());
    if let Some(after) = page.after {
        query = query.filter(policy_version::Column::Number.gt(after));
    }
    Ok(query.all(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> AppResult<policy_version::Model> {
    policy_version::Entity::find_by_id(id).one(db).await?.ok_or_else(|| AppError::NotFound("Policy version".into()))
}

pub async fn current(
    db: &DatabaseConnection,
    affiliate_ident: &str,
    category: &str,
    on: Option<NaiveDate>,
) -> AppResult<policy_version::Model> {
    let affiliate = crate::platform::tenancy::find(db, affiliate_ident).await?;
    let category = catalog::category(db, category).await?;
    let on = on.unwrap_or_else(|| today(&affiliate));
    in_force(db, affiliate.id, &category.code, on)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("A {} policy of this affiliate in force on {on}", category.code)))
}

pub async fn publish(
    db: &DatabaseConnection,
    caller: &Caller,
    affiliate_ident: &str,
    category: &str,
    input: NewPolicyVersion,
) -> AppResult<policy_version::Model> {
    let txn = begin_write(db).await?;
    let affiliate = crate::platform::tenancy::find(&txn, affiliate_ident).await?;
    if !caller.manages_affiliate(affiliate.id) {
        return Err(AppError::Forbidden("Only the affiliate's coordinators publish its policies.".into()));
    }
    let category = catalog::category(&txn, category).await?;
    let known = catalog::known_codes(&txn).await?;
    let problems = input.requirements.validate(&category.code, &known);
    if !problems.is_empty() {
        return Err(AppError::Validation(
            problems.into_iter().map(|p| FieldError::new(p.path, "invalid_policy", p.message)).collect(),
        ));
    }
    let today = today(&affiliate);
    if input.effective_from < today {
        return Err(AppError::invalid_field(
            "effective_from",
            "in_the_past",
            format!("must be today ({today}) or later: published rules never change the past"),
        ));
    }
    let latest = policy_version::Entity::find()
        .filter(policy_version::Column::AffiliateId.eq(affiliate.id))
        .filter(policy_version::Column::CategoryCode.eq(category.code.clone()))
        .order_by_desc(policy_version::Column::Number)
        .one(&txn)
        .await?;
    if let Some(l) = &latest
        && input.effective_from <= l.effective_from
    {
        return Err(AppError::invalid_field(
            "effective_from",
            "not_after_latest",
            format!("must be after {}, when version {} takes effect", l.effective_from, l.number),
        ));
    }
    let model = policy_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate.id),
        category_code: Set(category.code.clone()),
        number: Set(latest.map(|l| l.number + 1).unwrap_or(1)),
        effective_from: Set(input.effective_from),
        requirements: Set(serde_json::to_value(&input.requirements).map_err(AppError::internal)?),
        notes: Set(input.notes),
        created_by: Set(Some(caller.id)),
        created_at: Set(db::now()),
    }
    .insert(&txn)
    .await
    .map_err(db::conflict_on_unique(
        ProblemCode::PolicyVersionExists,
        "A version with this number or date already exists.",
    ))?;
    audit::by(&txn, caller,
        AuditEntry::new(Some(affiliate.id), "policy.published", "policy_version", model.id).after(serde_json::json!({"category": model.category_code, "number": model.number, "effective_from": model.effective_from})),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Evaluates a profile against one version. Another category's work requirement it
/// refers to is taken from the version in force when this one took effect, so the
/// answer for a pinned version never changes.
pub async fn evaluate_version(
    db: &impl ConnectionTrait,
    version: &policy_version::Model,
    profile: &Profile,
    on: NaiveDate,
) -> AppResult<Evaluation> {
    let req = requirements(version)?;
    let mut others: HashMap<String, WorkRule> = HashMap::new();
    if let Some(other) = req.work.as_ref().and_then(|w| w.also_meets_work_of.clone())
        && let Some(v) = in_force(db, version.affiliate_id, &other, version.effective_from).await?
        && let Some(w) = requirements(&v)?.work
    {
        others.insert(other, w);
    }
    Ok(evaluate(&req, profile, on, &|code: &str| others.get(code).cloned()))
}
