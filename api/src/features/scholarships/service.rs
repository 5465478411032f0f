//! Scholarships: funds with budgets that cover fee kinds; requests decided by
//! coordinators; an award becomes a credit on the invoice it is for (or the next matching
//! one). A fund's awards can never exceed its budget: the award is added by a conditional
//! update, safe under concurrent approvals on both databases.
use crate::error::ProblemCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
    sea_query::{Expr, ExprTrait as _},
};
use uuid::Uuid;

use crate::domain::scholarship::{self, ScholarshipEvent, ScholarshipPurpose, ScholarshipStatus};
use crate::{
    auth::Caller,
    auth::SubjectKind,
    db,
    db::begin_write,
    domain::money::Entry,
    domain::money::check_amount,
    error::AppError,
    error::AppResult,
    features::billing::invoices,
    features::billing::invoices::EntryNote,
    features::scholarships::dto::NewFund,
    features::scholarships::dto::NewScholarshipRequest,
    features::scholarships::dto::ScholarshipDecision,
    features::scholarships::dto::ScholarshipDecisionKind,
    http::pagination::PageRequest,
    http::pagination::after_pair,
    mail::{
        self,
        locale::Locale,
        messages::{Mail, ScholarshipDecision as MailedDecision},
    },
    platform::audit,
    platform::audit::Actor,
    platform::audit::AuditEntry,
    platform::change_log as changes,
    platform::change_log::Change,
    platform::change_log::Operation,
    state::AppState,
};
use entity::{invoice, person, scholarship_fund, scholarship_request, sets::RecordKind};

/// A page of the affiliate's funds, by the day they open.
pub async fn funds(
    db: &DatabaseConnection,
    ident: &str,
    page: &PageRequest<(chrono::NaiveDate, Uuid)>,
) -> AppResult<Vec<scholarship_fund::Model>> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    let mut query = scholarship_fund::Entity::find()
        .filter(scholarship_fund::Column::AffiliateId.eq(affiliate.id))
        .order_by_asc(scholarship_fund::Column::StartsOn)
        .order_by_asc(scholarship_fund::Column::Id)
        .limit(page.fetch_limit());
    if let Some(after) = &page.after {
        query = query.filter(after_pair(scholarship_fund::Column::StartsOn, scholarship_fund::Column::Id, after));
    }
    Ok(query.all(db).await?)
}

