//! Credential applications: started for one category under the policy version in force,
//! moved only by the state machine in `domain::application`, each move recorded in the
//! application's history, the audit log and the change log.
use crate::error::ProblemCode;
use crate::mail::{
    self, locale,
    locale::Locale,
    messages::{About, Mail},
};
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::{
    auth::Caller, auth::SubjectKind, db, db::begin_write, domain::affiliate::TimeZone, domain::application::Action,
    domain::application::State, domain::application::transition, domain::engine::Education, domain::engine::Profile,
    domain::engine::Reference, domain::engine::RscEntry, domain::engine::Training, domain::engine::WorkEntry,
    domain::schedule::next_deadline, error::AppError, error::AppResult, error::FieldError,
    features::affiliates::catalog, features::affiliates::policies, features::affiliates::schedule,
    features::applications::dto::Application, features::applications::dto::CODE_OF_ETHICS_VERSION,
    features::applications::dto::PortfolioItem, features::applications::dto::PortfolioKind,
    features::applications::dto::Readiness, features::applications::dto::reference_status,
    features::applications::portfolio, features::billing::fees, features::billing::invoices,
    features::billing::invoices::Line, features::memberships::service as memberships, http::pagination::PageRequest,
    platform::audit, platform::audit::Actor, platform::audit::AuditEntry, platform::change_log as changes,
    platform::change_log::Change, platform::change_log::Operation, platform::clock::today, state::AppState,
};
use entity::{
    application,
    application::ApplicationKind,
    application_event, application_reference, attestation,
    attestation::AttestationKind,
    endorsement::EndorsementStatus,
    invoice, person,
    person::PersonStatus,
    sets::RecordKind,
    sets::{ChargeKind, FeeKind},
};

pub const RESOURCE: &str = "application";

/// What the caller wants to do with an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The applicant, or staff of the affiliate.
    Read,
    /// The applicant only.
    Own,
    /// Coordinators of the affiliate (or an admin).
    Staff,
}

/// The application if the caller may do `access` with it; otherwise 404 (or 403 for an
/// applicant asking for a staff action on their own application).
pub async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
    access: Access,
) -> AppResult<application::Model> {
    let found = application::Entity::find_by_id(id).one(db).await?;
    let Some(app) = found else { return Err(AppError::NotFound("Application".into())) };
    let own = caller.kind == SubjectKind::Person && app.person_id == caller.id;
    let staff = caller.kind == SubjectKind::Person && caller.manages_affiliate(app.affiliate_id);
    match access {
        Access::Read if own || staff => Ok(app),
        Access::Read if is_assigned_reviewer(db, caller, app.id).await? => Ok(app),
        Access::Own if own => Ok(app),
        Access::Own if staff => Err(AppError::Forbidden("Only the applicant changes their application.".into())),
        // Staff never act on their own application (separation of duties).
        Access::Staff if own && staff => Err(AppError::own_record("decide, review or assign reviewers")),
        Access::Staff if staff => Ok(app),
        Access::Staff if own => Err(AppError::Forbidden("This is done by the affiliate's coordinators.".into())),
        _ => Err(AppError::NotFound("Application".into())),
    }
}

/// Whether the caller reviews this application (reviewers see assigned applications only).
pub async fn is_assigned_reviewer(db: &impl ConnectionTrait, caller: &Caller, application_id: Uuid) -> AppResult<bool> {
    if caller.kind != SubjectKind::Person || !caller.has_role(crate::domain::roles::Role::Reviewer) {
        return Ok(false);
    }
    Ok(entity::review::Entity::find()
        .filter(entity::review::Column::ApplicationId.eq(application_id))
        .filter(entity::review::Column::ReviewerId.eq(caller.id))
        .one(db)
        .await?
        .is_some())
}

fn open_key(person: Uuid, category: &str) -> String {
    format!("{person}:{category}")
}

async fn log(db: &impl ConnectionTrait, m: &application::Model) -> AppResult<()> {
    changes::append(
        db,
        Change {
            affiliate_id: m.affiliate_id,
            kind: RecordKind::Application,
            record_id: m.id,
            external_id: None,
            version: m.version,
            operation: Operation::Upsert,
            representation: serde_json::to_value(Application::from(m.clone())).ok(),
        },
    )
    .await?;
    Ok(())
}

