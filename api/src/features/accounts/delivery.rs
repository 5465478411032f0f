//! Where delivery to a person stands: the last bounce or complaint, recorded by staff
//! (`PUT /v1/people/{id}/mail-bounce`) or reported by the mail provider's signed webhook
//! (`POST /v1/mail/events`). A hard bounce or a complaint stops reminders to that address
//! (`mail::send::reminder_recipient`); transactional email is still attempted.
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, Func},
};
use uuid::Uuid;

use crate::{
    auth::Caller, db, db::begin_write, error::AppError, error::AppResult, features::accounts::dto::people::BounceKind,
    features::accounts::dto::people::BounceReport, features::accounts::people,
    features::accounts::people_repr::log_person, http::etag::Precondition, platform::audit, platform::audit::Actor,
    platform::audit::AuditEntry,
};
use entity::person;

/// A bounce to store, or `None` to clear the last one.
struct Reported<'a> {
    email: &'a str,
    kind: BounceKind,
    reason: Option<&'a str>,
}

/// Writes the bounce columns with a compare-and-set on `expected` (the version read),
/// logs the change and audits it; the person as stored after.
async fn store(
    db: &impl ConnectionTrait,
    actor: &Actor,
    current: &person::Model,
    expected: i64,
    bounce: Option<Reported<'_>>,
) -> AppResult<person::Model> {
    let action = if bounce.is_some() { "person.bounce_recorded" } else { "person.bounce_cleared" };
    let after = bounce.as_ref().map(|b| serde_json::json!({"email": b.email, "kind": b.kind, "reason": b.reason}));
    let (email, kind, reason, at) = match bounce {
        Some(b) => (Some(b.email.trim().to_string()), Some(b.kind), b.reason.map(str::to_string), Some(db::now())),
        None => (None, None, None, None),
    };
    let result = person::Entity::update_many()
        .col_expr(person::Column::BouncedEmail, Expr::value(email))
        .col_expr(person::Column::BounceKind, Expr::value(kind.map(|k| k.as_str())))
        .col_expr(person::Column::BounceReason, Expr::value(reason))
        .col_expr(person::Column::BouncedAt, Expr::value(at))
        .col_expr(person::Column::Version, Expr::value(expected + 1))
        .col_expr(person::Column::UpdatedAt, Expr::value(db::now()))
        .filter(person::Column::Id.eq(current.id))
        .filter(person::Column::Version.eq(expected))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        let now = person::Entity::find_by_id(current.id).one(db).await?.map(|p| p.version);
        return Err(AppError::PreconditionFailed { current: now });
    }
    let updated =
        person::Entity::find_by_id(current.id).one(db).await?.ok_or_else(|| AppError::internal("person vanished"))?;
    let mut entry = AuditEntry::new(Some(current.affiliate_id), action, "person", current.id);
    if let Some(after) = after {
        entry = entry.after(after);
    }
    audit::record(db, actor, entry).await?;
    log_person(db, &updated).await?;
    Ok(updated)
}

fn is_address_of(p: &person::Model, email: &str) -> bool {
    let email = email.trim();
    p.email.eq_ignore_ascii_case(email) || p.reminder_email.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(email))
}

/// A coordinator of the person's affiliate records a bounce reported to them.
pub async fn record_bounce(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    precondition: &Precondition,
    report: BounceReport,
) -> AppResult<person::Model> {
    caller.require_person()?;
    let txn = begin_write(db).await?;
    let current = staff_view(&txn, caller, id).await?;
    let expected = precondition.check(current.version)?;
    if !is_address_of(&current, &report.email) {
        return Err(AppError::invalid_field(
            "email",
            "not_allowed",
            "is neither the person's email nor their reminder address",
        ));
    }
    let bounce = Reported { email: &report.email, kind: report.kind, reason: report.reason.as_deref() };
    let updated = store(&txn, &caller.actor(), &current, expected, Some(bounce)).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A coordinator clears the last bounce (the address works again).
pub async fn clear_bounce(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    precondition: &Precondition,
) -> AppResult<person::Model> {
    caller.require_person()?;
    let txn = begin_write(db).await?;
    let current = staff_view(&txn, caller, id).await?;
    let expected = precondition.check(current.version)?;
    let updated = store(&txn, &caller.actor(), &current, expected, None).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The person, for their affiliate's coordinators only (anyone else: 404).
async fn staff_view(db: &impl ConnectionTrait, caller: &Caller, id: Uuid) -> AppResult<person::Model> {
    let p = people::get(db, caller, id).await?;
    if !caller.manages_affiliate(p.affiliate_id) {
        return Err(AppError::NotFound("Person".into()));
    }
    Ok(p)
}

/// What the mail provider reports: `email` bounced or complained. Every person known by
/// that address (their email or reminder address, in any affiliate) is marked; how many.
pub async fn apply_provider_report(
    db: &DatabaseConnection,
    email: &str,
    kind: BounceKind,
    reason: Option<&str>,
) -> AppResult<u64> {
    let txn = begin_write(db).await?;
    let normalized = crate::domain::people::normalize_email(email);
    let matching = person::Entity::find()
        .filter(
            Condition::any()
                .add(person::Column::EmailNormalized.eq(normalized.clone()))
                .add(ExprTrait::eq(Func::lower(Expr::col(person::Column::ReminderEmail)), normalized)),
        )
        .all(&txn)
        .await?;
    let mut marked = 0;
    for p in matching {
        let bounce = Reported { email, kind, reason };
        store(&txn, &Actor::system(), &p, p.version, Some(bounce)).await?;
        marked += 1;
    }
    txn.commit().await?;
    Ok(marked)
}
