//! Registration for endorsement: a pending account, the registration-fee invoice, and
//! — once the fee is settled — the temporary login by email that activates the account.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, ExprTrait as _},
};
use uuid::Uuid;

use crate::{
    auth::password,
    db::{self, begin_write},
    domain::people::{AccountStatus, normalize_email},
    dto::registrations::NewRegistration,
    error::{AppError, AppResult},
    services::{
        affiliates,
        audit::{self, Actor, AuditEntry},
        emails::{self, Recipient},
        fees,
        invoices::{self, Line},
        login_tokens::{self, Purpose},
        outbox,
        people_repr::log_person,
        rate_limit,
    },
    state::AppState,
};
use entity::{invoice, person, registration};

const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);

pub async fn register(
    state: &AppState,
    ident: &str,
    input: NewRegistration,
    client: &str,
) -> AppResult<(registration::Model, invoice::Model)> {
    rate_limit::hit(&state.db, &format!("register-ip:{client}"), state.config.registration_rate_limit_per_hour, HOUR)
        .await?;
    let txn = begin_write(&state.db).await?;
    let affiliate = affiliates::find(&txn, ident).await?;
    let now = db::now();
    let email = input.email.trim().to_string();
    let address = input.address.clone().unwrap_or_default();
    let person = person::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate.id),
        email_normalized: Set(normalize_email(&email)),
        email: Set(email),
        given_name: Set(input.given_name.trim().to_string()),
        family_name: Set(input.family_name.trim().to_string()),
        password_hash: Set(None),
        status: Set(AccountStatus::Pending.as_str().into()),
        preferred_language: Set(input.preferred_language.as_str().into()),
        phone: Set(input.phone.clone()),
        address_line1: Set(address.line1),
        address_line2: Set(address.line2),
        city: Set(address.city),
        region: Set(address.region),
        postal_code: Set(address.postal_code),
        country: Set(address.country),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&txn)
    .await
    .map_err(db::conflict_on_unique(
        "email_taken",
        "An account with this email already exists. Sign in, or reset your password.",
    ))?;
    let actor = Actor { kind: "person", id: Some(person.id), request_id: None };
    let reg = registration::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate.id),
        person_id: Set(person.id),
        highest_education: Set(input.highest_education.as_str().into()),
        experience_years: Set(input.years_of_experience),
        work_kinds: Set(serde_json::to_value(&input.work_kinds).map_err(AppError::internal)?),
        rsc_quarter_hours: Set((input.rsc_hours_received * 4.0).round() as i32),
        target_category: Set(input.target_category.clone()),
        invoice_id: Set(None),
        status: Set("awaiting_fee".into()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &actor,
        AuditEntry {
            affiliate_id: Some(affiliate.id),
            action: "person.registered",
            resource_kind: "person",
            resource_id: person.id.to_string(),
            before: None,
            after: Some(serde_json::json!({"email": person.email, "registration_id": reg.id})),
        },
    )
    .await?;
    log_person(&txn, &person).await?;
    let fee = fees::in_force(&txn, affiliate.id, "registration", "", fees::today(&affiliate)).await?;
    let line = Line {
        description: "Endorsement registration fee".into(),
        fee_kind: "registration".into(),
        amount_cents: fee.map(|f| f.amount_cents).unwrap_or(0),
    };
    let inv =
        invoices::create(state, &txn, &actor, &affiliate, person.id, "registration", Some(reg.id), vec![line]).await?;
    registration::Entity::update_many()
        .col_expr(registration::Column::InvoiceId, Expr::value(inv.id))
        .filter(registration::Column::Id.eq(reg.id))
        .exec(&txn)
        .await?;
    let reg = registration::Entity::find_by_id(reg.id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("registration vanished"))?;
    txn.commit().await?;
    Ok((reg, inv))
}

async fn send_temporary_login(state: &AppState, db: &impl ConnectionTrait, person: &person::Model) -> AppResult<()> {
    let affiliate = affiliates::find(db, &person.affiliate_id.to_string()).await?;
    let token = login_tokens::issue(db, person.id, Purpose::Activation, None).await?;
    let name = format!("{} {}", person.given_name, person.family_name);
    let email = emails::temporary_login(
        &Recipient { name: &name, email: &person.email, language: &person.preferred_language },
        &affiliate.name,
        state.config.frontend_base_url.as_str(),
        &token,
    );
    outbox::enqueue_email(db, &email).await?;
    Ok(())
}

