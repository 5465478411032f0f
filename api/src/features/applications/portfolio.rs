//! Portfolio entries: education, work, trainings and RSC received, each its own resource
//! with a version. The applicant changes them while the application is a draft or
//! deferred; coordinators mark entries verified.
use crate::error::ProblemCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::{
    auth::Caller, db::begin_write, error::AppError, error::AppResult, features::applications::dto::PortfolioEntry,
    features::applications::dto::PortfolioItem, features::applications::dto::PortfolioKind,
    features::applications::service as applications, features::applications::service::Access, http::etag::Precondition,
    platform::audit, platform::audit::AuditEntry,
};
use entity::{application, portfolio_entry};

pub fn to_dto(m: portfolio_entry::Model) -> AppResult<PortfolioEntry> {
    let kind = m.kind;
    let item = parse(kind, m.data.clone()).map_err(|e| AppError::internal(format!("portfolio entry {}: {e}", m.id)))?;
    Ok(PortfolioEntry {
        id: m.id,
        application_id: m.application_id,
        kind,
        item,
        verified: m.verified,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

/// Reads an entry's data as its kind (the typed check the route's body already passed).
pub fn parse(kind: PortfolioKind, data: serde_json::Value) -> Result<PortfolioItem, serde_json::Error> {
    Ok(match kind {
        PortfolioKind::Education => PortfolioItem::Education(serde_json::from_value(data)?),
        PortfolioKind::Work => PortfolioItem::Work(serde_json::from_value(data)?),
        PortfolioKind::Trainings => PortfolioItem::Training(serde_json::from_value(data)?),
        PortfolioKind::Rsc => PortfolioItem::Rsc(serde_json::from_value(data)?),
    })
}

fn editable(app: &application::Model) -> AppResult<()> {
    let state = app.state;
    if state.is_editable() {
        Ok(())
    } else {
        Err(AppError::Conflict {
            code: ProblemCode::ApplicationNotEditable,
            detail: format!(
                "The portfolio can change only while the application is a draft or deferred; it is {}.",
                app.state.as_str().replace('_', " ")
            ),
            current_state: Some(app.state.as_str().into()),
        })
    }
}

pub async fn entries(
    db: &impl ConnectionTrait,
    application_id: Uuid,
    kind: Option<PortfolioKind>,
) -> AppResult<Vec<portfolio_entry::Model>> {
    let mut q = portfolio_entry::Entity::find()
        .filter(portfolio_entry::Column::ApplicationId.eq(application_id))
        .order_by_asc(portfolio_entry::Column::Id);
    if let Some(k) = kind {
        q = q.filter(portfolio_entry::Column::Kind.eq(k.as_str()));
    }
    Ok(q.all(db).await?)
}

async fn entry(
    db: &impl ConnectionTrait,
    app: &application::Model,
    kind: PortfolioKind,
    id: Uuid,
) -> AppResult<portfolio_entry::Model> {
    portfolio_entry::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|e| e.application_id == app.id && e.kind == kind)
        .ok_or_else(|| AppError::NotFound("Portfolio entry".into()))
}

pub async fn list(
    db: &DatabaseConnection,
    caller: &Caller,
    app_id: Uuid,
    kind: PortfolioKind,
) -> AppResult<Vec<PortfolioEntry>> {
    let app = applications::visible(db, caller, app_id, Access::Read).await?;
    entries(db, app.id, Some(kind)).await?.into_iter().map(to_dto).collect()
}

pub async fn get(
    db: &DatabaseConnection,
    caller: &Caller,
    app_id: Uuid,
    kind: PortfolioKind,
    id: Uuid,
) -> AppResult<PortfolioEntry> {
    let app = applications::visible(db, caller, app_id, Access::Read).await?;
    to_dto(entry(db, &app, kind, id).await?)
}

fn data(item: &PortfolioItem) -> AppResult<serde_json::Value> {
    serde_json::to_value(item).map_err(AppError::internal)
}

/// Most entries one application's portfolio holds (all kinds): its lists are read whole
/// and paged in memory, so they stay small.
pub const MAX_ENTRIES: u64 = 2000;

pub async fn add(
    db: &DatabaseConnection,
    caller: &Caller,
    app_id: Uuid,
    kind: PortfolioKind,
    item: PortfolioItem,
) -> AppResult<PortfolioEntry> {
    let txn = begin_write(db).await?;
    let app = applications::visible(&txn, caller, app_id, Access::Own).await?;
    editable(&app)?;
    let count = entries(&txn, app.id, None).await?.len();
    if count as u64 >= MAX_ENTRIES {
        return Err(AppError::conflict(
            ProblemCode::PortfolioFull,
            format!("A portfolio holds at most {MAX_ENTRIES} entries."),
        ));
    }
    let m = portfolio_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(app.id),
        kind: Set(kind),
        data: Set(data(&item)?),
        verified: Set(false),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::by(&txn, caller, audit_entry(&app, &m, "portfolio.entry_added", None)).await?;
    txn.commit().await?;
    to_dto(m)
}

fn audit_entry<'a>(
    app: &application::Model,
    m: &portfolio_entry::Model,
    action: &'a str,
    before: Option<serde_json::Value>,
) -> AuditEntry<'a> {
    AuditEntry {
        affiliate_id: Some(app.affiliate_id),
        action,
        resource_kind: "portfolio_entry",
        resource_id: m.id.to_string(),
        before,
        after: Some(serde_json::json!({"application_id": app.id, "kind": m.kind, "data": m.data})),
    }
}

