//! The exam: sittings within published exam weeks, with capacity; applicants approved to
//! sit register (an exam-fee invoice) within the approval's year; coordinators record
//! both parts; a pass issues the endorsement, a failure allows a retake after the wait.
use crate::error::ProblemCode;
use crate::mail::{
    self, locale,
    locale::Locale,
    messages::{ExamResult as MailedResult, Mail},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::domain::endorsement::{ExamEvent, exam_transition};
use crate::{
    auth::Caller, db, db::begin_write, domain::application::Action, domain::endorsement::ExamRule, error::AppError,
    error::AppResult, features::affiliates::policies, features::applications::dto::review::ExamResult,
    features::applications::dto::review::NewSitting, features::applications::dto::review::Sitting,
    features::applications::service as applications, features::applications::service::Access, features::billing::fees,
    features::billing::invoices, features::billing::invoices::Line, features::endorsements::service as endorsements,
    http::pagination::PageRequest, http::pagination::after_pair, platform::audit, platform::audit::AuditEntry,
    platform::clock::today, state::AppState,
};
use entity::{
    application_event, exam_registration,
    exam_registration::ExamRegistrationStatus,
    exam_sitting, invoice, schedule_event,
    sets::{ChargeKind, FeeKind},
};

/// The registrations that hold a seat.
const HOLDING: [ExamRegistrationStatus; 3] =
    [ExamRegistrationStatus::Registered, ExamRegistrationStatus::Passed, ExamRegistrationStatus::Failed];

async fn taken(db: &impl ConnectionTrait, sitting: Uuid) -> AppResult<i64> {
    Ok(exam_registration::Entity::find()
        .filter(exam_registration::Column::SittingId.eq(sitting))
        .filter(exam_registration::Column::Status.is_in(HOLDING))
        .count(db)
        .await? as i64)
}

pub async fn create_sitting(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    input: NewSitting,
) -> AppResult<Sitting> {
    let txn = begin_write(db).await?;
    let affiliate = crate::platform::tenancy::managed(&txn, caller, ident, "schedule sittings").await?;
    let in_week = schedule_event::Entity::find()
        .filter(schedule_event::Column::AffiliateId.eq(affiliate.id))
        .filter(schedule_event::Column::Kind.eq(entity::schedule_event::EventKind::ExamWeek))
        .filter(schedule_event::Column::StartsOn.lte(input.sitting_on))
        .all(&txn)
        .await?
        .into_iter()
        .any(|w| w.ends_on.unwrap_or(w.starts_on) >= input.sitting_on);
    if !in_week {
        return Err(AppError::invalid_field(
            "sitting_on",
            "not_in_exam_week",
            "must fall within a published exam week",
        ));
    }
    let m = audit::created(
        &txn,
        caller,
        exam_sitting::ActiveModel {
            id: Set(Uuid::now_v7()),
            affiliate_id: Set(affiliate.id),
            sitting_on: Set(input.sitting_on),
            location: Set(input.location.trim().to_string()),
            capacity: Set(input.capacity),
            ..Default::default()
        },
        |m| {
            AuditEntry::new(Some(affiliate.id), "exam.sitting_created", "exam_sitting", m.id)
                .after(serde_json::json!({"sitting_on": m.sitting_on, "capacity": m.capacity}))
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Sitting::build(m, 0))
}

/// A page of the affiliate's sittings, by date.
pub async fn sittings(
    db: &DatabaseConnection,
    ident: &str,
    page: &PageRequest<(chrono::NaiveDate, Uuid)>,
) -> AppResult<Vec<Sitting>> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    let mut query = exam_sitting::Entity::find()
        .filter(exam_sitting::Column::AffiliateId.eq(affiliate.id))
        .order_by_asc(exam_sitting::Column::SittingOn)
        .order_by_asc(exam_sitting::Column::Id)
        .limit(page.fetch_limit());
    if let Some(after) = &page.after {
        query = query.filter(after_pair(exam_sitting::Column::SittingOn, exam_sitting::Column::Id, after));
    }
    let mut out = Vec::new();
    for s in query.all(db).await? {
        let t = taken(db, s.id).await?;
        out.push(Sitting::build(s, t));
    }
    Ok(out)
}

async fn rule(db: &impl ConnectionTrait, app: &entity::application::Model) -> AppResult<ExamRule> {
    Ok(policies::requirements(&policies::get(db, app.policy_version_id).await?)?.exam.unwrap_or_default())
}

/// Registers the applicant for a sitting: an exam-fee invoice, a seat.
pub async fn register(
    state: &AppState,
    caller: &Caller,
    app_id: Uuid,
    sitting_id: Uuid,
) -> AppResult<exam_registration::Model> {
    let txn = begin_write(&state.db).await?;
    let app = applications::visible(&txn, caller, app_id, Access::Own).await?;
    if app.state != crate::domain::application::State::ExamPending {
        return Err(AppError::invalid_state(
            "application",
            app.state,
            "only applications approved for the exam register for it",
        ));
    }
    // Locked, so that concurrent registrations cannot both take the last seat.
    let sitting = exam_sitting::Entity::find_by_id(sitting_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|s| s.affiliate_id == app.affiliate_id)
        .ok_or_else(|| AppError::invalid_field("sitting_id", "unknown_sitting", "not a sitting of the affiliate"))?;
    let affiliate = crate::platform::tenancy::find(&txn, &app.affiliate_id.to_string()).await?;
    let day = today(&affiliate);
    if sitting.sitting_on < day {
        return Err(AppError::invalid_field("sitting_id", "past_sitting", "this sitting is over"));
    }
    let r = rule(&txn, &app).await?;
    let approved = application_event::Entity::find()
        .filter(application_event::Column::ApplicationId.eq(app.id))
        .filter(application_event::Column::ToState.eq(crate::domain::application::State::ExamPending))
        .order_by_desc(application_event::Column::OccurredAt)
        .one(&txn)
        .await?
        .map(|e| e.occurred_at.with_timezone(&chrono_tz::Tz::UTC).date_naive())
        .unwrap_or(day);
    if sitting.sitting_on > r.approval_ends(approved) {
        return Err(AppError::invalid_field(
            "sitting_id",
            "approval_expired",
            format!("the approval to sit lasts until {}", r.approval_ends(approved)),
        ));
    }
    let previous =
        exam_registration::Entity::find().filter(exam_registration::Column::ApplicationId.eq(app.id)).all(&txn).await?;
    if previous.iter().any(|p| p.status == ExamRegistrationStatus::Registered) {
        return Err(AppError::conflict(ProblemCode::AlreadyRegistered, "You are registered for a sitting already."));
    }
    for p in previous.iter().filter(|p| p.status == ExamRegistrationStatus::Failed) {
        if let Some(s) = exam_sitting::Entity::find_by_id(p.sitting_id).one(&txn).await?
            && sitting.sitting_on < r.retake_from(s.sitting_on)
        {
            return Err(AppError::invalid_field(
                "sitting_id",
                "retake_too_soon",
                format!("a retake may be sat from {}", r.retake_from(s.sitting_on)),
            ));
        }
    }
    if taken(&txn, sitting.id).await? >= sitting.capacity as i64 {
        return Err(AppError::conflict(ProblemCode::SittingFull, "This sitting is full."));
    }
    let fee = fees::in_force(&txn, affiliate.id, FeeKind::Exam, "", day).await?;
    let line = Line {
        description: format!("Endorsement exam, {}", sitting.sitting_on),
        fee_kind: ChargeKind::Exam,
        amount_cents: fee.map(|f| f.amount_cents).unwrap_or(0),
    };
    let id = Uuid::now_v7();
    let inv = invoices::create(
        state,
        &txn,
        &caller.actor(),
        &affiliate,
        app.person_id,
        entity::invoice::InvoicePurpose::Exam,
        Some(id),
        vec![line],
    )
    .await?;
    let m = audit::created(
        &txn,
        caller,
        exam_registration::ActiveModel {
            id: Set(id),
            application_id: Set(app.id),
            sitting_id: Set(sitting.id),
            invoice_id: Set(Some(inv.id)),
            status: Set(ExamRegistrationStatus::Registered),
            ..Default::default()
        },
        |_| {
            AuditEntry::new(Some(app.affiliate_id), "exam.registered", "application", app.id)
                .after(serde_json::json!({"sitting_id": sitting.id}))
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Records both parts; a pass endorses the application.
pub async fn record(
    state: &AppState,
    caller: &Caller,
    registration_id: Uuid,
    input: ExamResult,
) -> AppResult<exam_registration::Model> {
    let txn = begin_write(&state.db).await?;
    let reg = exam_registration::Entity::find_by_id(registration_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("Exam registration".into()))?;
    let app = applications::visible(&txn, caller, reg.application_id, Access::Staff).await.map_err(|e| match e {
        AppError::Forbidden(_) => AppError::NotFound("Exam registration".into()),
        other => other,
    })?;
    let r = rule(&txn, &app).await?;
    let passed = r.passed(input.part1_score, input.part2_passed);
    let to = exam_transition(reg.status, ExamEvent::Result { passed }).map_err(|why| AppError::Conflict {
        code: ProblemCode::ResultRecorded,
        detail: format!("This sitting's result cannot be recorded: {why}."),
        current_state: Some(reg.status.to_string()),
    })?;
    if let Some(inv) = reg.invoice_id
        && invoice::Entity::find_by_id(inv)
            .one(&txn)
            .await?
            .is_some_and(|i| i.status != entity::invoice::InvoiceStatus::Settled)
    {
        return Err(AppError::conflict(ProblemCode::ExamFeeUnpaid, "The exam fee is not settled."));
    }
    let mut next: exam_registration::ActiveModel = reg.clone().into();
    next.status = Set(to);
    next.part1_score = Set(Some(input.part1_score));
    next.part2_passed = Set(Some(input.part2_passed));
    next.recorded_at = Set(Some(db::now()));
    let updated = next.update(&txn).await?;
    let actor = caller.actor();
    audit::record(
        &txn,
        &actor,
        AuditEntry::new(
            Some(app.affiliate_id),
            if passed { "exam.passed" } else { "exam.failed" },
            "application",
            app.id,
        )
        .after(serde_json::json!({"part1_score": input.part1_score, "part2_passed": input.part2_passed})),
    )
    .await?;
    if let Some(p) = entity::person::Entity::find_by_id(app.person_id).one(&txn).await? {
        let result = Mail::ExamResult(MailedResult {
            category: locale::category(&txn, &app.category_code, Locale(p.preferred_language)).await?,
            passed,
            part1_score: input.part1_score,
            part2_passed: input.part2_passed,
            link: state.links.application(app.id),
        });
        mail::to_person(&txn, &p, &result).await?;
    }
    if passed {
        let endorsed = applications::apply(&txn, &app, Action::Endorse, &actor, Some("Exam passed".into())).await?;
        endorsements::issue(&txn, &state.links, &actor, &endorsed, false).await?;
    }
    txn.commit().await?;
    Ok(updated)
}