async fn record_event(
    db: &impl ConnectionTrait,
    app: &application::Model,
    from: Option<State>,
    actor: &Actor,
    reason: Option<String>,
) -> AppResult<()> {
    application_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(app.id),
        from_state: Set(from),
        to_state: Set(app.state),
        actor_kind: Set(actor.kind),
        actor_id: Set(actor.id),
        reason: Set(reason),
        occurred_at: Set(db::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Starts an application (draft) for a category of the person's affiliate.
pub async fn start(
    db: &DatabaseConnection,
    caller: &Caller,
    category: &str,
    reinstatement: bool,
) -> AppResult<application::Model> {
    caller.require_person()?;
    let txn = begin_write(db).await?;
    let me = person::Entity::find_by_id(caller.id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("Your account".into()))?;
    if me.status != PersonStatus::Active {
        return Err(AppError::Conflict {
            code: ProblemCode::AccountNotActive,
            detail: "Activate your account first.".into(),
            current_state: Some(me.status.to_string()),
        });
    }
    let category = catalog::category(&txn, category).await.map_err(|_| {
        AppError::invalid_field("category", "unknown_category", format!("`{category}` is not a category"))
    })?;
    let affiliate = crate::platform::tenancy::find(&txn, &me.affiliate_id.to_string()).await?;
    let version =
        policies::in_force(&txn, affiliate.id, &category.code, today(&affiliate)).await?.ok_or_else(|| {
            AppError::conflict(
                ProblemCode::NoPolicy,
                format!("{} has no policy for {} in force today.", affiliate.name, category.code),
            )
        })?;
    let reinstates = if reinstatement {
        let lapsed = entity::endorsement::Entity::find()
            .filter(entity::endorsement::Column::PersonId.eq(me.id))
            .filter(entity::endorsement::Column::CategoryCode.eq(category.code.clone()))
            .filter(entity::endorsement::Column::Status.eq(EndorsementStatus::Lapsed))
            .one(&txn)
            .await?;
        Some(
            lapsed
                .ok_or_else(|| {
                    AppError::conflict(
                        ProblemCode::NothingToReinstate,
                        format!("You hold no lapsed {} endorsement.", category.code),
                    )
                })?
                .id,
        )
    } else {
        None
    };
    let app = application::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate.id),
        person_id: Set(me.id),
        category_code: Set(category.code.clone()),
        policy_version_id: Set(version.id),
        kind: Set(if reinstatement { ApplicationKind::Reinstatement } else { ApplicationKind::Initial }),
        reinstates_endorsement_id: Set(reinstates),
        state: Set(State::Draft),
        open_key: Set(Some(open_key(me.id, &category.code))),
        deadline_id: Set(None),
        processing_invoice_id: Set(None),
        submitted_at: Set(None),
        decided_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(db::conflict_on_unique(
        ProblemCode::ApplicationOpen,
        format!("You already have an open {} application.", category.code),
    ))?;
    let actor = caller.actor();
    record_event(&txn, &app, None, &actor, None).await?;
    audit::record(&txn, &actor, entry(&app, "application.started", None)).await?;
    log(&txn, &app).await?;
    txn.commit().await?;
    Ok(app)
}

fn entry<'a>(app: &application::Model, action: &'a str, before: Option<&str>) -> AuditEntry<'a> {
    AuditEntry {
        affiliate_id: Some(app.affiliate_id),
        action,
        resource_kind: RESOURCE,
        resource_id: app.id.to_string(),
        before: before.map(|s| serde_json::json!({"state": s})),
        after: Some(serde_json::json!({"state": app.state, "category": app.category_code})),
    }
}

