//! The submission schedule: deadlines (with the categories they accept), exam weeks,
//! informational sessions and renewal periods, published by coordinators, read by all.
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::{
    auth::Caller, db::begin_write, error::AppError, error::AppResult, features::affiliates::catalog,
    features::affiliates::dto::schedule::NewScheduleEvent, features::affiliates::dto::schedule::ScheduleEvent,
    features::affiliates::dto::schedule::ScheduleQuery, http::pagination::PageRequest, http::pagination::after_pair,
    platform::audit, platform::audit::AuditEntry,
};
use entity::schedule_event::{self, Column, Entity as Events};

/// A page of the affiliate's events, by the day they start.
pub async fn list(
    db: &DatabaseConnection,
    ident: &str,
    q: &ScheduleQuery,
    page: &PageRequest<(NaiveDate, Uuid)>,
) -> AppResult<Vec<ScheduleEvent>> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    let mut query = Events::find()
        .filter(Column::AffiliateId.eq(affiliate.id))
        .order_by_asc(Column::StartsOn)
        .order_by_asc(Column::Id)
        .limit(page.fetch_limit());
    if let Some(after) = &page.after {
        query = query.filter(after_pair(Column::StartsOn, Column::Id, after));
    }
    if let Some(k) = q.kind {
        query = query.filter(Column::Kind.eq(k.as_str()));
    }
    if let Some(from) = q.from {
        query = query.filter(Column::StartsOn.gte(from));
    }
    if let Some(to) = q.to {
        query = query.filter(Column::StartsOn.lte(to));
    }
    Ok(query.all(db).await?.into_iter().map(|m| ScheduleEvent::build(m, &affiliate.time_zone)).collect())
}

pub async fn publish(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    input: NewScheduleEvent,
) -> AppResult<ScheduleEvent> {
    let txn = begin_write(db).await?;
    let affiliate = crate::platform::tenancy::managed(&txn, caller, ident, "publish its schedule").await?;
    let known = catalog::known_codes(&txn).await?;
    let mut categories = Vec::new();
    for c in &input.categories {
        let code = c.to_uppercase();
        if !known.contains(&code) {
            return Err(AppError::invalid_field("categories", "unknown_category", format!("`{c}` is not a category")));
        }
        if !categories.contains(&code) {
            categories.push(code);
        }
    }
    let model = audit::created(
        &txn,
        caller,
        schedule_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            affiliate_id: Set(affiliate.id),
            kind: Set(input.kind),
            title: Set(input.title.trim().to_string()),
            starts_on: Set(input.starts_on),
            ends_on: Set(input.ends_on),
            start_time: Set(input.start_time),
            end_time: Set(input.end_time),
            categories: Set(serde_json::to_value(&categories).map_err(AppError::internal)?),
            ..Default::default()
        },
        |model| {
            AuditEntry::new(Some(affiliate.id), "schedule.published", "schedule_event", model.id)
                .after(serde_json::json!({"kind": model.kind, "starts_on": model.starts_on, "categories": categories}))
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ScheduleEvent::build(model, &affiliate.time_zone))
}

/// The affiliate's deadlines from `from` on: (day, categories, id).
pub async fn deadlines(
    db: &impl ConnectionTrait,
    affiliate_id: Uuid,
    from: NaiveDate,
) -> AppResult<Vec<(NaiveDate, Vec<String>, Uuid)>> {
    Ok(Events::find()
        .filter(Column::AffiliateId.eq(affiliate_id))
        .filter(Column::Kind.eq(entity::schedule_event::EventKind::SubmissionDeadline))
        .filter(Column::StartsOn.gte(from))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.starts_on, serde_json::from_value(m.categories).unwrap_or_default(), m.id))
        .collect())
}
