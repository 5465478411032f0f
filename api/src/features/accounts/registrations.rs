//! Registration for endorsement: a pending account, the registration-fee invoice, and
//! — once the fee is settled — the temporary login by email that activates the account.
use crate::error::ProblemCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, ExprTrait as _},
};
use uuid::Uuid;

use crate::domain::{self, registration::RegistrationEvent};
use crate::{
    auth::password,
    db,
    db::begin_write,
    domain::people::AccountStatus,
    domain::people::normalize_email,
    error::AppError,
    error::AppResult,
    features::accounts::dto::registrations::NewRegistration,
    features::accounts::dto::registrations::Registration,
    features::accounts::login_tokens,
    features::accounts::login_tokens::Purpose,
    features::accounts::people_repr::log_person,
    features::billing::dto::Invoice,
    features::billing::fees,
    features::billing::invoices,
    features::billing::invoices::Line,
    mail::{
        self, Recipient,
        links::Links,
        locale::Locale,
        messages::{JustLink, Mail, RegistrationReceived, WithCode},
    },
    platform::audit,
    platform::audit::Actor,
    platform::audit::AuditEntry,
    platform::outbox,
    platform::rate_limit,
    state::AppState,
};
use entity::{
    affiliate, invoice, person,
    registration::{self, RegistrationStatus},
};
use entity::{sets::ChargeKind, sets::FeeKind};

const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);

/// Registers a person. An email that already has an account (in any affiliate) gets the
/// same answer as a new one — nothing is stored, and the address's owner is emailed
/// instead — so registration never tells whether an account exists.
pub async fn register(state: &AppState, ident: &str, input: NewRegistration, client: &str) -> AppResult<Registration> {
    rate_limit::hit(&state.db, &format!("register-ip:{client}"), state.config.registration_rate_limit_per_hour, HOUR)
        .await?;
    let affiliate = crate::platform::tenancy::find(&state.db, ident).await?;
    match create(state, &affiliate, &input).await {
        Err(AppError::Conflict { code: EMAIL_TAKEN, .. }) => already_registered(state, &affiliate, &input).await,
        Err(e) => Err(e),
        Ok((reg, inv)) => Ok(Registration {
            id: reg.id,
            person_id: reg.person_id,
            affiliate_id: reg.affiliate_id,
            status: reg.status,
            invoice: invoices::load(&state.db, inv).await?,
        }),
    }
}

const EMAIL_TAKEN: ProblemCode = ProblemCode::EmailTaken;