/// Applies `action` and records it; the caller's transaction commits.
pub async fn apply(
    db: &impl ConnectionTrait,
    app: &application::Model,
    action: Action,
    actor: &Actor,
    reason: Option<String>,
) -> AppResult<application::Model> {
    let from = app.state;
    let emerging = app.category_code.ends_with("FRS");
    let to = transition(from, action, emerging).map_err(|e| AppError::invalid_state("application", from, e))?;
    let mut next: application::ActiveModel = app.clone().into();
    next.state = Set(to);
    if !to.is_open() {
        next.open_key = Set(None);
    }
    if matches!(to, State::Endorsed | State::NotEndorsed | State::Emerging) {
        next.decided_at = Set(Some(db::now()));
    }
    let updated = next.update(db).await?;
    record_event(db, &updated, Some(from), actor, reason).await?;
    let action_name = format!("application.{}", to.as_str());
    audit::record(db, actor, AuditEntry { action: &action_name, ..entry(&updated, "", Some(from.as_str())) }).await?;
    log(db, &updated).await?;
    Ok(updated)
}

pub async fn withdraw(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    reason: Option<String>,
) -> AppResult<application::Model> {
    let txn = begin_write(db).await?;
    let app = visible(&txn, caller, id, Access::Own).await?;
    let updated = apply(&txn, &app, Action::Withdraw, &caller.actor(), reason).await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn list(
    db: &DatabaseConnection,
    caller: &Caller,
    state: Option<State>,
    category: Option<&str>,
    page: &PageRequest<Uuid>,
) -> AppResult<Vec<application::Model>> {
    caller.require_person()?;
    let mut q = application::Entity::find().order_by_asc(application::Column::Id).limit(page.fetch_limit());
    q = if caller.manages_affiliate(caller.affiliate_id) {
        q.filter(application::Column::AffiliateId.eq(caller.affiliate_id))
    } else {
        q.filter(application::Column::PersonId.eq(caller.id))
    };
    if let Some(s) = state {
        q = q.filter(application::Column::State.eq(s));
    }
    if let Some(c) = category {
        q = q.filter(application::Column::CategoryCode.eq(c.to_uppercase()));
    }
    if let Some(after) = page.after {
        q = q.filter(application::Column::Id.gt(after));
    }
    Ok(q.all(db).await?)
}

pub async fn history(db: &DatabaseConnection, caller: &Caller, id: Uuid) -> AppResult<Vec<application_event::Model>> {
    let app = visible(db, caller, id, Access::Read).await?;
    Ok(application_event::Entity::find()
        .filter(application_event::Column::ApplicationId.eq(app.id))
        .order_by_asc(application_event::Column::Id)
        .all(db)
        .await?)
}

/// The evaluation profile of an application: its portfolio, submitted references, the
/// signature, and the person's membership on `day`.
pub async fn profile(db: &impl ConnectionTrait, app: &application::Model, day: NaiveDate) -> AppResult<Profile> {
    let mut p = Profile::default();
    for e in portfolio::entries(db, app.id, None).await? {
        let kind = match e.kind.as_str() {
            "education" => PortfolioKind::Education,
            "work" => PortfolioKind::Work,
            "trainings" => PortfolioKind::Trainings,
            _ => PortfolioKind::Rsc,
        };
        match portfolio::parse(kind, e.data.clone())
            .map_err(|err| AppError::internal(format!("portfolio entry {}: {err}", e.id)))?
        {
            PortfolioItem::Education(x) => {
                p.education.push(Education { level: x.level, field: x.field, completed_on: x.completed_on })
            }
            PortfolioItem::Work(x) => p.work.push(WorkEntry {
                kind: x.kind,
                ages_served: x.ages_served,
                paid: x.paid,
                families_served: x.families_served,
                start_date: x.start_date,
                end_date: x.end_date,
            }),
            PortfolioItem::Training(x) => p.trainings.push(Training {
                date: x.date,
                hours: x.hours,
                tags: x.tags,
                age_focus: x.age_focus,
                competency_domains: x.competency_domains,
            }),
            PortfolioItem::Rsc(x) => p.rsc.push(RscEntry {
                start_date: x.start_date,
                end_date: x.end_date,
                hours: x.hours,
                provider_endorsed: x.provider_endorsement_number.is_some(),
                about_own_provision: x.about_own_provision,
            }),
        }
    }
    let now = db::now();
    for r in application_reference::Entity::find()
        .filter(application_reference::Column::ApplicationId.eq(app.id))
        .all(db)
        .await?
    {
        let status = reference_status(&r, now);
        let domains = r
            .ratings
            .as_ref()
            .and_then(|v| serde_json::from_value::<Vec<crate::features::applications::dto::Rating>>(v.clone()).ok())
            .map(|rs| rs.into_iter().map(|x| x.domain).collect())
            .unwrap_or_default();
        p.references.push(Reference {
            kind: status.kind,
            submitted: r.status == entity::application_reference::ReferenceStatus::Submitted,
            competency_domains: domains,
        });
    }
    p.code_of_ethics_signed = attestation::Entity::find()
        .filter(attestation::Column::ApplicationId.eq(app.id))
        .filter(attestation::Column::Kind.eq(AttestationKind::CodeOfEthics))
        .filter(attestation::Column::TextVersion.eq(CODE_OF_ETHICS_VERSION))
        .one(db)
        .await?
        .is_some();
    let me = person::Entity::find_by_id(app.person_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("applicant vanished"))?;
    p.membership_active = memberships::covering(db, &me, day).await?.qualifies_for_endorsement;
    Ok(p)
}

pub async fn readiness(db: &impl ConnectionTrait, app: &application::Model) -> AppResult<Readiness> {
    let affiliate = crate::platform::tenancy::find(db, &app.affiliate_id.to_string()).await?;
    let day = today(&affiliate);
    let version = policies::get(db, app.policy_version_id).await?;
    let profile = profile(db, app, day).await?;
    let evaluation = match app.reinstates_endorsement_id {
        Some(id) => {
            let lapsed = entity::endorsement::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::internal("reinstated endorsement vanished"))?;
            let references = policies::requirements(&version)?.references.count;
            crate::domain::engine::evaluate_reinstatement(&profile, lapsed.expires_on, references, day)
        }
        None => policies::evaluate_version(db, &version, &profile, day).await?,
    };
    Ok(Readiness {
        application_id: app.id,
        policy_version_id: version.id,
        on: day,
        ready_to_submit: evaluation.met_except_exam,
        evaluation,
    })
}