pub async fn replace(
    db: &DatabaseConnection,
    caller: &Caller,
    app_id: Uuid,
    kind: PortfolioKind,
    id: Uuid,
    precondition: &Precondition,
    item: PortfolioItem,
) -> AppResult<PortfolioEntry> {
    let txn = begin_write(db).await?;
    let app = applications::visible(&txn, caller, app_id, Access::Own).await?;
    let current = entry(&txn, &app, kind, id).await?;
    editable(&app)?;
    precondition.check(current.version)?;
    let mut next: portfolio_entry::ActiveModel = current.clone().into();
    next.data = Set(data(&item)?);
    // A changed entry must be checked again.
    next.verified = Set(false);
    let updated = next.update(&txn).await?;
    audit::by(&txn, caller, audit_entry(&app, &updated, "portfolio.entry_replaced", Some(current.data))).await?;
    txn.commit().await?;
    to_dto(updated)
}

pub async fn remove(
    db: &DatabaseConnection,
    caller: &Caller,
    app_id: Uuid,
    kind: PortfolioKind,
    id: Uuid,
    precondition: &Precondition,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let app = applications::visible(&txn, caller, app_id, Access::Own).await?;
    let current = entry(&txn, &app, kind, id).await?;
    editable(&app)?;
    precondition.check(current.version)?;
    portfolio_entry::Entity::delete_by_id(current.id).exec(&txn).await?;
    audit::by(&txn, caller, audit_entry(&app, &current, "portfolio.entry_removed", Some(current.data.clone()))).await?;
    txn.commit().await?;
    Ok(())
}

/// A coordinator marks an entry verified (e.g. the transcript was seen).
pub async fn verify(
    db: &DatabaseConnection,
    caller: &Caller,
    app_id: Uuid,
    kind: PortfolioKind,
    id: Uuid,
) -> AppResult<PortfolioEntry> {
    let txn = begin_write(db).await?;
    let app = applications::visible(&txn, caller, app_id, Access::Staff).await?;
    let current = entry(&txn, &app, kind, id).await?;
    let mut next: portfolio_entry::ActiveModel = current.clone().into();
    next.verified = Set(true);
    let updated = next.update(&txn).await?;
    audit::by(&txn, caller, audit_entry(&app, &updated, "portfolio.entry_verified", None)).await?;
    txn.commit().await?;
    to_dto(updated)
}