pub async fn create_fund(
    db: &DatabaseConnection,
    caller: &Caller,
    ident: &str,
    input: NewFund,
) -> AppResult<scholarship_fund::Model> {
    let txn = begin_write(db).await?;
    let affiliate = crate::platform::tenancy::managed(&txn, caller, ident, "create its funds").await?;
    let budget = check_amount(&input.budget, &affiliate.currency, false)
        .map_err(|m| AppError::invalid_field("budget", "invalid_amount", m))?;
    let m = audit::created(
        &txn,
        caller,
        scholarship_fund::ActiveModel {
            id: Set(Uuid::now_v7()),
            affiliate_id: Set(affiliate.id),
            name: Set(input.name.trim().to_string()),
            sponsor: Set(input.sponsor),
            budget_cents: Set(budget),
            awarded_cents: Set(0),
            currency: Set(affiliate.currency.clone()),
            starts_on: Set(input.starts_on),
            ends_on: Set(input.ends_on),
            covers: Set(serde_json::to_value(&input.covers).map_err(AppError::internal)?),
            ..Default::default()
        },
        |m| {
            AuditEntry::new(Some(affiliate.id), "scholarship.fund_created", "scholarship_fund", m.id)
                .after(serde_json::json!({"name": m.name, "budget_cents": budget}))
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

async fn log(db: &impl ConnectionTrait, m: &scholarship_request::Model, currency: &str) -> AppResult<()> {
    changes::append(
        db,
        Change {
            affiliate_id: m.affiliate_id,
            kind: RecordKind::ScholarshipRequest,
            record_id: m.id,
            external_id: None,
            version: m.version,
            operation: Operation::Upsert,
            representation: serde_json::to_value(crate::features::scholarships::dto::ScholarshipRequest::build(
                m.clone(),
                currency,
            ))
            .ok(),
        },
    )
    .await?;
    Ok(())
}

fn covers(fund: &scholarship_fund::Model, purpose: ScholarshipPurpose) -> bool {
    serde_json::from_value::<Vec<ScholarshipPurpose>>(fund.covers.clone()).unwrap_or_default().contains(&purpose)
}

/// A person asks (or staff ask for a person) for a scholarship from a fund.
pub async fn request(
    db: &DatabaseConnection,
    caller: &Caller,
    input: NewScholarshipRequest,
) -> AppResult<(scholarship_request::Model, String)> {
    caller.require_person()?;
    let txn = begin_write(db).await?;
    let person_id = match input.person_id {
        Some(p) if p != caller.id => {
            let target =
                person::Entity::find_by_id(p).one(&txn).await?.filter(|t| caller.manages_affiliate(t.affiliate_id));
            target.ok_or_else(|| AppError::NotFound("Person".into()))?.id
        }
        _ => caller.id,
    };
    let someone =
        person::Entity::find_by_id(person_id).one(&txn).await?.ok_or_else(|| AppError::NotFound("Person".into()))?;
    let fund = scholarship_fund::Entity::find_by_id(input.fund_id)
        .one(&txn)
        .await?
        .filter(|f| f.affiliate_id == someone.affiliate_id)
        .ok_or_else(|| AppError::invalid_field("fund_id", "unknown_fund", "not a fund of the person's affiliate"))?;
    // Requests are taken during the fund's period, in the affiliate's calendar; decisions may come later.
    let home = entity::affiliate::Entity::find_by_id(fund.affiliate_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("fund without affiliate"))?;
    let day = crate::platform::clock::today(&home);
    if day < fund.starts_on || day > fund.ends_on {
        return Err(AppError::invalid_field(
            "fund_id",
            "fund_closed",
            format!("this fund takes requests from {} to {}", fund.starts_on, fund.ends_on),
        ));
    }
    if !covers(&fund, input.purpose) {
        return Err(AppError::invalid_field(
            "purpose",
            "not_covered",
            format!("this fund does not cover {}", input.purpose),
        ));
    }
    let amount = check_amount(&input.amount, &fund.currency, false)
        .map_err(|m| AppError::invalid_field("amount", "invalid_amount", m))?;
    if input.invoice_id.is_some() && input.purpose.paid_outside() {
        return Err(AppError::invalid_field(
            "invoice_id",
            "not_invoiced",
            format!("{} is paid outside this service; there is no invoice to name", input.purpose),
        ));
    }
    if let Some(inv) = input.invoice_id {
        let owned = invoice::Entity::find_by_id(inv).one(&txn).await?.is_some_and(|i| i.person_id == person_id);
        if !owned {
            return Err(AppError::invalid_field("invoice_id", "unknown_invoice", "not an invoice of the person"));
        }
    }
    let m = audit::created(
        &txn,
        caller,
        scholarship_request::ActiveModel {
            id: Set(Uuid::now_v7()),
            affiliate_id: Set(fund.affiliate_id),
            fund_id: Set(fund.id),
            person_id: Set(person_id),
            amount_cents: Set(amount),
            purpose: Set(input.purpose),
            statement: Set(input.statement),
            invoice_id: Set(input.invoice_id),
            status: Set(ScholarshipStatus::Pending),
            awarded_cents: Set(0),
            applied_cents: Set(0),
            ..Default::default()
        },
        |m| {
            AuditEntry::new(Some(m.affiliate_id), "scholarship.requested", "scholarship_request", m.id)
                .after(serde_json::json!({"amount_cents": amount, "fund_id": fund.id}))
        },
    )
    .await?;
    log(&txn, &m, &fund.currency).await?;
    txn.commit().await?;
    Ok((m, fund.currency))
}

pub async fn list(
    db: &DatabaseConnection,
    caller: &Caller,
    own: bool,
    status: Option<ScholarshipStatus>,
    page: &PageRequest<Uuid>,
) -> AppResult<Vec<(scholarship_request::Model, String)>> {
    caller.require_person()?;
    let mut q =
        scholarship_request::Entity::find().order_by_asc(scholarship_request::Column::Id).limit(page.fetch_limit());
    if let Some(after) = page.after {
        q = q.filter(scholarship_request::Column::Id.gt(after));
    }
    q = if own {
        q.filter(scholarship_request::Column::PersonId.eq(caller.id))
    } else {
        if !caller.manages_affiliate(caller.affiliate_id) {
            return Err(AppError::Forbidden("Only coordinators see the affiliate's requests.".into()));
        }
        q.filter(scholarship_request::Column::AffiliateId.eq(caller.affiliate_id))
    };
    if let Some(s) = status {
        q = q.filter(scholarship_request::Column::Status.eq(s));
    }
    // One query: each request with its fund (for the currency), through the declared relation.
    let rows = q.find_also_related(scholarship_fund::Entity).all(db).await?;
    Ok(rows.into_iter().map(|(r, fund)| (r, fund.map(|f| f.currency).unwrap_or_default())).collect())
}

/// Credits what is left of approved awards to the person's open invoices of the award's
/// purpose (the one named first). Called on approval and whenever an invoice is created.
pub async fn apply_awards(
    state: &AppState,
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    person_id: Uuid,
) -> AppResult<()> {
    let awards = scholarship_request::Entity::find()
        .filter(scholarship_request::Column::PersonId.eq(person_id))
        .filter(scholarship_request::Column::Status.eq(ScholarshipStatus::Approved))
        .order_by_asc(scholarship_request::Column::Id)
        .all(txn)
        .await?;
    for award in awards.into_iter().filter(|a| a.applied_cents < a.awarded_cents) {
        let Some(purpose) = award.purpose.invoice_purpose() else { continue };
        let mut open = invoice::Entity::find()
            .filter(invoice::Column::PersonId.eq(person_id))
            .filter(invoice::Column::Status.eq(entity::invoice::InvoiceStatus::Open))
            .filter(invoice::Column::Purpose.eq(purpose))
            .order_by_asc(invoice::Column::Id)
            .all(txn)
            .await?;
        if let Some(named) = award.invoice_id {
            open.sort_by_key(|i| i.id != named);
        }
        let mut left = award.awarded_cents - award.applied_cents;
        let mut applied = award.applied_cents;
        for inv in open {
            if left == 0 {
                break;
            }
            let balance =
                inv.total_cents - (inv.paid_cents - inv.refunded_cents) - inv.credited_cents - inv.waived_cents;
            let credit = std::cmp::min(left, balance);
            if credit <= 0 {
                continue;
            }
            let note = EntryNote {
                method: Some(entity::invoice_entry::PaymentMethod::Scholarship),
                reference: Some(format!("scholarship request {}", award.id)),
                reason: None,
            };
            invoices::apply_entry(state, txn, actor, &inv, Entry::Credit(credit), note).await?;
            left -= credit;
            applied += credit;
        }
        if applied != award.applied_cents {
            scholarship_request::Entity::update_many()
                .col_expr(scholarship_request::Column::AppliedCents, Expr::value(applied))
                .col_expr(scholarship_request::Column::Version, Expr::col(scholarship_request::Column::Version).add(1))
                .filter(scholarship_request::Column::Id.eq(award.id))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

/// Approves (in full or in part), denies or waitlists a request. An approval adds the
/// award to the fund only while the budget allows, by one conditional update.
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    input: ScholarshipDecision,
) -> AppResult<(scholarship_request::Model, String)> {
    let txn = begin_write(&state.db).await?;
    let current = scholarship_request::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|r| caller.kind == SubjectKind::Person && caller.manages_affiliate(r.affiliate_id))
        .ok_or_else(|| AppError::NotFound("Scholarship request".into()))?;
    if current.person_id == caller.id {
        return Err(AppError::own_record("decide a scholarship request"));
    }
    let event = match input.decision {
        ScholarshipDecisionKind::Approve => ScholarshipEvent::Approve,
        ScholarshipDecisionKind::Deny => ScholarshipEvent::Deny,
        ScholarshipDecisionKind::Waitlist => ScholarshipEvent::Waitlist,
    };
    let to = scholarship::transition(current.status, event)
        .map_err(|why| AppError::invalid_state("request", current.status, why))?;
    let fund = scholarship_fund::Entity::find_by_id(current.fund_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("fund vanished"))?;
    let actor = caller.actor();
    let mut next: scholarship_request::ActiveModel = current.clone().into();
    next.status = Set(to);
    match input.decision {
        ScholarshipDecisionKind::Approve => {
            let amount = match &input.amount {
                Some(m) => check_amount(m, &fund.currency, false)
                    .map_err(|e| AppError::invalid_field("amount", "invalid_amount", e))?,
                None => current.amount_cents,
            };
            if amount > current.amount_cents {
                return Err(AppError::invalid_field(
                    "amount",
                    "above_request",
                    "an award cannot exceed the amount requested",
                ));
            }
            let added = scholarship_fund::Entity::update_many()
                .col_expr(
                    scholarship_fund::Column::AwardedCents,
                    Expr::col(scholarship_fund::Column::AwardedCents).add(amount),
                )
                .col_expr(scholarship_fund::Column::Version, Expr::col(scholarship_fund::Column::Version).add(1))
                .filter(scholarship_fund::Column::Id.eq(fund.id))
                .filter(
                    Expr::col(scholarship_fund::Column::AwardedCents)
                        .add(amount)
                        .lte(Expr::col(scholarship_fund::Column::BudgetCents)),
                )
                .exec(&txn)
                .await?;
            if added.rows_affected != 1 {
                return Err(AppError::Conflict {
                    code: ProblemCode::BudgetExceeded,
                    detail: "The fund's remaining budget does not cover this award; waitlist it or award less.".into(),
                    current_state: Some(current.status.to_string()),
                });
            }
            next.awarded_cents = Set(amount);
            if current.purpose.paid_outside() {
                // Nothing here will ever be invoiced for it: the award is disbursed as decided.
                next.applied_cents = Set(amount);
            }
        }
        ScholarshipDecisionKind::Deny | ScholarshipDecisionKind::Waitlist => {}
    }
    next.reason = Set(input.reason.clone());
    next.decided_by = Set(Some(caller.id));
    next.decided_at = Set(Some(db::now()));
    let decided = next.update(&txn).await?;
    audit::record(
        &txn,
        &actor,
        AuditEntry::new(Some(decided.affiliate_id), "scholarship.decided", "scholarship_request", decided.id).before(serde_json::json!({"status": current.status})).after(serde_json::json!({"status": decided.status, "awarded_cents": decided.awarded_cents, "reason": input.reason})),
    )
    .await?;
    if decided.status == ScholarshipStatus::Approved {
        apply_awards(state, &txn, &actor, decided.person_id).await?;
    }
    let decided = scholarship_request::Entity::find_by_id(decided.id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("request vanished"))?;
    log(&txn, &decided, &fund.currency).await?;
    if let Some(p) = person::Entity::find_by_id(decided.person_id).one(&txn).await? {
        let l = Locale(p.preferred_language);
        let approved = decided.status == ScholarshipStatus::Approved;
        let status = match decided.status {
            ScholarshipStatus::Pending => l.pick("pending", "pendiente"),
            ScholarshipStatus::Approved => l.pick("approved", "aprobada"),
            ScholarshipStatus::Denied => l.pick("denied", "denegada"),
            ScholarshipStatus::Waitlisted => l.pick("waitlisted", "puesta en lista de espera"),
        };
        let told = Mail::ScholarshipDecision(MailedDecision {
            fund: fund.name.clone(),
            approved,
            status: status.to_string(),
            amount: approved.then(|| l.money(decided.awarded_cents, &fund.currency)),
            paid_outside: approved && decided.purpose.paid_outside(),
            reason: input.reason.clone(),
        });
        mail::to_person(&txn, &p, &told).await?;
    }
    txn.commit().await?;
    Ok((decided, fund.currency))
}
