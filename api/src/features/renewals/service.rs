//! Annual renewals: one per person and year, covering every endorsement due that year
//! (hours counted once, one fee); the lapse job and once-only reminders for cron.
use crate::error::ProblemCode;
use chrono::{Datelike, NaiveDate};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait as _, OnConflict, Query},
};
use std::collections::HashMap;

use entity::sets::Language;
use uuid::Uuid;

use crate::domain::endorsement::{EndorsementEvent, endorsement_transition};
use crate::{
    auth::Caller,
    auth::SubjectKind,
    db,
    db::begin_write,
    domain::engine::RenewalInput,
    domain::engine::RscEntry,
    domain::engine::Training,
    domain::engine::evaluate_renewal,
    domain::renewal::Period,
    domain::renewal::RenewalEvent,
    domain::renewal::RenewalStanding,
    domain::renewal::default_period,
    domain::renewal::is_due,
    domain::renewal::is_late,
    domain::renewal::lapses_on,
    domain::renewal::new_expiry,
    domain::renewal::reminders_due,
    domain::renewal::transition,
    error::AppError,
    error::AppResult,
    error::FieldError,
    features::affiliates::policies,
    features::applications::dto::CODE_OF_ETHICS_VERSION,
    features::applications::dto::PortfolioItem,
    features::applications::dto::PortfolioKind,
    features::applications::portfolio,
    features::billing::fees,
    features::billing::invoices,
    features::billing::invoices::Line,
    features::memberships::service as memberships,
    features::renewals::dto::CategoryRenewal,
    features::renewals::dto::RenewalEntry,
    features::renewals::dto::RenewalPeriod,
    features::renewals::dto::RenewalPeriodInput,
    features::renewals::dto::RenewalReadiness,
    features::renewals::dto::RenewalStatus,
    http::etag::Precondition,
    mail::{
        self, Recipient,
        links::Links,
        locale,
        locale::Locale,
        messages::{EndorsementLapsed, Mail, RenewalApproved, RenewalReminder, RenewalReturned, RenewalSubmitted},
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
    affiliate, endorsement,
    endorsement::EndorsementStatus,
    person, renewal,
    renewal::RenewalState,
    renewal_entry,
    renewal_entry::RenewalEntryKind,
    renewal_period, renewal_reminder,
    sets::RecordKind,
    sets::{ChargeKind, FeeKind},
};

// ---- periods ----

pub async fn period_of(db: &impl ConnectionTrait, affiliate_id: Uuid, year: i32) -> AppResult<(Period, bool, bool)> {
    let stored = renewal_period::Entity::find()
        .filter(renewal_period::Column::AffiliateId.eq(affiliate_id))
        .filter(renewal_period::Column::Year.eq(year))
        .one(db)
        .await?;
    Ok(match stored {
        Some(p) => (
            Period {
                opens_on: p.opens_on,
                closes_on: p.closes_on,
                late_until: p.late_until,
                reminder_offsets: serde_json::from_value(p.reminder_offsets).unwrap_or_default(),
            },
            p.auto_approve,
            true,
        ),
        None => (
            default_period(year).ok_or_else(|| AppError::invalid_field("year", "out_of_range", "not a year"))?,
            false,
            false,
        ),
    })
}

pub async fn period(db: &DatabaseConnection, ident: &str, year: i32) -> AppResult<RenewalPeriod> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    check_year(year)?;
    let (p, auto_approve, configured) = period_of(db, affiliate.id, year).await?;
    Ok(RenewalPeriod {
        affiliate_id: affiliate.id,
        year,
        opens_on: p.opens_on,
        closes_on: p.closes_on,
        late_until: p.late_until,
        auto_approve,
        reminder_offsets: p.reminder_offsets,
        configured,
        time_zone: affiliate.time_zone,
    })
}

fn check_year(year: i32) -> AppResult<()> {
    if (2000..=2200).contains(&year) {
        Ok(())
    } else {
        Err(AppError::bad_request(ProblemCode::InvalidPathParameter, "The year must be between 2000 and 2200."))
    }
}