/// Submits (or resubmits after deferral). Refused, listing every unmet condition, until
/// the portfolio meets the policy (the exam aside), the membership is active, the Code of
/// Ethics is signed, the processing fee is settled and a deadline accepts the category.
/// The processing-fee invoice is created by the first attempt that finds all else met.
pub async fn submit(state: &AppState, caller: &Caller, id: Uuid) -> AppResult<application::Model> {
    let txn = begin_write(&state.db).await?;
    let app = visible(&txn, caller, id, Access::Own).await?;
    let current = app.state;
    let action = if current == State::Deferred { Action::Resubmit } else { Action::Submit };
    // Illegal states answer 409 before anything else is checked.
    transition(current, action, false).map_err(|e| AppError::invalid_state("application", current, e))?;
    let affiliate = crate::platform::tenancy::find(&txn, &app.affiliate_id.to_string()).await?;
    let ready = readiness(&txn, &app).await?;
    let mut unmet: Vec<FieldError> = ready
        .evaluation
        .requirements
        .iter()
        .filter(|r| !r.met && r.key != "exam")
        .map(|r| FieldError::new(r.key.clone(), "unmet_requirement", r.missing.clone().unwrap_or_default()))
        .collect();
    let tz = TimeZone::parse(&affiliate.time_zone).map(|t| t.0).unwrap_or(chrono_tz::UTC);
    let all_deadlines = schedule::deadlines(&txn, affiliate.id, ready.on).await?;
    let deadline = next_deadline(&all_deadlines, &app.category_code, db::now(), tz).map(|d| d.2);
    // Reinstatements are decided as they come, outside the deadline cycle.
    if deadline.is_none() && app.kind != ApplicationKind::Reinstatement {
        unmet.push(FieldError::new(
            "deadline",
            "no_deadline",
            format!(
                "No submission deadline accepting {} is scheduled; watch the affiliate's schedule.",
                app.category_code
            ),
        ));
    }
    let mut app = app;
    if unmet.is_empty() {
        let invoice = match app.processing_invoice_id {
            Some(inv) => invoice::Entity::find_by_id(inv).one(&txn).await?,
            None => None,
        };
        let invoice = match invoice {
            Some(i) => i,
            None => {
                let fee = fees::in_force(&txn, affiliate.id, FeeKind::Processing, &app.category_code, ready.on).await?;
                let line = Line {
                    description: format!("Processing fee, {} application", app.category_code),
                    fee_kind: ChargeKind::Processing,
                    amount_cents: fee.map(|f| f.amount_cents).unwrap_or(0),
                };
                let inv = invoices::create(
                    state,
                    &txn,
                    &caller.actor(),
                    &affiliate,
                    app.person_id,
                    entity::invoice::InvoicePurpose::Processing,
                    Some(app.id),
                    vec![line],
                )
                .await?;
                let mut next: application::ActiveModel = app.clone().into();
                next.processing_invoice_id = Set(Some(inv.id));
                app = next.update(&txn).await?;
                log(&txn, &app).await?;
                inv
            }
        };
        if invoice.status != entity::invoice::InvoiceStatus::Settled {
            unmet.push(FieldError::new(
                "processing_fee",
                "unpaid",
                format!("The processing fee (invoice {}) must be settled first.", invoice.number),
            ));
        }
    }
    if !unmet.is_empty() {
        // The invoice created above is kept: the applicant needs it to pay.
        txn.commit().await?;
        // The portfolio falls short: 422. Only the fee or the schedule stands in the way: 409.
        let portfolio_short = unmet.iter().any(|e| e.field != "deadline" && e.field != "processing_fee");
        return Err(if portfolio_short {
            AppError::Validation(unmet)
        } else {
            AppError::Blocked {
                code: ProblemCode::SubmissionBlocked,
                detail: "The application is complete, but cannot be submitted yet; see `errors`.".into(),
                errors: unmet,
            }
        });
    }
    let mut next: application::ActiveModel = app.clone().into();
    next.deadline_id = Set(deadline);
    next.submitted_at = Set(Some(db::now()));
    // One version step per submission: `apply` below makes it, so this write keeps the version.
    next.version = Set(app.version);
    let app = next.update(&txn).await?;
    let submitted = apply(&txn, &app, action, &caller.actor(), None).await?;
    if let Some(p) = person::Entity::find_by_id(app.person_id).one(&txn).await? {
        let category = locale::category(&txn, &app.category_code, Locale(p.preferred_language)).await?;
        let told = Mail::ApplicationSubmitted(About { category, link: state.links.application(app.id) });
        mail::to_person(&txn, &p, &told).await?;
    }
    txn.commit().await?;
    Ok(submitted)
}