/// The answer a new registration would get (fresh ids, the fee in force), with nothing
/// stored; the existing account's address is told someone tried to register with it.
async fn already_registered(
    state: &AppState,
    affiliate: &affiliate::Model,
    input: &NewRegistration,
) -> AppResult<Registration> {
    let txn = begin_write(&state.db).await?;
    let email = normalize_email(&input.email);
    let fee =
        fees::in_force(&txn, affiliate.id, FeeKind::Registration, "", crate::platform::clock::today(affiliate)).await?;
    let total = fee.map(|f| f.amount_cents).unwrap_or(0);
    if let Some(owner) = person::Entity::find().filter(person::Column::EmailNormalized.eq(&email)).one(&txn).await? {
        let notice = Mail::RegistrationAttempt(JustLink { link: state.links.reset_password(None) });
        mail::to_person(&txn, &owner, &notice).await?;
    }
    txn.commit().await?;
    let now = db::now();
    let invoice = invoice::Model {
        id: Uuid::now_v7(),
        affiliate_id: affiliate.id,
        person_id: Uuid::now_v7(),
        number: invoices::new_number(affiliate)?,
        currency: affiliate.currency.clone(),
        purpose: entity::invoice::InvoicePurpose::Registration,
        subject_id: None,
        total_cents: total,
        paid_cents: 0,
        refunded_cents: 0,
        credited_cents: 0,
        waived_cents: 0,
        status: if total == 0 { entity::invoice::InvoiceStatus::Settled } else { entity::invoice::InvoiceStatus::Open },
        settled_at: (total == 0).then_some(now),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let line = entity::invoice_line::Model {
        id: Uuid::now_v7(),
        invoice_id: invoice.id,
        position: 0,
        description: REGISTRATION_FEE.into(),
        fee_kind: ChargeKind::Registration,
        amount_cents: total,
    };
    Ok(Registration {
        id: Uuid::now_v7(),
        person_id: invoice.person_id,
        affiliate_id: affiliate.id,
        status: if total == 0 { RegistrationStatus::FeeSettled } else { RegistrationStatus::AwaitingFee },
        invoice: Invoice::build(invoice, vec![line], vec![]),
    })
}

const REGISTRATION_FEE: &str = "Endorsement registration fee";

async fn create(
    state: &AppState,
    affiliate: &affiliate::Model,
    input: &NewRegistration,
) -> AppResult<(registration::Model, invoice::Model)> {
    let txn = begin_write(&state.db).await?;
    let email = input.email.trim().to_string();
    let address = input.address.clone().unwrap_or_default();
    let person = person::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate.id),
        email_normalized: Set(normalize_email(&email)),
        email: Set(email),
        given_name: Set(input.given_name.trim().to_string()),
        family_name: Set(input.family_name.trim().to_string()),
        status: Set(AccountStatus::Pending),
        preferred_language: Set(input.preferred_language),
        phone: Set(input.phone.clone()),
        address_line1: Set(address.line1),
        address_line2: Set(address.line2),
        city: Set(address.city),
        region: Set(address.region),
        postal_code: Set(address.postal_code),
        country: Set(address.country),
        created_via: Set(entity::person::AccountOrigin::Registration),
        token_generation: Set(0),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(db::conflict_on_unique(EMAIL_TAKEN, "An account with this email already exists."))?;
    let actor = Actor::person(person.id);
    let reg = registration::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate.id),
        person_id: Set(person.id),
        highest_education: Set(input.highest_education.as_str().into()),
        experience_years: Set(input.years_of_experience),
        work_kinds: Set(serde_json::to_value(&input.work_kinds).map_err(AppError::internal)?),
        rsc_quarter_hours: Set((input.rsc_hours_received * 4.0).round() as i32),
        target_category: Set(input.target_category.clone()),
        status: Set(RegistrationStatus::AwaitingFee),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &actor,
        AuditEntry::new(Some(affiliate.id), "person.registered", "person", person.id)
            .after(serde_json::json!({"email": person.email, "registration_id": reg.id})),
    )
    .await?;
    log_person(&txn, &person).await?;
    let fee =
        fees::in_force(&txn, affiliate.id, FeeKind::Registration, "", crate::platform::clock::today(affiliate)).await?;
    let line = Line {
        description: REGISTRATION_FEE.into(),
        fee_kind: ChargeKind::Registration,
        amount_cents: fee.map(|f| f.amount_cents).unwrap_or(0),
    };
    let inv = invoices::create(
        state,
        &txn,
        &actor,
        affiliate,
        person.id,
        entity::invoice::InvoicePurpose::Registration,
        Some(reg.id),
        vec![line],
    )
    .await?;
    registration::Entity::update_many()
        .col_expr(registration::Column::InvoiceId, Expr::value(inv.id))
        .filter(registration::Column::Id.eq(reg.id))
        .exec(&txn)
        .await?;
    // A fee to pay: say how much and where (a free registration sends the login at once).
    if inv.status == entity::invoice::InvoiceStatus::Open {
        let l = Locale(person.preferred_language);
        let received = Mail::RegistrationReceived(RegistrationReceived {
            fee: l.money(inv.total_cents - inv.paid_cents, &inv.currency),
            invoice_number: inv.number.clone(),
            link: state.links.pay_invoice(inv.id),
        });
        mail::send(&txn, affiliate, &Recipient::person(&person), &received).await?;
    }
    let reg = registration::Entity::find_by_id(reg.id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("registration vanished"))?;
    txn.commit().await?;
    Ok((reg, inv))
}

async fn send_temporary_login(links: &Links, db: &impl ConnectionTrait, person: &person::Model) -> AppResult<()> {
    let token = login_tokens::issue(db, person.id, Purpose::Activation, None).await?;
    let valid_for = Locale(person.preferred_language).pick("7 days", "7 días").to_string();
    let login = Mail::TemporaryLogin(WithCode { link: links.activate(&token), code: token, valid_for });
    mail::to_person(db, person, &login).await
}