pub async fn set_period(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    year: i32,
    input: RenewalPeriodInput,
) -> AppResult<RenewalPeriod> {
    check_year(year)?;
    let txn = begin_write(db).await?;
    let affiliate = crate::platform::tenancy::managed(&txn, caller, ident, "set its renewal periods").await?;
    if input.opens_on.year() != year {
        return Err(AppError::invalid_field("opens_on", "wrong_year", format!("must be in {year}")));
    }
    let offsets = serde_json::to_value(&input.reminder_offsets).map_err(AppError::internal)?;
    let existing = renewal_period::Entity::find()
        .filter(renewal_period::Column::AffiliateId.eq(affiliate.id))
        .filter(renewal_period::Column::Year.eq(year))
        .one(&txn)
        .await?;
    match existing {
        Some(p) => {
            let mut next: renewal_period::ActiveModel = p.clone().into();
            next.opens_on = Set(input.opens_on);
            next.closes_on = Set(input.closes_on);
            next.late_until = Set(input.late_until);
            next.auto_approve = Set(input.auto_approve);
            next.reminder_offsets = Set(offsets);
            next.update(&txn).await?;
        }
        None => {
            renewal_period::ActiveModel {
                id: Set(Uuid::now_v7()),
                affiliate_id: Set(affiliate.id),
                year: Set(year),
                opens_on: Set(input.opens_on),
                closes_on: Set(input.closes_on),
                late_until: Set(input.late_until),
                auto_approve: Set(input.auto_approve),
                reminder_offsets: Set(offsets),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    audit::by(&txn, caller,
        AuditEntry::new(Some(affiliate.id), "renewal_period.set", "renewal_period", format!("{}:{year}", affiliate.code)).after(serde_json::json!({"opens_on": input.opens_on, "closes_on": input.closes_on, "late_until": input.late_until, "auto_approve": input.auto_approve})),
    )
    .await?;
    txn.commit().await?;
    period(db, ident, year).await
}

// ---- renewals ----

/// The person's active endorsements that run through `year`'s period.
pub async fn due_endorsements(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    year: i32,
) -> AppResult<Vec<endorsement::Model>> {
    Ok(endorsement::Entity::find()
        .filter(endorsement::Column::PersonId.eq(person_id))
        .filter(endorsement::Column::Status.eq(EndorsementStatus::Active))
        .order_by_asc(endorsement::Column::CategoryCode)
        .all(db)
        .await?
        .into_iter()
        .filter(|e| is_due(e.expires_on, year))
        .collect())
}

async fn log(db: &impl ConnectionTrait, m: &renewal::Model) -> AppResult<()> {
    changes::append(
        db,
        Change {
            affiliate_id: m.affiliate_id,
            kind: RecordKind::Renewal,
            record_id: m.id,
            external_id: None,
            version: m.version,
            operation: Operation::Upsert,
            representation: serde_json::to_value(crate::features::renewals::dto::Renewal::from(m.clone())).ok(),
        },
    )
    .await?;
    Ok(())
}

async fn mine(db: &impl ConnectionTrait, caller: &Caller, year: i32) -> AppResult<renewal::Model> {
    caller.require_person()?;
    renewal::Entity::find()
        .filter(renewal::Column::PersonId.eq(caller.id))
        .filter(renewal::Column::Year.eq(year))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Your {year} renewal")))
}

pub async fn get_mine(db: &DatabaseConnection, caller: &Caller, year: i32) -> AppResult<renewal::Model> {
    mine(db, caller, year).await
}

/// Opens the person's renewal for a year (once); 409 when nothing of theirs is due.
pub async fn open(db: &DatabaseConnection, caller: &Caller, year: i32) -> AppResult<renewal::Model> {
    caller.require_person()?;
    check_year(year)?;
    let txn = begin_write(db).await?;
    if let Ok(existing) = mine(&txn, caller, year).await {
        txn.commit().await?;
        return Ok(existing);
    }
    let m = open_for(&txn, &caller.actor(), caller.affiliate_id, caller.id, year).await?;
    txn.commit().await?;
    Ok(m)
}

/// Opens a person's renewal for a year in the caller's transaction (the caller checked
/// there is none yet); 409 `not_due` when nothing of theirs is due that year.
pub async fn open_for(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    affiliate_id: Uuid,
    person_id: Uuid,
    year: i32,
) -> AppResult<renewal::Model> {
    if due_endorsements(txn, person_id, year).await?.is_empty() {
        return Err(AppError::Conflict {
            code: ProblemCode::NotDue,
            detail: format!(
                "No endorsement of this person is due for renewal in {year} (one issued during a year renews the next)."
            ),
            current_state: None,
        });
    }
    let m = renewal::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate_id),
        person_id: Set(person_id),
        year: Set(year),
        state: Set(RenewalState::Open),
        provides_rsc: Set(false),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(db::conflict_on_unique(ProblemCode::RenewalExists, "This renewal was opened at the same time."))?;
    audit::record(txn, actor, entry(&m, "renewal.opened")).await?;
    log(txn, &m).await?;
    Ok(m)
}

fn entry<'a>(m: &renewal::Model, action: &'a str) -> AuditEntry<'a> {
    AuditEntry {
        affiliate_id: Some(m.affiliate_id),
        action,
        resource_kind: "renewal",
        resource_id: m.id.to_string(),
        before: None,
        after: Some(serde_json::json!({"year": m.year, "state": m.state})),
    }
}

pub(crate) fn editable(m: &renewal::Model) -> AppResult<()> {
    if crate::domain::renewal::is_editable(m.state) {
        Ok(())
    } else {
        Err(AppError::Conflict {
            code: ProblemCode::RenewalNotEditable,
            detail: format!("This renewal is {}.", m.state),
            current_state: Some(m.state.to_string()),
        })
    }
}

pub async fn add_entry(
    db: &DatabaseConnection,
    caller: &Caller,
    year: i32,
    kind: RenewalEntryKind,
    item: PortfolioItem,
) -> AppResult<renewal_entry::Model> {
    let txn = begin_write(db).await?;
    let m = mine(&txn, caller, year).await?;
    editable(&m)?;
    ensure_room(&txn, m.id).await?;
    let e = renewal_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        renewal_id: Set(m.id),
        kind: Set(kind),
        data: Set(serde_json::to_value(&item).map_err(AppError::internal)?),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::by(&txn, caller, entry(&m, "renewal.entry_added")).await?;
    txn.commit().await?;
    Ok(e)
}

/// Most entries one renewal holds (all kinds), as a portfolio (features::applications::portfolio):
/// their list is read whole and paged in memory, so it stays small.
pub const MAX_ENTRIES: u64 = 2000;

