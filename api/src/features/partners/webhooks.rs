//! Webhook subscriptions and deliveries. Deliveries are made from the change log by the
//! webhook worker (one row per subscription and event, so each event is sent under one
//! `webhook-id` however often it is retried), and every attempt is logged.
use crate::error::ProblemCode;
use crate::mail::{
    links::Links,
    messages::{Mail, WebhookDisabled},
};
use entity::sets::Language;
use std::{net::SocketAddr, time::Duration};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait as _, LockBehavior, LockType, Query},
};
use uuid::Uuid;

use crate::domain::webhooks::{DeliveryEvent, delivery_transition};
use crate::{
    auth::Caller, auth::SubjectKind, config::WebhookSettings, db, db::begin_write, domain::webhooks as rules,
    domain::webhooks::event_type, domain::webhooks::is_public, error::AppError, error::AppResult,
    features::partners::dto::sync::ChangeEvent, features::partners::dto::webhooks::Attempt,
    features::partners::dto::webhooks::Delivery, features::partners::dto::webhooks::DeliveryDetail,
    features::partners::dto::webhooks::NewSubscription, features::partners::dto::webhooks::SecretRotation,
    features::partners::dto::webhooks::Subscription, features::partners::dto::webhooks::SubscriptionPatch,
    features::partners::dto::webhooks::SubscriptionWithSecret, features::partners::dto::webhooks::webhook_id,
    http::etag::Precondition, http::pagination::PageRequest, platform::audit, platform::audit::Actor,
    platform::audit::AuditEntry, workers::backoff,
};
use entity::{
    affiliate, change_log, machine_client, person, webhook_attempt, webhook_delivery, webhook_delivery::DeliveryStatus,
    webhook_subscription, webhook_subscription::SubscriptionStatus,
};

pub const SCOPE: crate::domain::scopes::Scope = crate::domain::scopes::Scope::WebhooksManage;
const RESOURCE: &str = "webhook_subscription";

// ---- addresses (SSRF) ----

/// Resolves the URL's host and returns an address a delivery may connect to: public
/// only, unless `allow_private_targets` (local testing). `https` is required unless the
/// switch is on.
pub async fn reachable_address(settings: &WebhookSettings, raw: &str) -> Result<(url::Url, SocketAddr), String> {
    let url = url::Url::parse(raw).map_err(|_| "is not an absolute URL".to_string())?;
    match url.scheme() {
        "https" => {}
        "http" if settings.allow_private_targets => {}
        _ => return Err("must use https".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".into());
    }
    let host = url.host_str().ok_or_else(|| "has no host".to_string())?.trim_matches(['[', ']']).to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> =
        tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host((host.as_str(), port)))
            .await
            .map_err(|_| format!("host `{host}` did not resolve in time"))?
            .map_err(|_| format!("host `{host}` does not resolve"))?
            .collect();
    if addrs.is_empty() {
        return Err(format!("host `{host}` does not resolve"));
    }
    if !settings.allow_private_targets && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(format!(
            "host `{host}` resolves to a loopback, private, link-local or otherwise non-public address"
        ));
    }
    Ok((url, addrs[0]))
}

async fn check_url(settings: &WebhookSettings, url: &str) -> AppResult<()> {
    reachable_address(settings, url).await.map(|_| ()).map_err(|m| AppError::invalid_field("url", "url_not_allowed", m))
}

// ---- subscriptions ----

async fn owner_email(
    db: &impl ConnectionTrait,
    caller: &Caller,
    affiliate: &affiliate::Model,
) -> AppResult<Option<String>> {
    let person_id = match caller.kind {
        SubjectKind::Person => Some(caller.id),
        SubjectKind::Client => machine_client::Entity::find_by_id(caller.id).one(db).await?.and_then(|c| c.created_by),
    };
    let email = match person_id {
        Some(id) => person::Entity::find_by_id(id).one(db).await?.map(|p| p.email),
        None => None,
    };
    Ok(email.or_else(|| affiliate.contact_email.clone()))
}

