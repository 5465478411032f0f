//! A person's own account: profile, password, password reset by email, and email change
//! confirmed from the new address. Everything audited.
use crate::error::ProblemCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, sea_query::Expr};

use crate::{
    auth::Caller,
    auth::password,
    db,
    db::begin_write,
    domain::people::AccountStatus,
    domain::people::normalize_email,
    error::AppError,
    error::AppResult,
    features::accounts::dto::people::EmailChange,
    features::accounts::dto::people::MembershipStanding,
    features::accounts::dto::people::MembershipSummary,
    features::accounts::dto::people::PasswordChange,
    features::accounts::dto::people::Person,
    features::accounts::dto::people::Profile,
    features::accounts::dto::people::ProfilePatch,
    features::accounts::login_tokens,
    features::accounts::login_tokens::Purpose,
    features::accounts::people::roles_of,
    features::accounts::people_repr::log_person,
    features::memberships::service as memberships,
    http::etag::Precondition,
    mail::{
        self, Recipient,
        links::Links,
        locale::Locale,
        messages::{EmailChanged, JustLink, Mail, WithCode},
    },
    platform::audit,
    platform::audit::Actor,
    platform::audit::AuditEntry,
    platform::clock::today,
    platform::outbox,
    platform::rate_limit,
    state::AppState,
};
use entity::{person, refresh_token};

const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);

async fn me_model(db: &DatabaseConnection, caller: &Caller) -> AppResult<person::Model> {
    caller.require_person()?;
    person::Entity::find_by_id(caller.id).one(db).await?.ok_or_else(|| AppError::NotFound("Your account".into()))
}

pub async fn profile_of(db: &DatabaseConnection, p: person::Model) -> AppResult<Profile> {
    let affiliate = crate::platform::tenancy::find(db, &p.affiliate_id.to_string()).await?;
    let day = today(&affiliate);
    let covering = memberships::covering(db, &p, day).await?;
    let membership = match covering.membership {
        Some(m) => MembershipSummary {
            status: m.status.into(),
            ends_on: m.ends_on,
            qualifies_for_endorsement: covering.qualifies_for_endorsement,
        },
        None => {
            let history = memberships::describe(
                db,
                entity::membership::Entity::find()
                    .filter(entity::membership::Column::PersonId.eq(p.id))
                    .all(db)
                    .await?,
            )
            .await?;
            let latest = history.into_iter().max_by_key(|m| m.ends_on.unwrap_or(chrono::NaiveDate::MIN));
            match latest {
                Some(m) => {
                    MembershipSummary { status: m.status.into(), ends_on: m.ends_on, qualifies_for_endorsement: false }
                }
                None => MembershipSummary {
                    status: MembershipStanding::None,
                    ends_on: None,
                    qualifies_for_endorsement: false,
                },
            }
        }
    };
    Ok(Profile { roles: roles_of(db, p.id).await?, person: Person::from(p), membership })
}

pub async fn profile(db: &DatabaseConnection, caller: &Caller) -> AppResult<Profile> {
    let p = me_model(db, caller).await?;
    profile_of(db, p).await
}

pub async fn update_profile(
    db: &DatabaseConnection,
    caller: &Caller,
    precondition: &Precondition,
    patch: ProfilePatch,
) -> AppResult<Profile> {
    caller.require_person()?;
    let txn = begin_write(db).await?;
    let current = person::Entity::find_by_id(caller.id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("Your account".into()))?;
    let expected = precondition.check(current.version)?;
    let mut next: person::ActiveModel = current.clone().into();
    if let Some(v) = patch.given_name {
        next.given_name = Set(v.trim().to_string());
    }
    if let Some(v) = patch.family_name {
        next.family_name = Set(v.trim().to_string());
    }
    if let Some(v) = patch.preferred_language {
        next.preferred_language = Set(v);
    }
    if let Some(v) = patch.phone {
        next.phone = Set(v);
    }
    if let Some(a) = patch.address {
        next.address_line1 = Set(a.line1);
        next.address_line2 = Set(a.line2);
        next.city = Set(a.city);
        next.region = Set(a.region);
        next.postal_code = Set(a.postal_code);
        next.country = Set(a.country);
    }
    if let Some(v) = patch.reminders {
        next.reminders_enabled = Set(v);
    }
    if let Some(v) = patch.reminder_email {
        next.reminder_email = Set(v.map(|e| e.trim().to_string()));
    }
    // A compare-and-set on the version read: `update_many` bypasses `before_save`.
    next.version = Set(expected + 1);
    next.updated_at = Set(db::now());
    let result = person::Entity::update_many()
        .set(next)
        .filter(person::Column::Id.eq(current.id))
        .filter(person::Column::Version.eq(expected))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        let current = person::Entity::find_by_id(current.id).one(&txn).await?.map(|p| p.version);
        return Err(AppError::PreconditionFailed { current });
    }
    let updated =
        person::Entity::find_by_id(current.id).one(&txn).await?.ok_or_else(|| AppError::internal("person vanished"))?;
    audit::by(
        &txn,
        caller,
        AuditEntry::new(Some(current.affiliate_id), "person.profile_updated", "person", current.id)
            .before_opt(serde_json::to_value(Person::from(current)).ok())
            .after_opt(serde_json::to_value(Person::from(updated.clone())).ok()),
    )
    .await?;
    log_person(&txn, &updated).await?;
    txn.commit().await?;
    profile_of(db, updated).await
}