/// 409 `renewal_full` when the renewal already holds [`MAX_ENTRIES`] entries.
pub async fn ensure_room(db: &impl ConnectionTrait, renewal_id: Uuid) -> AppResult<()> {
    let held = renewal_entry::Entity::find().filter(renewal_entry::Column::RenewalId.eq(renewal_id)).count(db).await?;
    if held >= MAX_ENTRIES {
        return Err(AppError::conflict(
            ProblemCode::RenewalFull,
            format!("A renewal holds at most {MAX_ENTRIES} entries."),
        ));
    }
    Ok(())
}

pub fn entry_dto(m: renewal_entry::Model) -> AppResult<RenewalEntry> {
    let kind = m.kind;
    let item = portfolio::parse(kind.into(), m.data.clone())
        .map_err(|e| AppError::internal(format!("renewal entry {}: {e}", m.id)))?;
    Ok(RenewalEntry { id: m.id, renewal_id: m.renewal_id, kind, item, created_at: m.created_at, version: m.version })
}

/// One's entries of a kind on the year's renewal, oldest first.
pub async fn list_entries(
    db: &DatabaseConnection,
    caller: &Caller,
    year: i32,
    kind: RenewalEntryKind,
) -> AppResult<Vec<RenewalEntry>> {
    let m = mine(db, caller, year).await?;
    entries(db, m.id).await?.into_iter().filter(|e| e.kind == kind).map(entry_dto).collect()
}

