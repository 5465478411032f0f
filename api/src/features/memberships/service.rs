//! Membership plans and memberships. A membership becomes paid when its invoice is
//! settled; its dates come from the plan's term rule on that day (affiliate time zone),
//! and its status on any day is computed from them.
use crate::error::ProblemCode;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    auth::Caller,
    auth::SubjectKind,
    db,
    db::begin_write,
    domain::membership::Status,
    domain::membership::TermRule,
    domain::membership::status_on,
    domain::membership::term,
    domain::money::check_amount,
    error::AppError,
    error::AppResult,
    features::billing::invoices,
    features::billing::invoices::Line,
    features::memberships::dto::ExternalMembership,
    features::memberships::dto::Membership,
    features::memberships::dto::MembershipStatus,
    features::memberships::dto::NewPlan,
    features::memberships::dto::PlanPatch,
    features::memberships::dto::Term,
    http::etag::Precondition,
    http::pagination::PageRequest,
    mail::{
        self, Recipient,
        locale::Locale,
        messages::{Mail, MembershipActive},
    },
    platform::audit,
    platform::audit::Actor,
    platform::audit::AuditEntry,
    platform::change_log as changes,
    platform::change_log::Change,
    platform::change_log::Operation,
    platform::clock::today,
    state::AppState,
};
use entity::{
    affiliate, invoice, membership, membership_plan,
    membership_plan::TermKind,
    person,
    sets::{ChargeKind, RecordKind},
};

fn rule_of(plan: &membership_plan::Model) -> TermRule {
    Term::of(plan).rule().unwrap_or(TermRule::DEFAULT_CALENDAR_YEAR)
}

pub fn to_dto(m: membership::Model, plan: Option<&membership_plan::Model>, day: NaiveDate) -> Membership {
    Membership {
        status: status_on(m.state, m.starts_on, m.ends_on, day),
        qualifies_for_endorsement: plan.is_some_and(|p| p.qualifies_for_endorsement),
        id: m.id,
        affiliate_id: m.affiliate_id,
        person_id: m.person_id,
        plan_id: m.plan_id,
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        source: m.source,
        external_reference: m.external_reference,
        invoice_id: m.invoice_id,
        created_at: m.created_at,
        version: m.version,
    }
}

/// Memberships with their plans and the affiliate's today, ready to show.
pub async fn describe(db: &impl ConnectionTrait, rows: Vec<membership::Model>) -> AppResult<Vec<Membership>> {
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let plan = membership_plan::Entity::find_by_id(m.plan_id).one(db).await?;
        let aff = affiliate::Entity::find_by_id(m.affiliate_id).one(db).await?;
        let day = aff.as_ref().map(today).unwrap_or_else(|| db::now().date_naive());
        out.push(to_dto(m, plan.as_ref(), day));
    }
    Ok(out)
}

pub(crate) async fn log(db: &impl ConnectionTrait, m: &membership::Model) -> AppResult<()> {
    let repr = describe(db, vec![m.clone()]).await?.pop().and_then(|d| serde_json::to_value(d).ok());
    changes::append(
        db,
        Change {
            affiliate_id: m.affiliate_id,
            kind: RecordKind::Membership,
            record_id: m.id,
            external_id: None,
            version: m.version,
            operation: Operation::Upsert,
            representation: repr,
        },
    )
    .await?;
    Ok(())
}

// ---- plans ----

pub async fn plans(db: &DatabaseConnection, ident: &str) -> AppResult<Vec<membership_plan::Model>> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    Ok(membership_plan::Entity::find()
        .filter(membership_plan::Column::AffiliateId.eq(affiliate.id))
        .order_by_asc(membership_plan::Column::Name)
        .all(db)
        .await?)
}

/// How a term rule is stored on a plan row.
struct TermColumns {
    kind: TermKind,
    cutoff_month: Option<i32>,
    cutoff_day: Option<i32>,
    months: Option<i32>,
}

