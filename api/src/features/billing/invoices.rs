//! Invoices: created by the use-cases that incur them, settled by payments, credits
//! and waivers recorded by coordinators. Settlement fires what waited for it exactly
//! once: the transition happens under a row lock, in the same transaction as its effects.
use crate::error::ProblemCode;
use base64::Engine;
use rand::TryRngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, ModelTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::domain::{self, invoice::InvoiceEvent};
use crate::features::billing::effects::InvoiceContext;
use crate::{
    auth::Caller, db, db::begin_write, domain::money::Entry, domain::money::Ledger, domain::money::check_amount,
    error::AppError, error::AppResult, features::billing::dto::EntryKind, features::billing::dto::Invoice,
    features::billing::dto::NewEntry, http::pagination::PageRequest, platform::audit, platform::audit::Actor,
    platform::audit::AuditEntry, platform::change_log as changes, platform::change_log::Change,
    platform::change_log::Operation, state::AppState,
};
use entity::sets::RecordKind;
use entity::{
    affiliate,
    invoice::{self, InvoicePurpose, InvoiceStatus},
    invoice_entry::{self, InvoiceEntryKind, PaymentMethod},
    invoice_line,
};

pub const RESOURCE: &str = "invoice";

pub struct Line {
    pub description: String,
    pub fee_kind: entity::sets::ChargeKind,
    pub amount_cents: i64,
}

/// A fresh invoice number: the affiliate, the year and a random part (never sequential).
pub fn new_number(affiliate: &affiliate::Model) -> AppResult<String> {
    let mut bytes = [0u8; 5];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).map_err(AppError::internal)?;
    let suffix = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes).to_uppercase().replace(['-', '_'], "X");
    Ok(format!("{}-{}-{suffix}", affiliate.code.to_uppercase(), db::now().format("%Y")))
}

pub async fn load(db: &impl ConnectionTrait, model: invoice::Model) -> AppResult<Invoice> {
    let lines = model.find_related(invoice_line::Entity).order_by_asc(invoice_line::Column::Position).all(db).await?;
    let entries = model.find_related(invoice_entry::Entity).order_by_asc(invoice_entry::Column::Id).all(db).await?;
    Ok(Invoice::build(model, lines, entries))
}

async fn log_change(db: &impl ConnectionTrait, model: &invoice::Model) -> AppResult<()> {
    let representation = serde_json::to_value(load(db, model.clone()).await?).map_err(AppError::internal)?;
    changes::append(
        db,
        Change {
            affiliate_id: model.affiliate_id,
            kind: RecordKind::Invoice,
            record_id: model.id,
            external_id: None,
            version: model.version,
            operation: Operation::Upsert,
            representation: Some(representation),
        },
    )
    .await?;
    Ok(())
}

/// Creates an invoice in the caller's transaction. A zero total is settled at once, and
/// what waits for it happens at once too.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    state: &AppState,
    txn: &DatabaseTransaction,
    actor: &Actor,
    affiliate: &affiliate::Model,
    person_id: Uuid,
    purpose: InvoicePurpose,
    subject_id: Option<Uuid>,
    lines: Vec<Line>,
) -> AppResult<invoice::Model> {
    let now = db::now();
    let total: i64 = lines.iter().map(|l| l.amount_cents).sum();
    let settled = total == 0;
    let model = invoice::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate.id),
        person_id: Set(person_id),
        number: Set(new_number(affiliate)?),
        currency: Set(affiliate.currency.clone()),
        purpose: Set(purpose),
        subject_id: Set(subject_id),
        total_cents: Set(total),
        paid_cents: Set(0),
        refunded_cents: Set(0),
        credited_cents: Set(0),
        waived_cents: Set(0),
        status: Set(if settled { InvoiceStatus::Settled } else { InvoiceStatus::Open }),
        settled_at: Set(settled.then_some(now)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for (i, line) in lines.into_iter().enumerate() {
        invoice_line::ActiveModel {
            id: Set(Uuid::now_v7()),
            invoice_id: Set(model.id),
            position: Set(i as i32),
            description: Set(line.description),
            fee_kind: Set(line.fee_kind),
            amount_cents: Set(line.amount_cents),
        }
        .insert(txn)
        .await?;
    }
    audit::record(
        txn,
        actor,
        AuditEntry::new(Some(affiliate.id), "invoice.created", RESOURCE, model.id)
            .after(serde_json::json!({"number": model.number, "purpose": purpose, "total_cents": total})),
    )
    .await?;
    log_change(txn, &model).await?;
    if settled {
        state.invoice_effects.settled(InvoiceContext { state, txn, actor, invoice: &model }).await?;
    } else {
        // An approved scholarship waiting for this kind of invoice is credited now.
        state.invoice_effects.created(InvoiceContext { state, txn, actor, invoice: &model }).await?;
    }
    let model =
        invoice::Entity::find_by_id(model.id).one(txn).await?.ok_or_else(|| AppError::internal("invoice vanished"))?;
    Ok(model)
}