/// The registration fee is settled: the temporary login goes out.
pub async fn on_fee_settled(
    state: &AppState,
    db: &impl ConnectionTrait,
    actor: &Actor,
    invoice: &invoice::Model,
) -> AppResult<()> {
    let Some(reg_id) = invoice.subject_id else { return Ok(()) };
    let moved = registration::Entity::update_many()
        .col_expr(registration::Column::Status, Expr::value("fee_settled"))
        .col_expr(registration::Column::UpdatedAt, Expr::value(db::now()))
        .col_expr(registration::Column::Version, Expr::col(registration::Column::Version).add(1))
        .filter(registration::Column::Id.eq(reg_id))
        .filter(registration::Column::Status.eq("awaiting_fee"))
        .exec(db)
        .await?;
    if moved.rows_affected != 1 {
        return Ok(());
    }
    let person = person::Entity::find_by_id(invoice.person_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("person vanished"))?;
    send_temporary_login(state, db, &person).await?;
    audit::record(
        db,
        actor,
        AuditEntry {
            affiliate_id: Some(person.affiliate_id),
            action: "person.temporary_login_sent",
            resource_kind: "person",
            resource_id: person.id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// Sends a new temporary login when the account is still pending and its fee settled.
/// Answers the same whatever the case, so it reveals nothing; rate limited.
pub async fn resend_temporary_login(state: &AppState, email: &str, client: &str) -> AppResult<()> {
    let email = normalize_email(email);
    rate_limit::hit(&state.db, &format!("resend-ip:{client}"), 20, HOUR).await?;
    rate_limit::hit(&state.db, &format!("resend-email:{email}"), 3, HOUR).await?;
    let txn = begin_write(&state.db).await?;
    let person = person::Entity::find().filter(person::Column::EmailNormalized.eq(&email)).one(&txn).await?;
    if let Some(person) = person.filter(|p| p.status == AccountStatus::Pending.as_str()) {
        let reg = registration::Entity::find().filter(registration::Column::PersonId.eq(person.id)).one(&txn).await?;
        if reg.is_some_and(|r| r.status == "fee_settled") {
            send_temporary_login(state, &txn, &person).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Uses the temporary login: sets the password and activates the account.
pub async fn activate(state: &AppState, token: &str, new_password: String) -> AppResult<person::Model> {
    let hash = password::hash(new_password).await?;
    let txn = begin_write(&state.db).await?;
    let used = login_tokens::consume(&txn, token, Purpose::Activation).await?;
    let current = person::Entity::find_by_id(used.person_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("Account".into()))?;
    if current.status != AccountStatus::Pending.as_str() {
        return Err(AppError::Conflict {
            code: "account_not_pending",
            detail: "This account is already active or disabled.".into(),
            current_state: Some(current.status),
        });
    }
    let mut next: person::ActiveModel = current.clone().into();
    next.password_hash = Set(Some(hash));
    next.status = Set(AccountStatus::Active.as_str().into());
    next.updated_at = Set(db::now());
    next.version = Set(current.version + 1);
    let updated = next.update(&txn).await?;
    registration::Entity::update_many()
        .col_expr(registration::Column::Status, Expr::value("activated"))
        .col_expr(registration::Column::Version, Expr::col(registration::Column::Version).add(1))
        .filter(registration::Column::PersonId.eq(updated.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &Actor { kind: "person", id: Some(updated.id), request_id: None },
        AuditEntry {
            affiliate_id: Some(updated.affiliate_id),
            action: "person.activated",
            resource_kind: "person",
            resource_id: updated.id.to_string(),
            before: Some(serde_json::json!({"status": current.status})),
            after: Some(serde_json::json!({"status": updated.status})),
        },
    )
    .await?;
    log_person(&txn, &updated).await?;
    txn.commit().await?;
    Ok(updated)
}