fn term_columns(t: &Term) -> AppResult<TermColumns> {
    match t.rule().map_err(|m| AppError::invalid_field("term", "invalid_term", m))? {
        TermRule::CalendarYear { cutoff_month, cutoff_day } => Ok(TermColumns {
            kind: TermKind::CalendarYear,
            cutoff_month: Some(cutoff_month as i32),
            cutoff_day: Some(cutoff_day as i32),
            months: None,
        }),
        TermRule::FixedMonths(n) => Ok(TermColumns {
            kind: TermKind::FixedMonths,
            cutoff_month: None,
            cutoff_day: None,
            months: Some(n as i32),
        }),
    }
}

pub async fn create_plan(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    input: NewPlan,
) -> AppResult<membership_plan::Model> {
    let txn = begin_write(db).await?;
    let affiliate = crate::platform::tenancy::managed(&txn, caller, ident, "manage its plans").await?;
    let dues = check_amount(&input.dues, &affiliate.currency, true)
        .map_err(|m| AppError::invalid_field("dues", "invalid_amount", m))?;
    let TermColumns { kind, cutoff_month: month, cutoff_day: day, months } = term_columns(&input.term)?;
    let plan = audit::created(
        &txn,
        caller,
        membership_plan::ActiveModel {
            id: Set(Uuid::now_v7()),
            affiliate_id: Set(affiliate.id),
            name: Set(input.name.trim().to_string()),
            name_es: Set(input.name_es.as_deref().map(|n| n.trim().to_string())),
            dues_cents: Set(dues),
            currency: Set(affiliate.currency.clone()),
            term_kind: Set(kind),
            cutoff_month: Set(month),
            cutoff_day: Set(day),
            term_months: Set(months),
            qualifies_for_endorsement: Set(input.qualifies_for_endorsement),
            active: Set(true),
            ..Default::default()
        },
        |plan| {
            AuditEntry::new(Some(affiliate.id), "membership_plan.created", "membership_plan", plan.id)
                .after_opt(serde_json::to_value(crate::features::memberships::dto::Plan::from(plan.clone())).ok())
        },
    )
    .await?;
    txn.commit().await?;
    Ok(plan)
}

pub async fn find_plan(db: &impl ConnectionTrait, id: Uuid) -> AppResult<membership_plan::Model> {
    membership_plan::Entity::find_by_id(id).one(db).await?.ok_or_else(|| AppError::NotFound("Membership plan".into()))
}