/// Removes one of one's entries while the renewal is open or returned; conditional on `If-Match`.
pub async fn remove_entry(
    db: &DatabaseConnection,
    caller: &Caller,
    year: i32,
    kind: RenewalEntryKind,
    id: Uuid,
    precondition: &Precondition,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let m = mine(&txn, caller, year).await?;
    let current = renewal_entry::Entity::find_by_id(id)
        .filter(renewal_entry::Column::RenewalId.eq(m.id))
        .filter(renewal_entry::Column::Kind.eq(kind.as_str()))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Renewal entry {id}")))?;
    editable(&m)?;
    precondition.check(current.version)?;
    renewal_entry::Entity::delete_by_id(current.id).exec(&txn).await?;
    // A partner's id for the entry goes with it: syncing that id again creates it anew.
    entity::external_id::Entity::delete_many()
        .filter(entity::external_id::Column::Kind.eq(RecordKind::RenewalEntry))
        .filter(entity::external_id::Column::RecordId.eq(current.id))
        .exec(&txn)
        .await?;
    audit::by(&txn, caller, entry(&m, "renewal.entry_removed")).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn entries(db: &impl ConnectionTrait, renewal_id: Uuid) -> AppResult<Vec<renewal_entry::Model>> {
    Ok(renewal_entry::Entity::find()
        .filter(renewal_entry::Column::RenewalId.eq(renewal_id))
        .order_by_asc(renewal_entry::Column::Id)
        .all(db)
        .await?)
}

pub async fn attest(
    db: &DatabaseConnection,
    caller: &Caller,
    year: i32,
    text_version: &str,
    provides_rsc: bool,
) -> AppResult<renewal::Model> {
    if text_version != CODE_OF_ETHICS_VERSION {
        return Err(AppError::invalid_field(
            "text_version",
            "not_current",
            format!("the current text is version {CODE_OF_ETHICS_VERSION}"),
        ));
    }
    let txn = begin_write(db).await?;
    let m = mine(&txn, caller, year).await?;
    editable(&m)?;
    let mut next: renewal::ActiveModel = m.clone().into();
    next.ethics_signed_at = Set(Some(db::now()));
    next.provides_rsc = Set(provides_rsc);
    let updated = next.update(&txn).await?;
    audit::by(&txn, caller, entry(&updated, "renewal.code_of_ethics_signed")).await?;
    log(&txn, &updated).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The year's evaluation for each endorsement due, from the renewal's entries dated in
/// that year (each counted once, for all categories).
pub async fn readiness(db: &impl ConnectionTrait, m: &renewal::Model) -> AppResult<RenewalReadiness> {
    let mut trainings: Vec<Training> = Vec::new();
    let mut rsc: Vec<RscEntry> = Vec::new();
    for e in entries(db, m.id).await? {
        let kind = if e.kind == RenewalEntryKind::Trainings { PortfolioKind::Trainings } else { PortfolioKind::Rsc };
        match portfolio::parse(kind, e.data).map_err(AppError::internal)? {
            PortfolioItem::Training(t) if t.date.year() == m.year => trainings.push(Training {
                date: t.date,
                hours: t.hours,
                tags: t.tags,
                age_focus: t.age_focus,
                competency_domains: t.competency_domains,
            }),
            PortfolioItem::Rsc(r) if r.end_date.year() == m.year => rsc.push(RscEntry {
                start_date: r.start_date,
                end_date: r.end_date,
                hours: r.hours,
                provider_endorsed: r.provider_endorsement_number.is_some(),
                about_own_provision: r.about_own_provision,
            }),
            _ => {}
        }
    }
    let p =
        person::Entity::find_by_id(m.person_id).one(db).await?.ok_or_else(|| AppError::internal("person vanished"))?;
    let affiliate = crate::platform::tenancy::find(db, &m.affiliate_id.to_string()).await?;
    let membership_active = memberships::covering(db, &p, today(&affiliate)).await?.qualifies_for_endorsement;
    let signed = m.ethics_signed_at.is_some_and(|t| t.year() >= m.year);
    let (period, _, _) = period_of(db, m.affiliate_id, m.year).await?;
    let mut categories = Vec::new();
    for e in due_endorsements(db, m.person_id, m.year).await? {
        let version =
            policies::in_force(db, m.affiliate_id, &e.category_code, period.opens_on).await?.ok_or_else(|| {
                AppError::conflict(
                    ProblemCode::NoPolicy,
                    format!("No {} policy in force for {}.", e.category_code, m.year),
                )
            })?;
        let rule = policies::requirements(&version)?.renewal;
        let first = endorsement::Entity::find()
            .filter(endorsement::Column::PersonId.eq(m.person_id))
            .filter(endorsement::Column::CategoryCode.eq(e.category_code.clone()))
            .order_by_asc(endorsement::Column::IssuedOn)
            .one(db)
            .await?
            .map(|f| f.issued_on)
            .unwrap_or(e.issued_on);
        let input = RenewalInput {
            trainings: &trainings,
            rsc: &rsc,
            provides_rsc: m.provides_rsc,
            years_endorsed: std::cmp::max(m.year - first.year(), 0) as u32,
            membership_active,
            code_of_ethics_signed: signed,
        };
        categories.push(CategoryRenewal {
            endorsement_number: e.number,
            category: e.category_code,
            evaluation: evaluate_renewal(&rule, &input),
        });
    }
    Ok(RenewalReadiness {
        year: m.year,
        ready: !categories.is_empty() && categories.iter().all(|c| c.evaluation.met),
        categories,
    })
}

pub async fn my_readiness(db: &DatabaseConnection, caller: &Caller, year: i32) -> AppResult<RenewalReadiness> {
    let m = mine(db, caller, year).await?;
    readiness(db, &m).await
}

/// Submits the renewal: all categories met, then one invoice (renewal fee, plus the late
/// fee in the late window). Auto-approved on payment where the affiliate says so.
pub async fn submit(state: &AppState, caller: &Caller, year: i32) -> AppResult<renewal::Model> {
    let txn = begin_write(&state.db).await?;
    let m = mine(&txn, caller, year).await?;
    editable(&m)?;
    let to =
        transition(m.state, RenewalEvent::Submit).map_err(|why| AppError::invalid_state("renewal", m.state, why))?;
    let ready = readiness(&txn, &m).await?;
    let unmet: Vec<FieldError> = ready
        .categories
        .iter()
        .flat_map(|c| {
            c.evaluation.requirements.iter().filter(|r| !r.met).map(move |r| {
                FieldError::new(
                    format!("{}.{}", c.category, r.key),
                    "unmet_requirement",
                    r.missing.clone().unwrap_or_default(),
                )
            })
        })
        .collect();
    if !unmet.is_empty() {
        return Err(AppError::Validation(unmet));
    }
    let affiliate = crate::platform::tenancy::find(&txn, &m.affiliate_id.to_string()).await?;
    let day = today(&affiliate);
    let (period, _, _) = period_of(&txn, m.affiliate_id, m.year).await?;
    if day >= lapses_on(&period) {
        return Err(AppError::Conflict {
            code: ProblemCode::RenewalClosed,
            detail: format!("The {} renewal period is over.", m.year),
            current_state: Some(m.state.to_string()),
        });
    }
    let mut lines = Vec::new();
    let fee = fees::in_force(&txn, affiliate.id, FeeKind::Renewal, "", day).await?;
    lines.push(Line {
        description: format!("Renewal {}", m.year),
        fee_kind: ChargeKind::Renewal,
        amount_cents: fee.map(|f| f.amount_cents).unwrap_or(0),
    });
    if is_late(&period, day)
        && let Some(late) = fees::in_force(&txn, affiliate.id, FeeKind::LateFee, "", day).await?
    {
        lines.push(Line {
            description: format!("Late fee, renewal {}", m.year),
            fee_kind: ChargeKind::LateFee,
            amount_cents: late.amount_cents,
        });
    }
    let mut next: renewal::ActiveModel = m.clone().into();
    next.state = Set(to);
    next.submitted_at = Set(Some(db::now()));
    next.return_reasons = Set(None);
    let submitted = next.update(&txn).await?;
    let inv = invoices::create(
        state,
        &txn,
        &caller.actor(),
        &affiliate,
        m.person_id,
        entity::invoice::InvoicePurpose::Renewal,
        Some(m.id),
        lines,
    )
    .await?;
    let mut with_invoice: renewal::ActiveModel = renewal::Entity::find_by_id(m.id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("renewal vanished"))?
        .into();
    with_invoice.invoice_id = Set(Some(inv.id));
    let submitted_now = with_invoice.update(&txn).await?;
    let _ = submitted;
    if let Some(p) = person::Entity::find_by_id(m.person_id).one(&txn).await? {
        let l = Locale(p.preferred_language);
        let owed = inv.total_cents - inv.paid_cents - inv.credited_cents - inv.waived_cents;
        let told = Mail::RenewalSubmitted(RenewalSubmitted {
            year: m.year,
            amount: (owed > 0).then(|| l.money(owed, &inv.currency)),
            invoice_number: (owed > 0).then(|| inv.number.clone()),
            link: if owed > 0 { state.links.pay_invoice(inv.id) } else { state.links.renewal(m.year) },
        });
        mail::to_person(&txn, &p, &told).await?;
    }
    audit::by(&txn, caller, entry(&submitted_now, "renewal.submitted")).await?;
    log(&txn, &submitted_now).await?;
    txn.commit().await?;
    Ok(submitted_now)
}

/// The renewal's invoice is settled: auto-approve where the affiliate wants it.
pub async fn on_paid(
    db: &impl ConnectionTrait,
    links: &Links,
    actor: &Actor,
    invoice: &entity::invoice::Model,
) -> AppResult<()> {
    let Some(id) = invoice.subject_id else { return Ok(()) };
    let Some(m) = renewal::Entity::find_by_id(id).one(db).await? else { return Ok(()) };
    let (_, auto_approve, _) = period_of(db, m.affiliate_id, m.year).await?;
    if auto_approve && m.state == RenewalState::Submitted {
        approve_in(db, links, actor, &m).await?;
    }
    Ok(())
}

async fn approve_in(
    db: &impl ConnectionTrait,
    links: &Links,
    actor: &Actor,
    m: &renewal::Model,
) -> AppResult<renewal::Model> {
    let to =
        transition(m.state, RenewalEvent::Approve).map_err(|why| AppError::invalid_state("renewal", m.state, why))?;
    let expiry = new_expiry(m.year).ok_or_else(|| AppError::internal("year out of range"))?;
    let mut renewed = Vec::new();
    for e in due_endorsements(db, m.person_id, m.year).await? {
        renewed.push((e.category_code.clone(), e.number.clone()));
        let status = endorsement_transition(e.status, EndorsementEvent::Renew)
            .map_err(|why| AppError::invalid_state("endorsement", e.status, why))?;
        let mut next: endorsement::ActiveModel = e.clone().into();
        next.status = Set(status);
        next.expires_on = Set(expiry);
        let updated = next.update(db).await?;
        changes::append(
            db,
            Change {
                affiliate_id: updated.affiliate_id,
                kind: RecordKind::Endorsement,
                record_id: updated.id,
                external_id: None,
                version: updated.version,
                operation: Operation::Upsert,
                representation: serde_json::to_value(crate::features::endorsements::dto::Endorsement::from(
                    updated.clone(),
                ))
                .ok(),
            },
        )
        .await?;
    }
    let mut next: renewal::ActiveModel = m.clone().into();
    next.state = Set(to);
    next.decided_at = Set(Some(db::now()));
    let approved = next.update(db).await?;
    // Every path to approval (coordinator, script, automatic on payment) tells the endorsee.
    if let Some(p) = person::Entity::find_by_id(m.person_id).one(db).await? {
        let l = Locale(p.preferred_language);
        let mut endorsements = Vec::new();
        for (code, number) in &renewed {
            endorsements.push(format!("{}, {number}", locale::category(db, code, l).await?));
        }
        let told = Mail::RenewalApproved(RenewalApproved {
            year: m.year,
            valid_through: l.date(expiry),
            endorsements,
            link: links.renewal(m.year),
        });
        mail::to_person(db, &p, &told).await?;
    }
    audit::record(db, actor, entry(&approved, "renewal.approved")).await?;
    log(db, &approved).await?;
    Ok(approved)
}

async fn staff_renewal(db: &impl ConnectionTrait, caller: &Caller, id: Uuid) -> AppResult<renewal::Model> {
    let m = renewal::Entity::find_by_id(id).one(db).await?.filter(|r| match caller.kind {
        SubjectKind::Person => caller.manages_affiliate(r.affiliate_id),
        SubjectKind::Client => r.affiliate_id == caller.affiliate_id,
    });
    let m = m.ok_or_else(|| AppError::NotFound("Renewal".into()))?;
    caller.require_staff_or_scope(m.affiliate_id, crate::domain::scopes::Scope::RenewalsWrite)?;
    if caller.kind == SubjectKind::Person && m.person_id == caller.id {
        return Err(AppError::own_record("approve, return or record a payment"));
    }
    Ok(m)
}

/// Approves a submitted, paid renewal: each due endorsement runs through the next period.
pub async fn approve(db: &DatabaseConnection, links: &Links, caller: &Caller, id: Uuid) -> AppResult<renewal::Model> {
    let txn = begin_write(db).await?;
    let m = staff_renewal(&txn, caller, id).await?;
    transition(m.state, RenewalEvent::Approve).map_err(|why| AppError::invalid_state("renewal", m.state, why))?;
    if let Some(inv) = m.invoice_id
        && entity::invoice::Entity::find_by_id(inv)
            .one(&txn)
            .await?
            .is_some_and(|i| i.status != entity::invoice::InvoiceStatus::Settled)
    {
        return Err(AppError::conflict(ProblemCode::RenewalFeeUnpaid, "The renewal fee is not settled."));
    }
    let approved = approve_in(&txn, links, &caller.actor(), &m).await?;
    txn.commit().await?;
    Ok(approved)
}

/// Returns a submitted renewal to the endorsee with reasons; they amend and resubmit.
pub async fn return_renewal(
    db: &DatabaseConnection,
    links: &Links,
    caller: &Caller,
    id: Uuid,
    reasons: String,
) -> AppResult<renewal::Model> {
    let txn = begin_write(db).await?;
    let m = staff_renewal(&txn, caller, id).await?;
    let to =
        transition(m.state, RenewalEvent::Return).map_err(|why| AppError::invalid_state("renewal", m.state, why))?;
    let mut next: renewal::ActiveModel = m.clone().into();
    next.state = Set(to);
    next.return_reasons = Set(Some(reasons.clone()));
    let returned = next.update(&txn).await?;
    if let Some(p) = person::Entity::find_by_id(m.person_id).one(&txn).await? {
        let told = Mail::RenewalReturned(RenewalReturned {
            year: m.year,
            reasons: reasons.clone(),
            link: links.renewal(m.year),
        });
        mail::to_person(&txn, &p, &told).await?;
    }
    audit::by(&txn, caller, entry(&returned, "renewal.returned")).await?;
    log(&txn, &returned).await?;
    txn.commit().await?;
    Ok(returned)
}

// ---- jobs ----

fn require_jobs(caller: &Caller, affiliate_id: Uuid) -> AppResult<()> {
    caller.require_staff_or_scope(affiliate_id, crate::domain::scopes::Scope::RenewalsWrite)
}

/// Lapses every active endorsement of the affiliate whose period (and late window) is
/// over on `day`: one conditional UPDATE per renewal year (set-based, so 100 000
/// endorsees cost a few statements), with the audit and change-log rows inserted in
/// batches in the same transaction. Conditional on the status, so a second run changes nothing.
pub async fn lapse(
    db: &DatabaseConnection,
    links: &Links,
    actor: &Actor,
    affiliate: &affiliate::Model,
    day: NaiveDate,
) -> AppResult<u64> {
    let txn = begin_write(db).await?;
    let oldest: Option<NaiveDate> = endorsement::Entity::find()
        .filter(endorsement::Column::AffiliateId.eq(affiliate.id))
        .filter(endorsement::Column::Status.eq(EndorsementStatus::Active))
        .filter(endorsement::Column::ExpiresOn.lt(day))
        .order_by_asc(endorsement::Column::ExpiresOn)
        .select_only()
        .column(endorsement::Column::ExpiresOn)
        .into_tuple()
        .one(&txn)
        .await?;
    let Some(oldest) = oldest else {
        txn.commit().await?;
        return Ok(0);
    };
    let now = db::now();
    let mut changed = 0;
    for year in oldest.year()..=day.year() {
        let (period, _, _) = period_of(&txn, affiliate.id, year).await?;
        let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31))
        else {
            continue;
        };
        if day < lapses_on(&period) {
            continue;
        }
        let lapsed = endorsement::Entity::update_many()
            .col_expr(
                endorsement::Column::Status,
                Expr::value(
                    endorsement_transition(EndorsementStatus::Active, EndorsementEvent::Lapse)
                        .map_err(AppError::internal)?,
                ),
            )
            .col_expr(endorsement::Column::Version, Expr::col(endorsement::Column::Version).add(1))
            .col_expr(endorsement::Column::UpdatedAt, Expr::value(now))
            .filter(endorsement::Column::AffiliateId.eq(affiliate.id))
            .filter(endorsement::Column::Status.eq(EndorsementStatus::Active))
            .filter(endorsement::Column::ExpiresOn.gte(first))
            .filter(endorsement::Column::ExpiresOn.lte(last))
            .exec_with_returning(&txn)
            .await?;
        changed += lapsed.len() as u64;
        // Each holder is told how to reinstate (people and names read once per chunk).
        let mut names: HashMap<(String, Language), String> = HashMap::new();
        for chunk in lapsed.chunks(500) {
            let ids: Vec<Uuid> = chunk.iter().map(|e| e.person_id).collect();
            let people: HashMap<Uuid, person::Model> = person::Entity::find()
                .filter(person::Column::Id.is_in(ids))
                .all(&txn)
                .await?
                .into_iter()
                .map(|p| (p.id, p))
                .collect();
            for e in chunk {
                let Some(p) = people.get(&e.person_id) else { continue };
                let key = (e.category_code.clone(), p.preferred_language);
                if !names.contains_key(&key) {
                    let name = locale::category(&txn, &e.category_code, Locale(p.preferred_language)).await?;
                    names.insert(key.clone(), name);
                }
                let told = Mail::EndorsementLapsed(EndorsementLapsed {
                    category: names.get(&key).cloned().unwrap_or_default(),
                    number: e.number.clone(),
                    link: links.reinstate(),
                });
                mail::send(&txn, affiliate, &Recipient::person(p), &told).await?;
            }
        }
        for chunk in lapsed.chunks(500) {
            let audits = chunk.iter().map(|e| entity::audit_event::ActiveModel {
                id: Set(Uuid::now_v7()),
                affiliate_id: Set(Some(e.affiliate_id)),
                actor_kind: Set(actor.kind),
                actor_id: Set(actor.id),
                action: Set("endorsement.lapsed".into()),
                resource_kind: Set(RecordKind::Endorsement.to_string()),
                resource_id: Set(e.id.to_string()),
                before: Set(Some(serde_json::json!({"status": "active"}))),
                after: Set(Some(serde_json::json!({"status": "lapsed", "expired_on": e.expires_on}))),
                request_id: Set(actor.request_id.clone()),
                occurred_at: Set(now),
            });
            entity::audit_event::Entity::insert_many(audits).exec(&txn).await?;
            let ids: Vec<Uuid> = chunk.iter().map(|e| e.id).collect();
            let external = changes::external_ids_for(&txn, RecordKind::Endorsement, &ids).await?;
            let logged = chunk
                .iter()
                .map(|e| Change {
                    affiliate_id: e.affiliate_id,
                    kind: RecordKind::Endorsement,
                    record_id: e.id,
                    external_id: external.get(&e.id).cloned(),
                    version: e.version,
                    operation: Operation::Upsert,
                    representation: serde_json::to_value(crate::features::endorsements::dto::Endorsement::from(
                        e.clone(),
                    ))
                    .ok(),
                })
                .collect();
            changes::append_many(&txn, logged).await?;
        }
    }
    txn.commit().await?;
    Ok(changed)
}

