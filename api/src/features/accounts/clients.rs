//! Machine clients: OAuth 2.0 client-credentials for partner systems and scripts, scoped
//! to one affiliate. Secrets are random, shown once, and stored as SHA-256 hashes.
use crate::error::ProblemCode;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::TryRngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::{
    auth::Caller, auth::tokens, db, db::begin_write, domain::scopes, error::AppError, error::AppResult,
    features::accounts::dto::clients::NewClient, features::accounts::dto::clients::RotateSecret,
    features::accounts::sessions::TokenPair, features::accounts::sessions::hash_token, http::etag::Precondition,
    http::pagination::PageRequest, platform::audit, platform::audit::Actor, platform::audit::AuditEntry,
    platform::rate_limit, state::AppState,
};
use entity::machine_client::{self, Column, Entity as Clients};

fn random(prefix: &str, bytes: usize) -> AppResult<String> {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.try_fill_bytes(&mut buf).map_err(AppError::internal)?;
    Ok(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(buf)))
}

fn audit_entry(m: &machine_client::Model, action: &'static str) -> AuditEntry<'static> {
    AuditEntry {
        affiliate_id: Some(m.affiliate_id),
        action,
        resource_kind: "machine_client",
        resource_id: m.id.to_string(),
        before: None,
        after: Some(serde_json::json!({"client_id": m.client_id, "name": m.name, "scopes": m.scopes})),
    }
}

/// Creates a client of an affiliate; returns it with its secret (shown once).
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    affiliate_ident: &str,
    caller: Option<&Caller>,
    input: NewClient,
) -> AppResult<(machine_client::Model, String)> {
    let txn = begin_write(db).await?;
    let affiliate = crate::platform::tenancy::find(&txn, affiliate_ident).await?;
    if let Some(c) = caller
        && !c.manages_affiliate(affiliate.id)
    {
        return Err(AppError::Forbidden("Only the affiliate's coordinators or an admin create its clients.".into()));
    }
    let mut scope_list = input.scopes.clone();
    scopes::normalise(&mut scope_list);
    let secret = random("cs_", 32)?;
    let model = machine_client::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate.id),
        name: Set(input.name.trim().to_string()),
        client_id: Set(random(&format!("{}_", affiliate.code), 12)?),
        secret_hash: Set(hash_token(&secret)),
        scopes: Set(scopes::join(&scope_list)),
        created_by: Set(caller.map(|c| c.id)),
        token_generation: Set(0),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, actor, audit_entry(&model, "machine_client.created")).await?;
    txn.commit().await?;
    Ok((model, secret))
}

/// A page of the affiliate's clients, oldest first.
pub async fn list(
    db: &DatabaseConnection,
    caller: &Caller,
    page: &PageRequest<Uuid>,
) -> AppResult<Vec<machine_client::Model>> {
    caller.require_person()?;
    if !caller.manages_affiliate(caller.affiliate_id) {
        return Err(AppError::Forbidden("Only coordinators see the affiliate's clients.".into()));
    }
    let mut query = Clients::find()
        .filter(Column::AffiliateId.eq(caller.affiliate_id))
        .order_by_asc(Column::Id)
        .limit(page.fetch_limit());
    if let Some(after) = page.after {
        query = query.filter(Column::Id.gt(after));
    }
    Ok(query.all(db).await?)
}

pub async fn get(db: &impl sea_orm::ConnectionTrait, caller: &Caller, id: Uuid) -> AppResult<machine_client::Model> {
    caller.require_person()?;
    Clients::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| caller.manages_affiliate(c.affiliate_id))
        .ok_or_else(|| AppError::NotFound("Client".into()))
}

/// A new secret; the old one keeps working for `keep_previous_for_seconds`.
pub async fn rotate(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    input: RotateSecret,
) -> AppResult<(machine_client::Model, String)> {
    let txn = begin_write(db).await?;
    let current = get(&txn, caller, id).await?;
    if current.revoked_at.is_some() {
        return Err(AppError::Conflict {
            code: ProblemCode::ClientRevoked,
            detail: "This client is revoked.".into(),
            current_state: Some("revoked".into()),
        });
    }
    let secret = random("cs_", 32)?;
    let now = db::now();
    let keep = input.keep_previous_for_seconds;
    let mut next: machine_client::ActiveModel = current.clone().into();
    next.previous_secret_hash = Set((keep > 0).then(|| current.secret_hash.clone()));
    next.previous_secret_expires_at = Set((keep > 0).then(|| now + chrono::Duration::seconds(keep)));
    next.secret_hash = Set(hash_token(&secret));
    if keep == 0 {
        // No overlap: the tokens the old secret bought end too.
        next.token_generation = Set(current.token_generation + 1);
    }
    let updated = next.update(&txn).await?;
    audit::by(&txn, caller, audit_entry(&updated, "machine_client.secret_rotated")).await?;
    txn.commit().await?;
    Ok((updated, secret))
}

pub async fn revoke(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    precondition: &Precondition,
) -> AppResult<machine_client::Model> {
    let txn = begin_write(db).await?;
    let current = get(&txn, caller, id).await?;
    precondition.check(current.version)?;
    let now = db::now();
    let mut next: machine_client::ActiveModel = current.clone().into();
    next.revoked_at = Set(Some(current.revoked_at.unwrap_or(now)));
    next.token_generation = Set(current.token_generation + 1);
    let updated = next.update(&txn).await?;
    audit::by(&txn, caller, audit_entry(&updated, "machine_client.revoked")).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The client-credentials grant. `requested`: a subset of the client's scopes, or all.
pub async fn token(state: &AppState, client_id: &str, secret: &str, requested: Option<&str>) -> AppResult<TokenPair> {
    let invalid = || AppError::Unauthenticated {
        code: ProblemCode::InvalidClient,
        detail: "The client id or secret is wrong, or the client is revoked.".into(),
    };
    rate_limit::hit(&state.db, &format!("client:{client_id}"), 60, std::time::Duration::from_secs(60)).await?;
    let client = Clients::find().filter(Column::ClientId.eq(client_id)).one(&state.db).await?.ok_or_else(invalid)?;
    let now = db::now();
    let presented = hash_token(secret);
    let current_ok = crate::auth::constant_time_eq(presented.as_bytes(), client.secret_hash.as_bytes());
    let previous_ok = client
        .previous_secret_hash
        .as_ref()
        .is_some_and(|h| crate::auth::constant_time_eq(presented.as_bytes(), h.as_bytes()))
        && client.previous_secret_expires_at.is_some_and(|t| t > now);
    if client.revoked_at.is_some() || !(current_ok || previous_ok) {
        return Err(invalid());
    }
    let held = scopes::parse(&client.scopes).map_err(AppError::internal)?;
    let granted = match requested {
        None => held.clone(),
        Some(r) => {
            let wanted = scopes::parse(r).map_err(|m| AppError::bad_request(ProblemCode::InvalidScope, m))?;
            if let Some(extra) = wanted.iter().find(|w| !held.contains(w)) {
                return Err(AppError::bad_request(
                    ProblemCode::InvalidScope,
                    format!("This client does not hold `{extra}`."),
                ));
            }
            wanted
        }
    };
    let subject = tokens::Subject {
        kind: crate::auth::SubjectKind::Client,
        id: client.id,
        affiliate: client.affiliate_id,
        roles: vec![],
        scope: Some(scopes::join(&granted)),
        generation: client.token_generation,
    };
    let issued = tokens::issue(&state.keys, &state.token_settings, subject).map_err(AppError::internal)?;
    Ok(TokenPair { access_token: issued.token, expires_in: issued.expires_in, refresh_token: String::new() })
}