pub async fn update_plan(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    precondition: &Precondition,
    patch: PlanPatch,
) -> AppResult<membership_plan::Model> {
    let txn = begin_write(db).await?;
    let current = find_plan(&txn, id).await?;
    if !caller.manages_affiliate(current.affiliate_id) {
        return Err(AppError::Forbidden("Only the affiliate's coordinators manage its plans.".into()));
    }
    let expected = precondition.check(current.version)?;
    let mut next: membership_plan::ActiveModel = current.clone().into();
    if let Some(n) = patch.name {
        next.name = Set(n.trim().to_string());
    }
    if let Some(n) = patch.name_es {
        next.name_es = Set(n.map(|n| n.trim().to_string()));
    }
    if let Some(d) = patch.dues {
        next.dues_cents = Set(check_amount(&d, &current.currency, true)
            .map_err(|m| AppError::invalid_field("dues", "invalid_amount", m))?);
    }
    if let Some(t) = patch.term {
        let TermColumns { kind, cutoff_month: month, cutoff_day: day, months } = term_columns(&t)?;
        next.term_kind = Set(kind);
        next.cutoff_month = Set(month);
        next.cutoff_day = Set(day);
        next.term_months = Set(months);
    }
    if let Some(q) = patch.qualifies_for_endorsement {
        next.qualifies_for_endorsement = Set(q);
    }
    if let Some(a) = patch.active {
        next.active = Set(a);
    }
    // A compare-and-set on the version read: `update_many` bypasses `before_save`.
    next.version = Set(expected + 1);
    next.updated_at = Set(db::now());
    let result = membership_plan::Entity::update_many()
        .set(next)
        .filter(membership_plan::Column::Id.eq(id))
        .filter(membership_plan::Column::Version.eq(expected))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        let current = membership_plan::Entity::find_by_id(id).one(&txn).await?.map(|p| p.version);
        return Err(AppError::PreconditionFailed { current });
    }
    let updated = find_plan(&txn, id).await?;
    audit::by(
        &txn,
        caller,
        AuditEntry::new(Some(current.affiliate_id), "membership_plan.updated", "membership_plan", id)
            .before_opt(serde_json::to_value(crate::features::memberships::dto::Plan::from(current)).ok())
            .after_opt(serde_json::to_value(crate::features::memberships::dto::Plan::from(updated.clone())).ok()),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

// ---- memberships ----

/// A person joins (or renews) a plan of their affiliate: a pending membership and its invoice.
pub async fn join(state: &AppState, caller: &Caller, plan_id: Uuid) -> AppResult<(membership::Model, invoice::Model)> {
    caller.require_person()?;
    let txn = begin_write(&state.db).await?;
    let plan = find_plan(&txn, plan_id).await?;
    if plan.affiliate_id != caller.affiliate_id {
        return Err(AppError::NotFound("Membership plan".into()));
    }
    if !plan.active {
        return Err(AppError::Conflict {
            code: ProblemCode::PlanInactive,
            detail: "This plan is no longer offered.".into(),
            current_state: Some("inactive".into()),
        });
    }
    let affiliate = crate::platform::tenancy::find(&txn, &plan.affiliate_id.to_string()).await?;
    let m = membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(plan.affiliate_id),
        person_id: Set(caller.id),
        plan_id: Set(plan.id),
        state: Set(entity::membership::MembershipState::PendingPayment),
        source: Set(entity::membership::MembershipSource::Purchase),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let actor = caller.actor();
    audit::record(
        &txn,
        &actor,
        AuditEntry::new(Some(plan.affiliate_id), "membership.joined", "membership", m.id)
            .after(serde_json::json!({"plan_id": plan.id})),
    )
    .await?;
    log(&txn, &m).await?;
    let line = Line { description: plan.name.clone(), fee_kind: ChargeKind::Membership, amount_cents: plan.dues_cents };
    let inv = invoices::create(
        state,
        &txn,
        &actor,
        &affiliate,
        caller.id,
        entity::invoice::InvoicePurpose::Membership,
        Some(m.id),
        vec![line],
    )
    .await?;
    membership::Entity::update_many()
        .col_expr(membership::Column::InvoiceId, Expr::value(inv.id))
        .filter(membership::Column::Id.eq(m.id))
        .exec(&txn)
        .await?;
    let m = membership::Entity::find_by_id(m.id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("membership vanished"))?;
    txn.commit().await?;
    Ok((m, inv))
}

/// The last day of the person's latest paid membership at the affiliate, if any.
async fn current_end(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    affiliate_id: Uuid,
    except: Uuid,
) -> AppResult<Option<NaiveDate>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person_id))
        .filter(membership::Column::AffiliateId.eq(affiliate_id))
        .filter(membership::Column::State.eq(entity::membership::MembershipState::Paid))
        .filter(membership::Column::Id.ne(except))
        .order_by_desc(membership::Column::EndsOn)
        .one(db)
        .await?
        .and_then(|m| m.ends_on))
}

/// The membership's invoice is settled: it starts today (or after the current one) in the
/// affiliate's time zone, for the plan's term.
pub async fn on_paid(
    _state: &AppState,
    db: &impl ConnectionTrait,
    actor: &Actor,
    invoice: &invoice::Model,
) -> AppResult<()> {
    let Some(id) = invoice.subject_id else { return Ok(()) };
    let Some(m) = membership::Entity::find_by_id(id).one(db).await? else { return Ok(()) };
    // Paid once: a second settlement (or a cancelled membership) changes nothing.
    let Ok(state) = crate::domain::membership::transition(m.state, crate::domain::membership::MembershipEvent::Pay)
    else {
        return Ok(());
    };
    let plan = find_plan(db, m.plan_id).await?;
    let affiliate = crate::platform::tenancy::find(db, &m.affiliate_id.to_string()).await?;
    let bought_on = today(&affiliate);
    let previous = current_end(db, m.person_id, m.affiliate_id, m.id).await?;
    let (starts_on, ends_on) =
        term(rule_of(&plan), bought_on, previous).ok_or_else(|| AppError::internal("membership term out of range"))?;
    let mut next: membership::ActiveModel = m.clone().into();
    next.state = Set(state);
    next.starts_on = Set(Some(starts_on));
    next.ends_on = Set(Some(ends_on));
    let paid = next.update(db).await?;
    audit::record(
        db,
        actor,
        AuditEntry::new(Some(m.affiliate_id), "membership.paid", "membership", m.id)
            .before(serde_json::json!({"state": m.state}))
            .after(serde_json::json!({"state": state, "starts_on": starts_on, "ends_on": ends_on})),
    )
    .await?;
    log(db, &paid).await?;
    if let Some(p) = person::Entity::find_by_id(m.person_id).one(db).await? {
        let l = Locale(p.preferred_language);
        let active = Mail::MembershipActive(MembershipActive {
            plan: l.name(&plan.name, plan.name_es.as_deref()).to_string(),
            ends_on: l.date(ends_on),
        });
        mail::send(db, &affiliate, &Recipient::person(&p), &active).await?;
    }
    Ok(())
}