fn audit_entry(m: &webhook_subscription::Model, action: &'static str) -> AuditEntry<'static> {
    AuditEntry {
        affiliate_id: Some(m.affiliate_id),
        action,
        resource_kind: RESOURCE,
        resource_id: m.id.to_string(),
        before: None,
        after: Some(serde_json::json!({"url": m.url, "kinds": m.kinds, "status": m.status})),
    }
}

pub async fn create(
    db: &DatabaseConnection,
    settings: &WebhookSettings,
    caller: &Caller,
    ident: &str,
    input: NewSubscription,
) -> AppResult<SubscriptionWithSecret> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    caller.require_staff_or_scope(affiliate.id, SCOPE)?;
    check_url(settings, &input.url).await?;
    let secret = rules::new_secret();
    let txn = begin_write(db).await?;
    let mut kinds = input.kinds;
    kinds.sort();
    kinds.dedup();
    let m = webhook_subscription::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(affiliate.id),
        url: Set(input.url),
        kinds: Set(serde_json::json!(kinds)),
        description: Set(input.description),
        secret: Set(secret.clone()),
        status: Set(SubscriptionStatus::Active),
        owner_email: Set(owner_email(&txn, caller, &affiliate).await?),
        created_by: Set(format!("{}:{}", caller.actor().kind, caller.id)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::by(&txn, caller, audit_entry(&m, "webhook.subscribed")).await?;
    txn.commit().await?;
    Ok(SubscriptionWithSecret { subscription: m.into(), secret })
}

pub async fn list(db: &DatabaseConnection, caller: &Caller, ident: &str) -> AppResult<Vec<Subscription>> {
    let affiliate = crate::platform::tenancy::find(db, ident).await?;
    caller.require_staff_or_scope(affiliate.id, SCOPE)?;
    Ok(webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::AffiliateId.eq(affiliate.id))
        .order_by_asc(webhook_subscription::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Subscription::from)
        .collect())
}

/// A subscription the caller may manage: another affiliate's is 404, a person or client
/// of the affiliate without the right is 403.
pub async fn visible(db: &impl ConnectionTrait, caller: &Caller, id: Uuid) -> AppResult<webhook_subscription::Model> {
    let m = webhook_subscription::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|m| m.affiliate_id == caller.affiliate_id || caller.manages_affiliate(m.affiliate_id))
        .ok_or_else(|| AppError::NotFound("Webhook subscription".into()))?;
    caller.require_staff_or_scope(m.affiliate_id, SCOPE)?;
    Ok(m)
}

pub async fn update(
    db: &DatabaseConnection,
    settings: &WebhookSettings,
    caller: &Caller,
    id: Uuid,
    precondition: &Precondition,
    patch: SubscriptionPatch,
) -> AppResult<webhook_subscription::Model> {
    visible(db, caller, id).await?;
    if let Some(url) = &patch.url {
        check_url(settings, url).await?;
    }
    let txn = begin_write(db).await?;
    let current = visible(&txn, caller, id).await?;
    precondition.check(current.version)?;
    let mut am: webhook_subscription::ActiveModel = current.clone().into();
    if let Some(url) = patch.url {
        am.url = Set(url);
    }
    if let Some(mut kinds) = patch.kinds {
        kinds.sort();
        kinds.dedup();
        am.kinds = Set(serde_json::json!(kinds));
    }
    if let Some(d) = patch.description {
        am.description = Set(Some(d));
    }
    match patch.enabled {
        Some(true) => {
            am.status = Set(SubscriptionStatus::Active);
            am.disabled_reason = Set(None);
        }
        Some(false) => {
            am.status = Set(SubscriptionStatus::Disabled);
            am.disabled_reason = Set(Some("Disabled by its owner.".into()));
        }
        None => {}
    }
    let m = am.update(&txn).await?;
    audit::by(&txn, caller, audit_entry(&m, "webhook.changed")).await?;
    txn.commit().await?;
    Ok(m)
}

