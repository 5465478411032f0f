//! Sign-in sessions: password grant, rotating refresh tokens with reuse detection,
//! and revocation.
use crate::error::ProblemCode;
use rand::TryRngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    auth::password, auth::tokens, db, db::begin_write, domain::people::normalize_email, error::AppError,
    error::AppResult, features::accounts::people::roles_of, platform::audit, platform::audit::Actor,
    platform::audit::AuditEntry, platform::rate_limit, state::AppState,
};
use entity::{person, refresh_token};

pub struct TokenPair {
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: String,
}

fn invalid_grant(detail: &str) -> AppError {
    AppError::BadRequest { code: ProblemCode::InvalidGrant, detail: detail.to_string(), errors: Vec::new() }
}

pub fn hash_token(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

fn new_refresh_token() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).map_err(AppError::internal)?;
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    Ok(format!("rt_{}", URL_SAFE_NO_PAD.encode(bytes)))
}

async fn issue_pair(
    state: &AppState,
    db: &impl ConnectionTrait,
    person: &person::Model,
    family_id: Uuid,
) -> AppResult<TokenPair> {
    let roles = roles_of(db, person.id).await?;
    let subject = tokens::Subject {
        kind: crate::auth::SubjectKind::Person,
        id: person.id,
        affiliate: person.affiliate_id,
        roles,
        scope: None,
        generation: person.token_generation,
    };
    let access = tokens::issue(&state.keys, &state.token_settings, subject).map_err(AppError::internal)?;
    let refresh = new_refresh_token()?;
    let now = db::now();
    let ttl = chrono::Duration::from_std(state.config.refresh_token_ttl).map_err(AppError::internal)?;
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        family_id: Set(family_id),
        person_id: Set(person.id),
        token_hash: Set(hash_token(&refresh)),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(TokenPair { access_token: access.token, expires_in: access.expires_in, refresh_token: refresh })
}

/// Email + password. Rate limited per account and per client address; the answer for
/// an unknown email, a wrong password or an inactive account is the same.
pub async fn login(state: &AppState, username: &str, pass: String, client: &str) -> AppResult<TokenPair> {
    let email = normalize_email(username);
    let per_minute = state.config.login_rate_limit_per_minute;
    let minute = std::time::Duration::from_secs(60);
    rate_limit::hit(&state.db, &format!("login-ip:{client}"), per_minute.saturating_mul(5), minute).await?;
    rate_limit::hit(&state.db, &format!("login-email:{email}"), per_minute, minute).await?;

    let found = person::Entity::find().filter(person::Column::EmailNormalized.eq(&email)).one(&state.db).await?;
    let stored = found.as_ref().and_then(|p| p.password_hash.clone());
    let ok = password::verify(pass, stored).await?;
    let person = match found {
        Some(p) if ok && crate::domain::people::may_sign_in(p.status) => p,
        _ => return Err(invalid_grant("The email or password is not right, or the account is not active.")),
    };
    let txn = begin_write(&state.db).await?;
    let pair = issue_pair(state, &txn, &person, Uuid::now_v7()).await?;
    // A person who signed in has claimed the account: partner sync no longer changes it.
    person::Entity::update_many()
        .col_expr(person::Column::LastSignedInAt, Expr::value(db::now()))
        .filter(person::Column::Id.eq(person.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &Actor::person(person.id),
        AuditEntry::new(Some(person.affiliate_id), "session.signed_in", "person", person.id),
    )
    .await?;
    txn.commit().await?;
    Ok(pair)
}

/// Rotates a refresh token. Presenting one that was already used (or revoked) means it
/// leaked: the whole family is revoked and the holder must sign in again.
pub async fn refresh(state: &AppState, token: &str) -> AppResult<TokenPair> {
    let txn = begin_write(&state.db).await?;
    let now = db::now();
    let Some(row) =
        refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(hash_token(token))).one(&txn).await?
    else {
        return Err(invalid_grant("The refresh token is not valid."));
    };
    if row.revoked_at.is_some() {
        return Err(invalid_grant("The refresh token has been revoked; sign in again."));
    }
    if row.used_at.is_some() {
        revoke_family(&txn, row.family_id).await?;
        audit::record(
            &txn,
            &Actor::system(),
            AuditEntry::new(None, "session.refresh_token_reused", "person", row.person_id)
                .after(serde_json::json!({ "family_id": row.family_id })),
        )
        .await?;
        txn.commit().await?;
        return Err(invalid_grant("The refresh token was already used; every session of this sign-in is revoked."));
    }
    if row.expires_at <= now {
        return Err(invalid_grant("The refresh token has expired."));
    }
    let used = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if used.rows_affected == 0 {
        return Err(invalid_grant("The refresh token was already used."));
    }
    let person = person::Entity::find_by_id(row.person_id).one(&txn).await?;
    let person = match person {
        Some(p) if crate::domain::people::may_sign_in(p.status) => p,
        _ => {
            revoke_family(&txn, row.family_id).await?;
            txn.commit().await?;
            return Err(invalid_grant("The account is not active."));
        }
    };
    let pair = issue_pair(state, &txn, &person, row.family_id).await?;
    txn.commit().await?;
    Ok(pair)
}

async fn revoke_family(db: &impl ConnectionTrait, family_id: Uuid) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(db::now()))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Signs out: revokes the token's whole family. Unknown tokens are not an error (RFC 7009).
pub async fn revoke(state: &AppState, token: &str) -> AppResult<()> {
    let txn = begin_write(&state.db).await?;
    if let Some(row) =
        refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(hash_token(token))).one(&txn).await?
    {
        revoke_family(&txn, row.family_id).await?;
    }
    txn.commit().await?;
    Ok(())
}