async fn visible_person(
    db: &impl ConnectionTrait,
    caller: &Caller,
    person_id: Uuid,
    scope: crate::domain::scopes::Scope,
) -> AppResult<person::Model> {
    let p = person::Entity::find_by_id(person_id).one(db).await?;
    let visible = p.filter(|p| match caller.kind {
        SubjectKind::Person => p.id == caller.id || caller.manages_affiliate(p.affiliate_id),
        SubjectKind::Client => p.affiliate_id == caller.affiliate_id && caller.has_scope(scope),
    });
    visible.ok_or_else(|| AppError::NotFound("Person".into()))
}

/// Staff record a membership bought elsewhere; it is paid from the start.
pub async fn record_external(
    state: &AppState,
    caller: &Caller,
    person_id: Uuid,
    input: ExternalMembership,
) -> AppResult<membership::Model> {
    let txn = begin_write(&state.db).await?;
    let p = visible_person(&txn, caller, person_id, crate::domain::scopes::Scope::MembershipsWrite).await?;
    caller.require_staff_or_scope(p.affiliate_id, crate::domain::scopes::Scope::MembershipsWrite)?;
    // A membership bought elsewhere is recorded by someone else: never on one's own record.
    if caller.kind == crate::auth::SubjectKind::Person && p.id == caller.id {
        return Err(AppError::own_record("record a membership"));
    }
    let plan = find_plan(&txn, input.plan_id).await?;
    if plan.affiliate_id != p.affiliate_id {
        return Err(AppError::invalid_field("plan_id", "unknown_plan", "not a plan of the person's affiliate"));
    }
    let (starts_on, computed_end) = term(rule_of(&plan), input.bought_on, None)
        .ok_or_else(|| AppError::invalid_field("bought_on", "out_of_range", "date out of range"))?;
    let ends_on = input.ends_on.unwrap_or(computed_end);
    let m = membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(p.affiliate_id),
        person_id: Set(p.id),
        plan_id: Set(plan.id),
        state: Set(entity::membership::MembershipState::Paid),
        starts_on: Set(Some(starts_on)),
        ends_on: Set(Some(ends_on)),
        source: Set(entity::membership::MembershipSource::External),
        external_reference: Set(input.reference.clone()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::by(&txn, caller,
        AuditEntry::new(Some(p.affiliate_id), "membership.recorded_external", "membership", m.id).after(serde_json::json!({"plan_id": plan.id, "starts_on": starts_on, "ends_on": ends_on, "reference": input.reference})),
    )
    .await?;
    log(&txn, &m).await?;
    txn.commit().await?;
    Ok(m)
}

/// A page of a person's memberships, newest first (their own, or staff/clients of the affiliate).
pub async fn history(
    db: &DatabaseConnection,
    caller: &Caller,
    person_id: Uuid,
    page: &PageRequest<Uuid>,
) -> AppResult<Vec<Membership>> {
    visible_person(db, caller, person_id, crate::domain::scopes::Scope::MembershipsRead).await?;
    let mut query = membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person_id))
        .order_by_desc(membership::Column::Id)
        .limit(page.fetch_limit());
    if let Some(after) = page.after {
        query = query.filter(membership::Column::Id.lt(after));
    }
    describe(db, query.all(db).await?).await
}