/// Sends the reminders whose day has come to everyone still due: each offset at most once
/// per person and year (the unique row decides), one email a run, so a second run sends nothing.
pub async fn remind(
    db: &DatabaseConnection,
    links: &Links,
    affiliate: &affiliate::Model,
    day: NaiveDate,
) -> AppResult<u64> {
    let year = day.year();
    let (period, _, _) = period_of(db, affiliate.id, year).await?;
    let offsets = reminders_due(&period, day);
    if offsets.is_empty() {
        return Ok(0);
    }
    let due = endorsement::Entity::find()
        .filter(endorsement::Column::AffiliateId.eq(affiliate.id))
        .filter(endorsement::Column::Status.eq(EndorsementStatus::Active))
        .all(db)
        .await?
        .into_iter()
        .filter(|e| is_due(e.expires_on, year));
    let mut people: Vec<Uuid> = due.map(|e| e.person_id).collect();
    people.sort();
    people.dedup();
    let mut sent = 0;
    for person_id in people {
        let done = renewal::Entity::find()
            .filter(renewal::Column::PersonId.eq(person_id))
            .filter(renewal::Column::Year.eq(year))
            .filter(renewal::Column::State.is_in([RenewalState::Submitted, RenewalState::Approved]))
            .one(db)
            .await?;
        if done.is_some() {
            continue;
        }
        let Some(p) = person::Entity::find_by_id(person_id).one(db).await? else { continue };
        // Every offset due is recorded; the person gets one email however many were new.
        let txn = begin_write(db).await?;
        let mut new = 0;
        for offset in &offsets {
            let stmt = Query::insert()
                .into_table(renewal_reminder::Entity)
                .columns([
                    renewal_reminder::Column::Id,
                    renewal_reminder::Column::PersonId,
                    renewal_reminder::Column::Year,
                    renewal_reminder::Column::OffsetDays,
                    renewal_reminder::Column::SentAt,
                ])
                .values_panic([
                    Uuid::now_v7().into(),
                    person_id.into(),
                    year.into(),
                    (*offset as i32).into(),
                    db::now().into(),
                ])
                .on_conflict(
                    OnConflict::columns([
                        renewal_reminder::Column::PersonId,
                        renewal_reminder::Column::Year,
                        renewal_reminder::Column::OffsetDays,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .to_owned();
            new += txn.execute(&stmt).await?.rows_affected();
        }
        if new > 0 {
            let l = Locale(p.preferred_language);
            let due = Mail::RenewalReminder(RenewalReminder {
                year,
                closes_on: l.date(period.closes_on),
                link: links.renewal(year),
            });
            // Recorded either way: turning reminders back on does not replay old ones.
            if mail::remind(&txn, affiliate, &p, &due).await? {
                sent += 1;
            }
        }
        txn.commit().await?;
    }
    Ok(sent)
}

/// The affiliate jobs a coordinator or a `renewals:write` client runs on demand (cron runs
/// them daily too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// Endorsements past their period and late window lapse.
    Lapse,
    /// The renewal reminders due on the day are sent, once each.
    Reminders,
}

pub async fn run_job(
    db: &DatabaseConnection,
    links: &Links,
    caller: &Caller,
    ident: &str,
    job: Job,
    day: Option<NaiveDate>,
) -> AppResult<u64> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    require_jobs(caller, affiliate.id)?;
    let day = day.unwrap_or_else(|| today(&affiliate));
    match job {
        Job::Lapse => lapse(db, links, &caller.actor(), &affiliate, day).await,
        Job::Reminders => remind(db, links, &affiliate, day).await,
    }
}

/// Who is due, open, submitted, approved, returned or lapsed for a year: keyset pages by
/// person, each a few indexed queries whatever the affiliate's size.
pub async fn statuses(
    db: &DatabaseConnection,
    caller: &Caller,
    year: i32,
    status: Option<RenewalStanding>,
    after: Option<Uuid>,
    limit: u64,
) -> AppResult<Vec<RenewalStatus>> {
    let read = caller.require_staff_or_scope(caller.affiliate_id, crate::domain::scopes::Scope::RenewalsRead);
    if read.is_err() {
        caller.require_staff_or_scope(caller.affiliate_id, crate::domain::scopes::Scope::RenewalsWrite)?;
    }
    let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) else {
        return Err(AppError::invalid_query("year", "out_of_range", "not a year"));
    };
    let affiliate = caller.affiliate_id;
    // Person ids holding an endorsement of `state` that ran through the year.
    let holders = |state: EndorsementStatus| {
        let mut q = endorsement::Entity::find()
            .select_only()
            .column(endorsement::Column::PersonId)
            .distinct()
            .filter(endorsement::Column::AffiliateId.eq(affiliate))
            .filter(endorsement::Column::Status.eq(state))
            .filter(endorsement::Column::ExpiresOn.gte(first))
            .filter(endorsement::Column::ExpiresOn.lte(last))
            .order_by_asc(endorsement::Column::PersonId)
            .limit(limit);
        if let Some(a) = after {
            q = q.filter(endorsement::Column::PersonId.gt(a));
        }
        q
    };
    let renewed = Query::select()
        .column(renewal::Column::PersonId)
        .from(renewal::Entity)
        .and_where(Expr::col(renewal::Column::Year).eq(year))
        .to_owned();
    let renewals_in = |state: Option<RenewalState>| {
        let mut q = renewal::Entity::find()
            .select_only()
            .column(renewal::Column::PersonId)
            .filter(renewal::Column::AffiliateId.eq(affiliate))
            .filter(renewal::Column::Year.eq(year))
            .order_by_asc(renewal::Column::PersonId)
            .limit(limit);
        if let Some(s) = state {
            q = q.filter(renewal::Column::State.eq(s));
        }
        if let Some(a) = after {
            q = q.filter(renewal::Column::PersonId.gt(a));
        }
        q
    };
    let due =
        || holders(EndorsementStatus::Active).filter(endorsement::Column::PersonId.not_in_subquery(renewed.clone()));
    let mut ids: Vec<Uuid> = match status {
        Some(RenewalStanding::Due) => due().into_tuple().all(db).await?,
        Some(RenewalStanding::Lapsed) => holders(EndorsementStatus::Lapsed).into_tuple().all(db).await?,
        Some(s) => renewals_in(s.state()).into_tuple().all(db).await?,
        None => {
            let mut all: Vec<Uuid> = due().into_tuple().all(db).await?;
            all.extend(holders(EndorsementStatus::Lapsed).into_tuple::<Uuid>().all(db).await?);
            all.extend(renewals_in(None).into_tuple::<Uuid>().all(db).await?);
            all
        }
    };
    ids.sort();
    ids.dedup();
    ids.truncate(limit as usize);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let people = person::Entity::find().filter(person::Column::Id.is_in(ids.clone())).all(db).await?;
    let held = endorsement::Entity::find().filter(endorsement::Column::PersonId.is_in(ids.clone())).all(db).await?;
    let renewals_of_page = renewal::Entity::find()
        .filter(renewal::Column::PersonId.is_in(ids.clone()))
        .filter(renewal::Column::Year.eq(year))
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(p) = people.iter().find(|p| p.id == id) else { continue };
        let r = renewals_of_page.iter().find(|r| r.person_id == id);
        let lapsed = held
            .iter()
            .any(|e| e.person_id == id && e.status == EndorsementStatus::Lapsed && e.expires_on.year() == year);
        // With a filter, each person comes from the query for that status.
        let st = match status {
            Some(s) => s,
            None if lapsed && r.is_none() => RenewalStanding::Lapsed,
            None => r.map_or(RenewalStanding::Due, |r| r.state.into()),
        };
        let numbers = held
            .iter()
            .filter(|e| {
                e.person_id == id
                    && (e.expires_on.year() == year || r.is_some_and(|r| r.state == RenewalState::Approved))
            })
            .map(|e| e.number.clone())
            .collect();
        out.push(RenewalStatus {
            person_id: id,
            name: format!("{} {}", p.given_name, p.family_name),
            email: p.email.clone(),
            status: st,
            renewal_id: r.map(|r| r.id),
            endorsements: numbers,
        });
    }
    Ok(out)
}