/// The registration fee is settled: the temporary login goes out.
pub async fn on_fee_settled(
    state: &AppState,
    db: &impl ConnectionTrait,
    actor: &Actor,
    invoice: &invoice::Model,
) -> AppResult<()> {
    let Some(reg_id) = invoice.subject_id else { return Ok(()) };
    // Conditional on the state it leaves, so the login goes out once whatever the races.
    let from = RegistrationStatus::AwaitingFee;
    let to = domain::registration::transition(from, RegistrationEvent::FeeSettled).map_err(AppError::internal)?;
    let moved = registration::Entity::update_many()
        .col_expr(registration::Column::Status, Expr::value(to))
        .col_expr(registration::Column::UpdatedAt, Expr::value(db::now()))
        .col_expr(registration::Column::Version, Expr::col(registration::Column::Version).add(1))
        .filter(registration::Column::Id.eq(reg_id))
        .filter(registration::Column::Status.eq(from))
        .exec(db)
        .await?;
    if moved.rows_affected != 1 {
        return Ok(());
    }
    let person = person::Entity::find_by_id(invoice.person_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("person vanished"))?;
    send_temporary_login(&state.links, db, &person).await?;
    audit::record(
        db,
        actor,
        AuditEntry::new(Some(person.affiliate_id), "person.temporary_login_sent", "person", person.id),
    )
    .await?;
    Ok(())
}

/// Asks for a new temporary login. Like a password reset, the request does the same
/// work whatever the account (rate limits and one outbox job), so it reveals nothing;
/// the worker sends one when the account is still pending and its fee settled.
pub async fn resend_temporary_login(state: &AppState, email: &str, client: &str) -> AppResult<()> {
    let email = normalize_email(email);
    rate_limit::hit(&state.db, &format!("resend-ip:{client}"), 20, HOUR).await?;
    rate_limit::hit(&state.db, &format!("resend-email:{email}"), 3, HOUR).await?;
    let txn = begin_write(&state.db).await?;
    outbox::enqueue(&txn, outbox::OutboxKind::TemporaryLoginResend, serde_json::json!({ "email": email })).await?;
    txn.commit().await?;
    Ok(())
}

/// The outbox job behind a resend request.
pub async fn send_temporary_login_again(db: &sea_orm::DatabaseConnection, links: &Links, email: &str) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let person = person::Entity::find().filter(person::Column::EmailNormalized.eq(email)).one(&txn).await?;
    if let Some(person) = person.filter(|p| p.status == AccountStatus::Pending) {
        let reg = registration::Entity::find().filter(registration::Column::PersonId.eq(person.id)).one(&txn).await?;
        if reg.is_some_and(|r| r.status == RegistrationStatus::FeeSettled) {
            send_temporary_login(links, &txn, &person).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Uses the temporary login: sets the password and activates the account.
pub async fn activate(state: &AppState, token: &str, new_password: String) -> AppResult<person::Model> {
    let hash = password::hash(new_password.clone()).await?;
    let txn = begin_write(&state.db).await?;
    let used = login_tokens::consume(&txn, token, Purpose::Activation).await?;
    let current = person::Entity::find_by_id(used.person_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("Account".into()))?;
    if current.status != AccountStatus::Pending {
        return Err(AppError::Conflict {
            code: ProblemCode::AccountNotPending,
            detail: "This account is already active or disabled.".into(),
            current_state: Some(current.status.to_string()),
        });
    }
    // Refused here, the code is not spent: the transaction rolls back.
    password::check_personal(&new_password, &current.email, &current.given_name, &current.family_name)
        .map_err(|m| AppError::invalid_field("password", "weak_password", m))?;
    let mut next: person::ActiveModel = current.clone().into();
    next.password_hash = Set(Some(hash));
    next.status = Set(AccountStatus::Active);
    let updated = next.update(&txn).await?;
    let from = RegistrationStatus::FeeSettled;
    let to = domain::registration::transition(from, RegistrationEvent::Activated).map_err(AppError::internal)?;
    registration::Entity::update_many()
        .col_expr(registration::Column::Status, Expr::value(to))
        .col_expr(registration::Column::Version, Expr::col(registration::Column::Version).add(1))
        .filter(registration::Column::PersonId.eq(updated.id))
        .filter(registration::Column::Status.eq(from))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &Actor::person(updated.id),
        AuditEntry::new(Some(updated.affiliate_id), "person.activated", "person", updated.id)
            .before(serde_json::json!({"status": current.status}))
            .after(serde_json::json!({"status": updated.status})),
    )
    .await?;
    log_person(&txn, &updated).await?;
    txn.commit().await?;
    Ok(updated)
}