/// Whether the person is a member on `on` (the affiliate's today by default).
pub async fn status(
    db: &DatabaseConnection,
    caller: &Caller,
    person_id: Uuid,
    on: Option<NaiveDate>,
) -> AppResult<MembershipStatus> {
    let p = visible_person(db, caller, person_id, crate::domain::scopes::Scope::MembershipsRead).await?;
    let affiliate = crate::platform::tenancy::find(db, &p.affiliate_id.to_string()).await?;
    let day = on.unwrap_or_else(|| today(&affiliate));
    covering(db, &p, day).await
}

/// The membership covering `day`, preferring one that qualifies for endorsement.
pub async fn covering(db: &impl ConnectionTrait, p: &person::Model, day: NaiveDate) -> AppResult<MembershipStatus> {
    let rows = membership::Entity::find()
        .filter(membership::Column::PersonId.eq(p.id))
        .filter(membership::Column::State.eq(entity::membership::MembershipState::Paid))
        .filter(membership::Column::StartsOn.lte(day))
        .filter(membership::Column::EndsOn.gte(day))
        .order_by_desc(membership::Column::EndsOn)
        .all(db)
        .await?;
    let mut best: Option<(membership::Model, membership_plan::Model)> = None;
    for m in rows {
        let plan = find_plan(db, m.plan_id).await?;
        let better = match &best {
            None => true,
            Some((_, bp)) => plan.qualifies_for_endorsement && !bp.qualifies_for_endorsement,
        };
        if better {
            best = Some((m, plan));
        }
    }
    Ok(MembershipStatus {
        person_id: p.id,
        on: day,
        active: best.is_some(),
        qualifies_for_endorsement: best.as_ref().is_some_and(|(_, p)| p.qualifies_for_endorsement),
        membership: best.map(|(m, plan)| to_dto(m, Some(&plan), day)),
    })
}

/// The affiliate's memberships, filtered by their status on a day (staff and clients).
pub async fn list(
    db: &DatabaseConnection,
    caller: &Caller,
    status: Option<Status>,
    on: Option<NaiveDate>,
    person_id: Option<Uuid>,
    page: &PageRequest<Uuid>,
) -> AppResult<Vec<Membership>> {
    caller.require_staff_or_scope(caller.affiliate_id, crate::domain::scopes::Scope::MembershipsRead)?;
    let affiliate = crate::platform::tenancy::find(db, &caller.affiliate_id.to_string()).await?;
    let day = on.unwrap_or_else(|| today(&affiliate));
    let mut query = membership::Entity::find()
        .filter(membership::Column::AffiliateId.eq(affiliate.id))
        .order_by_asc(membership::Column::Id)
        .limit(page.fetch_limit());
    let paid = membership::Column::State.eq(entity::membership::MembershipState::Paid);
    query = match status {
        None => query,
        Some(Status::Active) => query.filter(
            Condition::all()
                .add(paid)
                .add(membership::Column::StartsOn.lte(day))
                .add(membership::Column::EndsOn.gte(day)),
        ),
        Some(Status::Expired) => query.filter(Condition::all().add(paid).add(membership::Column::EndsOn.lt(day))),
        Some(Status::Upcoming) => query.filter(Condition::all().add(paid).add(membership::Column::StartsOn.gt(day))),
        Some(Status::PendingPayment) => {
            query.filter(membership::Column::State.eq(entity::membership::MembershipState::PendingPayment))
        }
        Some(Status::Cancelled) => {
            query.filter(membership::Column::State.eq(entity::membership::MembershipState::Cancelled))
        }
    };
    if let Some(p) = person_id {
        query = query.filter(membership::Column::PersonId.eq(p));
    }
    if let Some(after) = page.after {
        query = query.filter(membership::Column::Id.gt(after));
    }
    let rows = query.all(db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let plan = membership_plan::Entity::find_by_id(m.plan_id).one(db).await?;
        out.push(to_dto(m, plan.as_ref(), day));
    }
    Ok(out)
}