pub async fn delete(db: &DatabaseConnection, caller: &Caller, id: Uuid, precondition: &Precondition) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let m = visible(&txn, caller, id).await?;
    precondition.check(m.version)?;
    webhook_subscription::Entity::delete_by_id(m.id).exec(&txn).await?;
    audit::by(&txn, caller, audit_entry(&m, "webhook.deleted")).await?;
    txn.commit().await?;
    Ok(())
}

/// A new secret; the previous one keeps signing (a second signature) for the overlap.
pub async fn rotate_secret(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    input: SecretRotation,
) -> AppResult<SubscriptionWithSecret> {
    let txn = begin_write(db).await?;
    let current = visible(&txn, caller, id).await?;
    let secret = rules::new_secret();
    let now = db::now();
    let overlap = chrono::Duration::hours(input.overlap_hours.unwrap_or(24));
    let mut am: webhook_subscription::ActiveModel = current.clone().into();
    am.previous_secret = Set(Some(current.secret.clone()));
    am.previous_secret_expires_at = Set(Some(now + overlap));
    am.secret = Set(secret.clone());
    let m = am.update(&txn).await?;
    audit::by(&txn, caller, audit_entry(&m, "webhook.secret_rotated")).await?;
    txn.commit().await?;
    Ok(SubscriptionWithSecret { subscription: m.into(), secret })
}

/// The secrets deliveries are signed with now: the current one, and the previous one
/// during its overlap.
pub fn signing_secrets(m: &webhook_subscription::Model) -> Vec<String> {
    let mut secrets = vec![m.secret.clone()];
    if let (Some(prev), Some(until)) = (&m.previous_secret, m.previous_secret_expires_at)
        && until > Utc::now()
    {
        secrets.push(prev.clone());
    }
    secrets
}

// ---- the delivery log ----

pub async fn deliveries(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    status: Option<DeliveryStatus>,
    page: &PageRequest<Uuid>,
) -> AppResult<(Vec<Delivery>, Option<String>)> {
    let sub = visible(db, caller, id).await?;
    let mut q = webhook_delivery::Entity::find().filter(webhook_delivery::Column::SubscriptionId.eq(sub.id));
    if let Some(s) = status {
        q = q.filter(webhook_delivery::Column::Status.eq(s));
    }
    if let Some(after) = page.after {
        q = q.filter(webhook_delivery::Column::Id.lt(after));
    }
    let rows = q.order_by_desc(webhook_delivery::Column::Id).limit(page.fetch_limit()).all(db).await?;
    let (rows, next) = page.finish("webhook_deliveries", rows, |r| r.id)?;
    Ok((rows.into_iter().map(Delivery::from).collect(), next))
}

async fn visible_delivery(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
    delivery_id: Uuid,
) -> AppResult<webhook_delivery::Model> {
    let sub = visible(db, caller, id).await?;
    webhook_delivery::Entity::find_by_id(delivery_id)
        .one(db)
        .await?
        .filter(|d| d.subscription_id == sub.id)
        .ok_or_else(|| AppError::NotFound("Delivery".into()))
}

pub async fn delivery(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    delivery_id: Uuid,
) -> AppResult<DeliveryDetail> {
    let d = visible_delivery(db, caller, id, delivery_id).await?;
    let log = webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.eq(d.id))
        .order_by_asc(webhook_attempt::Column::AttemptedAt)
        .order_by_asc(webhook_attempt::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Attempt::from)
        .collect();
    let payload = d.payload.clone();
    Ok(DeliveryDetail { delivery: d.into(), payload, log })
}