async fn revoke_sessions(db: &impl sea_orm::ConnectionTrait, person_id: uuid::Uuid) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(db::now()))
        .filter(refresh_token::Column::PersonId.eq(person_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

async fn set_password(
    db: &impl sea_orm::ConnectionTrait,
    current: &person::Model,
    hash: String,
) -> AppResult<person::Model> {
    let mut next: person::ActiveModel = current.clone().into();
    next.password_hash = Set(Some(hash));
    // Every session ends: refresh tokens are revoked and access tokens of older generations refused.
    next.token_generation = Set(current.token_generation + 1);
    let updated = next.update(db).await?;
    revoke_sessions(db, current.id).await?;
    Ok(updated)
}

/// Changes the password (the current one is required); every session is signed out.
pub async fn change_password(db: &DatabaseConnection, caller: &Caller, input: PasswordChange) -> AppResult<()> {
    let current = me_model(db, caller).await?;
    rate_limit::hit(db, &format!("password-change:{}", current.id), 10, HOUR).await?;
    if !password::verify(input.current_password, current.password_hash.clone()).await? {
        return Err(AppError::invalid_field("current_password", "wrong_password", "is not your current password"));
    }
    password::check_personal(&input.new_password, &current.email, &current.given_name, &current.family_name)
        .map_err(|m| AppError::invalid_field("new_password", "weak_password", m))?;
    let hash = password::hash(input.new_password).await?;
    let txn = begin_write(db).await?;
    let updated = set_password(&txn, &current, hash).await?;
    audit::by(&txn, caller, entry(&updated, "person.password_changed")).await?;
    txn.commit().await?;
    Ok(())
}

fn entry(p: &person::Model, action: &'static str) -> AuditEntry<'static> {
    AuditEntry {
        affiliate_id: Some(p.affiliate_id),
        action,
        resource_kind: "person",
        resource_id: p.id.to_string(),
        before: None,
        after: None,
    }
}

/// Asks for a reset link. The request does the same work whether or not the account
/// exists (rate limits and one outbox job), so neither the answer nor its timing tells;
/// the outbox worker looks the account up and emails an active one (`send_password_reset`).
pub async fn request_password_reset(state: &AppState, email: &str, client: &str) -> AppResult<()> {
    let email = normalize_email(email);
    rate_limit::hit(&state.db, &format!("reset-ip:{client}"), 20, HOUR).await?;
    rate_limit::hit(&state.db, &format!("reset-email:{email}"), 3, HOUR).await?;
    let txn = begin_write(&state.db).await?;
    outbox::enqueue(&txn, outbox::OutboxKind::PasswordReset, serde_json::json!({ "email": email })).await?;
    txn.commit().await?;
    Ok(())
}

/// The outbox job behind a reset request: a single-use link for an active account.
pub async fn send_password_reset(db: &DatabaseConnection, links: &Links, email: &str) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let found = person::Entity::find().filter(person::Column::EmailNormalized.eq(email)).one(&txn).await?;
    if let Some(p) = found.filter(|p| p.status == AccountStatus::Active) {
        let token = login_tokens::issue(&txn, p.id, Purpose::PasswordReset, None).await?;
        let valid_for = Locale(p.preferred_language).pick("1 hour", "1 hora").to_string();
        let link = links.reset_password(Some(&token));
        mail::to_person(&txn, &p, &Mail::PasswordReset(WithCode { link, code: token, valid_for })).await?;
        audit::record(&txn, &Actor::person(p.id), entry(&p, "person.password_reset_requested")).await?;
    }
    txn.commit().await?;
    Ok(())
}

pub async fn confirm_password_reset(state: &AppState, token: &str, new_password: String) -> AppResult<()> {
    let hash = password::hash(new_password.clone()).await?;
    let txn = begin_write(&state.db).await?;
    let used = login_tokens::consume(&txn, token, Purpose::PasswordReset).await?;
    let current = person::Entity::find_by_id(used.person_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("Account".into()))?;
    if current.status != AccountStatus::Active {
        return Err(AppError::bad_request(
            ProblemCode::InvalidToken,
            "This link or code is not valid: it may have expired or been used already.",
        ));
    }
    // Refused here, the code is not spent: the transaction rolls back.
    password::check_personal(&new_password, &current.email, &current.given_name, &current.family_name)
        .map_err(|m| AppError::invalid_field("password", "weak_password", m))?;
    let updated = set_password(&txn, &current, hash).await?;
    audit::record(&txn, &Actor::person(updated.id), entry(&updated, "person.password_reset")).await?;
    txn.commit().await?;
    Ok(())
}

/// Starts an email change: a confirmation link goes to the new address.
pub async fn request_email_change(state: &AppState, caller: &Caller, input: EmailChange) -> AppResult<()> {
    let current = me_model(&state.db, caller).await?;
    rate_limit::hit(&state.db, &format!("email-change:{}", current.id), 5, HOUR).await?;
    if !password::verify(input.current_password, current.password_hash.clone()).await? {
        return Err(AppError::invalid_field("current_password", "wrong_password", "is not your current password"));
    }
    let new_email = input.new_email.trim().to_string();
    let txn = begin_write(&state.db).await?;
    let taken = person::Entity::find()
        .filter(person::Column::EmailNormalized.eq(normalize_email(&new_email)))
        .one(&txn)
        .await?;
    let recipient = Recipient::person(&current).at(&new_email);
    // The answer is the same either way; only the new address learns that it has an account.
    let message = if taken.is_some() {
        Mail::AddressHasAccount(JustLink { link: state.links.reset_password(None) })
    } else {
        let token = login_tokens::issue(&txn, current.id, Purpose::EmailChange, Some(new_email.clone())).await?;
        let valid_for = Locale(current.preferred_language).pick("24 hours", "24 horas").to_string();
        Mail::ConfirmEmailChange(WithCode { link: state.links.confirm_email(&token), code: token, valid_for })
    };
    let affiliate = crate::platform::tenancy::find(&txn, &current.affiliate_id.to_string()).await?;
    mail::send(&txn, &affiliate, &recipient, &message).await?;
    audit::by(&txn, caller, entry(&current, "person.email_change_requested")).await?;
    txn.commit().await?;
    Ok(())
}

/// Confirms an email change from the link sent to the new address; the old address is told.
pub async fn confirm_email_change(state: &AppState, token: &str) -> AppResult<Person> {
    let txn = begin_write(&state.db).await?;
    let used = login_tokens::consume(&txn, token, Purpose::EmailChange).await?;
    let current = person::Entity::find_by_id(used.person_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("Account".into()))?;
    let new_email =
        used.new_email.clone().ok_or_else(|| AppError::internal("email-change token without an address"))?;
    let mut next: person::ActiveModel = current.clone().into();
    next.email = Set(new_email.clone());
    next.email_normalized = Set(normalize_email(&new_email));
    let updated = next
        .update(&txn)
        .await
        .map_err(db::conflict_on_unique(ProblemCode::EmailTaken, "An account with this email already exists."))?;
    let affiliate = crate::platform::tenancy::find(&txn, &current.affiliate_id.to_string()).await?;
    let notice = Mail::EmailChanged(EmailChanged { new_email: new_email.clone() });
    mail::send(&txn, &affiliate, &Recipient::person(&current), &notice).await?;
    audit::record(
        &txn,
        &Actor::person(current.id),
        AuditEntry::new(Some(current.affiliate_id), "person.email_changed", "person", current.id)
            .before(serde_json::json!({"email": current.email}))
            .after(serde_json::json!({"email": updated.email})),
    )
    .await?;
    log_person(&txn, &updated).await?;
    txn.commit().await?;
    Ok(Person::from(updated))
}
