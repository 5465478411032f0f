//! Single-use secrets sent by email: the temporary login that activates an account,
//! password resets and email-change confirmations. Only their SHA-256 is stored.
use crate::error::ProblemCode;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::TryRngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

use crate::{db, error::AppError, error::AppResult, features::accounts::sessions::hash_token};
use entity::login_token::{self, Column, Entity as LoginTokens};

pub use entity::login_token::LoginTokenPurpose as Purpose;

/// How long a link stays valid.
pub fn ttl(purpose: Purpose) -> chrono::Duration {
    match purpose {
        Purpose::Activation => chrono::Duration::days(7),
        Purpose::PasswordReset => chrono::Duration::hours(1),
        Purpose::EmailChange => chrono::Duration::hours(24),
    }
}

/// Issues a new secret, retiring any earlier unused one of the same purpose.
pub async fn issue(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    purpose: Purpose,
    new_email: Option<String>,
) -> AppResult<String> {
    let now = db::now();
    LoginTokens::update_many()
        .col_expr(Column::UsedAt, Expr::value(now))
        .filter(Column::PersonId.eq(person_id))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).map_err(AppError::internal)?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    login_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        purpose: Set(purpose),
        token_hash: Set(hash_token(&token)),
        new_email: Set(new_email),
        created_at: Set(now),
        expires_at: Set(now + ttl(purpose)),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Uses a secret once. Unknown, used, expired and wrong-purpose secrets get one answer.
pub async fn consume(db: &impl ConnectionTrait, token: &str, purpose: Purpose) -> AppResult<login_token::Model> {
    let invalid = || {
        AppError::bad_request(
            ProblemCode::InvalidToken,
            "This link or code is not valid: it may have expired or been used already.",
        )
    };
    let now = db::now();
    let row = LoginTokens::find()
        .filter(Column::TokenHash.eq(hash_token(token.trim())))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    if row.used_at.is_some() || row.expires_at <= now {
        return Err(invalid());
    }
    // Conditional, so that two concurrent uses cannot both succeed.
    let used = LoginTokens::update_many()
        .col_expr(Column::UsedAt, Expr::value(now))
        .filter(Column::Id.eq(row.id))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Err(invalid());
    }
    Ok(row)
}