/// Sends a delivery again (same `webhook-id`), whatever became of it.
pub async fn redeliver(db: &DatabaseConnection, caller: &Caller, id: Uuid, delivery_id: Uuid) -> AppResult<Delivery> {
    let txn = begin_write(db).await?;
    let sub = visible(&txn, caller, id).await?;
    if sub.status != SubscriptionStatus::Active {
        return Err(AppError::Conflict {
            code: ProblemCode::SubscriptionDisabled,
            detail: "Enable the subscription first (PATCH with `enabled: true`).".into(),
            current_state: Some(sub.status.to_string()),
        });
    }
    let d = visible_delivery(&txn, caller, id, delivery_id).await?;
    let to = delivery_transition(d.status, DeliveryEvent::Redeliver)
        .map_err(|why| AppError::invalid_state("delivery", d.status, why))?;
    let mut am: webhook_delivery::ActiveModel = d.into();
    am.status = Set(to);
    am.next_attempt_at = Set(db::now());
    am.locked_until = Set(None);
    let d = am.update(&txn).await?;
    audit::by(&txn, caller, AuditEntry::new(Some(sub.affiliate_id), "webhook.redelivery", "webhook_delivery", d.id))
        .await?;
    txn.commit().await?;
    Ok(d.into())
}

// ---- the worker's side ----

const DISPATCH_BATCH: u64 = 500;

/// Turns new change-log rows into deliveries for the active subscriptions that want
/// them, and moves the dispatcher's place on. One dispatcher at a time (a row lock, or
/// SQLite's single writer); positions grow in commit order, so nothing is skipped.
pub async fn dispatch(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let txn = begin_write(db).await?;
    let mut select =
        Query::select().column("last_position").from("webhook_dispatch").and_where(Expr::col("id").eq(1)).to_owned();
    if db.get_database_backend() == DbBackend::Postgres {
        select.lock(LockType::Update);
    }
    let last: i64 = match txn.query_one(&select).await? {
        Some(row) => row.try_get_by_index(0)?,
        None => return Err(DbErr::RecordNotFound("webhook_dispatch".into())),
    };
    let rows = change_log::Entity::find()
        .filter(change_log::Column::Position.gt(last))
        .order_by_asc(change_log::Column::Position)
        .limit(DISPATCH_BATCH)
        .all(&txn)
        .await?;
    let Some(newest) = rows.last().and_then(|r| r.position) else {
        txn.commit().await?;
        return Ok(0);
    };
    let mut affiliates: Vec<Uuid> = rows.iter().map(|r| r.affiliate_id).collect();
    affiliates.sort();
    affiliates.dedup();
    let subs = webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::AffiliateId.is_in(affiliates))
        .filter(webhook_subscription::Column::Status.eq(SubscriptionStatus::Active))
        .all(&txn)
        .await?;
    let now = db::now();
    let mut made = Vec::new();
    for row in &rows {
        for sub in subs.iter().filter(|s| s.affiliate_id == row.affiliate_id) {
            let kinds: Vec<entity::sets::RecordKind> = serde_json::from_value(sub.kinds.clone()).unwrap_or_default();
            if !kinds.is_empty() && !kinds.contains(&row.kind) {
                continue;
            }
            let kind = event_type(row.kind, row.operation);
            let event = ChangeEvent {
                event_id: format!("chg_{}", row.seq),
                kind: row.kind,
                record_id: row.record_id,
                external_id: row.external_id.clone(),
                version: row.version,
                operation: row.operation,
                changed_at: row.changed_at,
                representation: row.representation.clone(),
            };
            let payload = serde_json::json!({"type": kind, "timestamp": row.changed_at, "data": event});
            made.push(webhook_delivery::ActiveModel {
                id: Set(Uuid::now_v7()),
                subscription_id: Set(sub.id),
                affiliate_id: Set(sub.affiliate_id),
                event_position: Set(row.position.unwrap_or(row.seq)),
                event_type: Set(kind),
                payload: Set(payload),
                status: Set(DeliveryStatus::Pending),
                attempts: Set(0),
                next_attempt_at: Set(now),
                locked_until: Set(None),
                last_status_code: Set(None),
                last_error: Set(None),
                created_at: Set(now),
                delivered_at: Set(None),
            });
        }
    }
    let count = made.len();
    for chunk in made.chunks(200) {
        webhook_delivery::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    let update = Query::update()
        .table("webhook_dispatch")
        .value("last_position", newest)
        .and_where(Expr::col("id").eq(1))
        .to_owned();
    txn.execute(&update).await?;
    txn.commit().await?;
    Ok(count)
}