/// Finds an invoice the caller may see (its owner, the affiliate's staff, or a client
/// with `invoices:read`); anything else is 404.
pub async fn get(db: &impl ConnectionTrait, caller: &Caller, id: Uuid) -> AppResult<invoice::Model> {
    let found = invoice::Entity::find_by_id(id).one(db).await?;
    let visible = found.filter(|i| match caller.kind {
        crate::auth::SubjectKind::Client => {
            i.affiliate_id == caller.affiliate_id && caller.has_scope(crate::domain::scopes::Scope::InvoicesRead)
        }
        crate::auth::SubjectKind::Person => i.person_id == caller.id || caller.manages_affiliate(i.affiliate_id),
    });
    visible.ok_or_else(|| AppError::NotFound("Invoice".into()))
}

/// A person's own invoices, or (staff) the affiliate's.
pub async fn list(
    db: &DatabaseConnection,
    caller: &Caller,
    own_only: bool,
    person: Option<Uuid>,
    status: Option<InvoiceStatus>,
    page: &PageRequest<Uuid>,
) -> AppResult<Vec<invoice::Model>> {
    let mut query = invoice::Entity::find().order_by_asc(invoice::Column::Id).limit(page.fetch_limit());
    if own_only {
        caller.require_person()?;
        query = query.filter(invoice::Column::PersonId.eq(caller.id));
    } else {
        caller.require_staff_or_scope(caller.affiliate_id, crate::domain::scopes::Scope::InvoicesRead)?;
        query = query.filter(invoice::Column::AffiliateId.eq(caller.affiliate_id));
        if let Some(p) = person {
            query = query.filter(invoice::Column::PersonId.eq(p));
        }
    }
    if let Some(s) = status {
        query = query.filter(invoice::Column::Status.eq(s));
    }
    if let Some(after) = page.after {
        query = query.filter(invoice::Column::Id.gt(after));
    }
    Ok(query.all(db).await?)
}