/// Records a payment made elsewhere on a renewal's invoice (staff, or a client with
/// `renewals:write`); settling it may auto-approve the renewal.
pub async fn record_payment(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    amount: &crate::domain::money::Money,
    method: entity::invoice_entry::PaymentMethod,
    reference: Option<String>,
) -> AppResult<renewal::Model> {
    if method == entity::invoice_entry::PaymentMethod::Scholarship {
        return Err(AppError::invalid_field(
            "method",
            "not_allowed",
            "scholarship credits are recorded by the service",
        ));
    }
    let txn = begin_write(&state.db).await?;
    let m = staff_renewal(&txn, caller, id).await?;
    let invoice_id = m
        .invoice_id
        .ok_or_else(|| AppError::invalid_state("renewal", m.state, "it has no invoice until it is submitted"))?;
    let inv = entity::invoice::Entity::find_by_id(invoice_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("invoice vanished"))?;
    let cents = crate::domain::money::check_amount(amount, &inv.currency, false)
        .map_err(|e| AppError::invalid_field("amount", "invalid_amount", e))?;
    let note = invoices::EntryNote { method: Some(method), reference, reason: None };
    invoices::apply_entry(state, &txn, &caller.actor(), &inv, crate::domain::money::Entry::Payment(cents), note)
        .await?;
    let updated =
        renewal::Entity::find_by_id(m.id).one(&txn).await?.ok_or_else(|| AppError::internal("renewal vanished"))?;
    txn.commit().await?;
    Ok(updated)
}