/// Takes up to `batch` due deliveries of active subscriptions for `lease`, counting the attempt.
pub async fn claim_due(
    db: &DatabaseConnection,
    batch: u64,
    lease: Duration,
) -> Result<Vec<(webhook_delivery::Model, webhook_subscription::Model)>, DbErr> {
    let txn = begin_write(db).await?;
    let now = db::now();
    let active = Query::select()
        .column(webhook_subscription::Column::Id)
        .from(webhook_subscription::Entity)
        .and_where(webhook_subscription::Column::Status.eq(SubscriptionStatus::Active))
        .to_owned();
    let mut query = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .filter(webhook_delivery::Column::LockedUntil.is_null().or(webhook_delivery::Column::LockedUntil.lt(now)))
        .filter(webhook_delivery::Column::SubscriptionId.in_subquery(active))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .limit(batch);
    if db.get_database_backend() == DbBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = query.all(&txn).await?;
    if rows.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    let until = now + chrono::Duration::from_std(lease).unwrap_or_else(|_| chrono::Duration::minutes(5));
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::LockedUntil, Expr::value(until))
        .col_expr(webhook_delivery::Column::Attempts, Expr::col(webhook_delivery::Column::Attempts).add(1))
        .filter(webhook_delivery::Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    let sub_ids: Vec<Uuid> = rows.iter().map(|r| r.subscription_id).collect();
    let subs =
        webhook_subscription::Entity::find().filter(webhook_subscription::Column::Id.is_in(sub_ids)).all(&txn).await?;
    txn.commit().await?;
    Ok(rows
        .into_iter()
        .filter_map(|mut d| {
            d.attempts += 1;
            subs.iter().find(|s| s.id == d.subscription_id).cloned().map(|s| (d, s))
        })
        .collect())
}

/// What one HTTP attempt gave.
#[derive(Debug)]
pub struct AttemptOutcome {
    pub status_code: Option<i32>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

impl AttemptOutcome {
    fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|c| (200..300).contains(&c))
    }
}

/// Logs the attempt and decides what follows: delivered; retried later with backoff;
/// or given up (after `max_age`, or at once on 410 Gone), which disables the
/// subscription and emails its owner.
pub async fn record(
    db: &DatabaseConnection,
    settings: &WebhookSettings,
    links: &Links,
    delivery: &webhook_delivery::Model,
    outcome: &AttemptOutcome,
) -> Result<(), DbErr> {
    let txn = begin_write(db).await?;
    let now = db::now();
    let clip = |s: &String| s.chars().take(500).collect::<String>();
    webhook_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery.id),
        subscription_id: Set(delivery.subscription_id),
        attempted_at: Set(now),
        status_code: Set(outcome.status_code),
        latency_ms: Set(outcome.latency_ms),
        error: Set(outcome.error.as_ref().map(clip)),
    }
    .insert(&txn)
    .await?;
    let mut am: webhook_delivery::ActiveModel = delivery.clone().into();
    am.locked_until = Set(None);
    am.last_status_code = Set(outcome.status_code);
    am.last_error = Set(outcome.error.as_ref().map(clip));
    let gone = outcome.status_code == Some(410);
    let expired = (now - delivery.created_at).to_std().unwrap_or_default() >= settings.max_age;
    let event = if outcome.succeeded() {
        DeliveryEvent::Succeeded
    } else {
        DeliveryEvent::AttemptFailed { give_up: gone || expired }
    };
    // A delivery reaches here claimed and pending; anything else is a bug, not a request.
    am.status = Set(delivery_transition(delivery.status, event).map_err(|why| sea_orm::DbErr::Custom(why.into()))?);
    if outcome.succeeded() {
        am.delivered_at = Set(Some(now));
    } else if gone || expired {
        let reason = if gone {
            "The endpoint answered 410 Gone.".to_string()
        } else {
            format!("Deliveries kept failing for {} hours.", settings.max_age.as_secs() / 3600)
        };
        disable(&txn, links, delivery.subscription_id, &reason).await?;
    } else {
        let wait = backoff::delay(delivery.attempts, settings.retry_base, settings.retry_max, backoff::random_jitter());
        am.next_attempt_at = Set(now + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::hours(1)));
    }
    am.update(&txn).await?;
    txn.commit().await
}