pub async fn sign_code_of_ethics(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    text_version: &str,
) -> AppResult<attestation::Model> {
    let txn = begin_write(db).await?;
    let app = visible(&txn, caller, id, Access::Own).await?;
    if text_version != CODE_OF_ETHICS_VERSION {
        return Err(AppError::invalid_field(
            "text_version",
            "not_current",
            format!("the current text is version {CODE_OF_ETHICS_VERSION}"),
        ));
    }
    if !app.state.is_editable() {
        return Err(AppError::Conflict {
            code: ProblemCode::ApplicationNotEditable,
            detail: "The agreement is signed while the application is a draft or deferred.".into(),
            current_state: Some(app.state.as_str().into()),
        });
    }
    let signed = audit::created(
        &txn,
        caller,
        attestation::ActiveModel {
            id: Set(Uuid::now_v7()),
            application_id: Set(app.id),
            person_id: Set(caller.id),
            kind: Set(AttestationKind::CodeOfEthics),
            text_version: Set(text_version.into()),
            signed_at: Set(db::now()),
        },
        |_| {
            AuditEntry::new(Some(app.affiliate_id), "application.code_of_ethics_signed", RESOURCE, app.id)
                .after(serde_json::json!({"text_version": text_version}))
        },
    )
    .await?;
    txn.commit().await?;
    Ok(signed)
}