/// Records a payment, refund or waiver; settles the invoice when it is covered.
pub async fn record_entry(state: &AppState, caller: &Caller, id: Uuid, input: NewEntry) -> AppResult<invoice::Model> {
    let txn = begin_write(&state.db).await?;
    // Locked, so that concurrent entries are applied one after the other.
    let current = invoice::Entity::find_by_id(id).lock_exclusive().one(&txn).await?;
    let current = current
        .filter(|i| caller.can_see(i.affiliate_id, None) || i.person_id == caller.id)
        .ok_or_else(|| AppError::NotFound("Invoice".into()))?;
    caller.require_staff_or_scope(current.affiliate_id, crate::domain::scopes::Scope::PaymentsWrite)?;
    if caller.kind == crate::auth::SubjectKind::Person && current.person_id == caller.id {
        return Err(AppError::own_record("record a payment, refund or waiver"));
    }
    let amount = check_amount(&input.amount, &current.currency, false)
        .map_err(|m| AppError::invalid_field("amount", "invalid_amount", m))?;
    let entry = match input.kind {
        EntryKind::Payment => Entry::Payment(amount),
        EntryKind::Refund => Entry::Refund(amount),
        EntryKind::Waiver => Entry::Waiver(amount),
    };
    let note = EntryNote { method: input.method, reference: input.reference, reason: input.reason };
    let updated = apply_entry(state, &txn, &caller.actor(), &current, entry, note).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Who recorded an entry and why.
pub struct EntryNote {
    pub method: Option<PaymentMethod>,
    pub reference: Option<String>,
    pub reason: Option<String>,
}

/// Applies one ledger entry to an invoice the caller's transaction holds locked: the
/// figures, the entry row, the audit and change logs, and — when this entry settles it —
/// what waited for the settlement.
pub async fn apply_entry(
    state: &AppState,
    txn: &DatabaseTransaction,
    actor: &Actor,
    current: &invoice::Model,
    entry: Entry,
    note: EntryNote,
) -> AppResult<invoice::Model> {
    let ledger = Ledger {
        total: current.total_cents,
        paid: current.paid_cents,
        refunded: current.refunded_cents,
        credited: current.credited_cents,
        waived: current.waived_cents,
    };
    // The lifecycle decides first: a void invoice takes nothing (409 naming its state).
    let void = domain::invoice::transition(current.status, InvoiceEvent::Entry { covered: false });
    if let Err(why) = void {
        return Err(AppError::Conflict {
            code: ProblemCode::InvoiceVoid,
            detail: format!("This invoice is void: {why}."),
            current_state: Some("void".into()),
        });
    }
    let (kind, action, amount) = match entry {
        Entry::Payment(a) => (InvoiceEntryKind::Payment, "invoice.payment_recorded", a),
        Entry::Refund(a) => (InvoiceEntryKind::Refund, "invoice.refund_recorded", a),
        Entry::Waiver(a) => (InvoiceEntryKind::Waiver, "invoice.waived", a),
        Entry::Credit(a) => (InvoiceEntryKind::Credit, "invoice.credited", a),
    };
    let next = ledger.apply(entry).map_err(|m| {
        let code = if kind == InvoiceEntryKind::Refund { "refund_exceeds_payments" } else { "exceeds_balance" };
        AppError::invalid_field("amount", code, m)
    })?;
    let now = db::now();
    let status = domain::invoice::transition(current.status, InvoiceEvent::Entry { covered: next.is_settled() })
        .map_err(AppError::internal)?;
    let newly_settled = status != current.status && status == InvoiceStatus::Settled;
    let mut updated = current.clone();
    updated.paid_cents = next.paid;
    updated.refunded_cents = next.refunded;
    updated.waived_cents = next.waived;
    updated.credited_cents = next.credited;
    updated.version += 1;
    updated.updated_at = now;
    if newly_settled {
        updated.status = status;
        updated.settled_at = Some(now);
    }
    let result = invoice::Entity::update_many()
        .col_expr(invoice::Column::PaidCents, Expr::value(updated.paid_cents))
        .col_expr(invoice::Column::RefundedCents, Expr::value(updated.refunded_cents))
        .col_expr(invoice::Column::WaivedCents, Expr::value(updated.waived_cents))
        .col_expr(invoice::Column::CreditedCents, Expr::value(updated.credited_cents))
        .col_expr(invoice::Column::Status, Expr::value(updated.status))
        .col_expr(invoice::Column::SettledAt, Expr::value(updated.settled_at))
        .col_expr(invoice::Column::UpdatedAt, Expr::value(now))
        .col_expr(invoice::Column::Version, Expr::value(updated.version))
        .filter(invoice::Column::Id.eq(current.id))
        .filter(invoice::Column::Version.eq(current.version))
        .exec(txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(AppError::conflict(ProblemCode::ConcurrentUpdate, "The invoice changed at the same time; retry."));
    }
    invoice_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        invoice_id: Set(current.id),
        affiliate_id: Set(current.affiliate_id),
        kind: Set(kind),
        method: Set(note.method),
        amount_cents: Set(amount),
        reference: Set(note.reference.clone()),
        reason: Set(note.reason.clone()),
        recorded_by_kind: Set(actor.kind),
        recorded_by: Set(actor.id),
        recorded_at: Set(now),
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        actor,
        AuditEntry {
            affiliate_id: Some(current.affiliate_id),
            action,
            resource_kind: RESOURCE,
            resource_id: current.id.to_string(),
            before: Some(serde_json::json!({"status": current.status, "balance_cents": ledger.balance()})),
            after: Some(serde_json::json!({
                "status": updated.status, "balance_cents": next.balance(),
                "amount_cents": amount, "reference": note.reference, "reason": note.reason,
            })),
        },
    )
    .await?;
    log_change(txn, &updated).await?;
    if newly_settled {
        state.invoice_effects.settled(InvoiceContext { state, txn, actor, invoice: &updated }).await?;
    }
    Ok(updated)
}