async fn disable(txn: &impl ConnectionTrait, links: &Links, id: Uuid, reason: &str) -> Result<(), DbErr> {
    let Some(sub) = webhook_subscription::Entity::find_by_id(id).one(txn).await? else {
        return Ok(());
    };
    if sub.status != SubscriptionStatus::Active {
        return Ok(());
    }
    let mut am: webhook_subscription::ActiveModel = sub.clone().into();
    am.status = Set(SubscriptionStatus::Disabled);
    am.disabled_reason = Set(Some(reason.to_string()));
    am.update(txn).await?;
    audit::record(txn, &Actor::system(), audit_entry(&sub, "webhook.disabled")).await?;
    if let Some(owner) = &sub.owner_email {
        let affiliate = entity::affiliate::Entity::find_by_id(sub.affiliate_id)
            .one(txn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("the subscription's affiliate".into()))?;
        // The owner is an address, not a person: the affiliate's staff read English.
        let to =
            crate::mail::Recipient { name: affiliate.name.clone(), email: owner.clone(), language: Language::English };
        let told = Mail::WebhookDisabled(WebhookDisabled {
            url: sub.url.clone(),
            reason: reason.to_string(),
            link: links.webhook(sub.id),
        });
        crate::mail::send(txn, &affiliate, &to, &told).await.map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    Ok(())
}

/// Signs and POSTs one delivery. Connects only to the address checked here (no second
/// lookup, no redirects), so a DNS change cannot turn a delivery inward.
pub async fn send(
    settings: &WebhookSettings,
    sub: &webhook_subscription::Model,
    delivery: &webhook_delivery::Model,
) -> AttemptOutcome {
    let started = std::time::Instant::now();
    let failed = |error: String, started: std::time::Instant| AttemptOutcome {
        status_code: None,
        latency_ms: started.elapsed().as_millis() as i64,
        error: Some(error),
    };
    let (url, addr) = match reachable_address(settings, &sub.url).await {
        Ok(found) => found,
        Err(e) => return failed(format!("refused: the URL {e}"), started),
    };
    let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(settings.timeout);
    if let Some(domain) = url.domain() {
        builder = builder.resolve(domain, addr);
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => return failed(format!("client: {e}"), started),
    };
    let body = match serde_json::to_vec(&delivery.payload) {
        Ok(b) => b,
        Err(e) => return failed(format!("payload: {e}"), started),
    };
    let msg_id = webhook_id(delivery.id);
    let timestamp = Utc::now().timestamp();
    let secrets = signing_secrets(sub);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let signature = rules::signature_header(&secrets, &msg_id, timestamp, &body);
    let result = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "endorse-webhooks/1")
        .header("webhook-id", &msg_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    let latency_ms = started.elapsed().as_millis() as i64;
    match result {
        Ok(res) => {
            let code = res.status().as_u16() as i32;
            let error = (!res.status().is_success()).then(|| format!("HTTP {code}"));
            AttemptOutcome { status_code: Some(code), latency_ms, error }
        }
        Err(e) => {
            let what = if e.is_timeout() {
                "timed out".to_string()
            } else if e.is_connect() {
                "could not connect".to_string()
            } else {
                "request failed".to_string()
            };
            AttemptOutcome { status_code: None, latency_ms, error: Some(what) }
        }
    }
}
