//! Endorsements: issued on approval (and exam pass), numbered, listed in the public
//! registry unless the holder opts out, verifiable by number, and downloadable as a
//! signed credential that anyone can check against the JWKS.
use chrono::NaiveDate;
use jsonwebtoken::{Algorithm, Header, encode};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
    sea_query::{Expr, ExprTrait as _, OnConflict, Query},
};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::endorsement::{EndorsementEvent, endorsement_transition};
use crate::{
    auth::Caller,
    db,
    db::begin_write,
    domain::endorsement::expires_on,
    domain::endorsement::number,
    error::AppError,
    error::AppResult,
    features::affiliates::catalog,
    http::etag::Precondition,
    http::pagination::PageRequest,
    mail::{
        self, Recipient,
        links::Links,
        locale,
        locale::Locale,
        messages::{EndorsementIssued, Mail},
    },
    platform::audit,
    platform::audit::Actor,
    platform::audit::AuditEntry,
    platform::change_log as changes,
    platform::change_log::Change,
    platform::change_log::Operation,
    platform::clock::today,
    state::AppState,
};
use entity::{application, endorsement, endorsement::EndorsementStatus, number_sequence, person, sets::RecordKind};

/// The next value of a named counter, atomically (one statement, both databases).
pub async fn next_number(db: &impl ConnectionTrait, name: &str) -> AppResult<i64> {
    let stmt = Query::insert()
        .into_table(number_sequence::Entity)
        .columns([number_sequence::Column::Name, number_sequence::Column::LastValue])
        .values_panic([name.into(), 1i64.into()])
        .on_conflict(
            OnConflict::column(number_sequence::Column::Name)
                .value(
                    number_sequence::Column::LastValue,
                    Expr::col((number_sequence::Entity, number_sequence::Column::LastValue)).add(1),
                )
                .to_owned(),
        )
        .returning_col(number_sequence::Column::LastValue)
        .to_owned();
    let row = db.query_one(&stmt).await?.ok_or_else(|| AppError::internal("sequence returned nothing"))?;
    row.try_get_by_index::<i64>(0).map_err(|e| AppError::internal(format!("sequence: {e}")))
}

pub(crate) async fn log(db: &impl ConnectionTrait, m: &endorsement::Model) -> AppResult<()> {
    changes::append(
        db,
        Change {
            affiliate_id: m.affiliate_id,
            kind: RecordKind::Endorsement,
            record_id: m.id,
            external_id: None,
            version: m.version,
            operation: Operation::Upsert,
            representation: serde_json::to_value(crate::features::endorsements::dto::Endorsement::from(m.clone())).ok(),
        },
    )
    .await?;
    Ok(())
}

/// Issues the endorsement an approved application earned, in the caller's transaction.
pub async fn issue(
    db: &impl ConnectionTrait,
    links: &Links,
    actor: &Actor,
    app: &application::Model,
    emerging: bool,
) -> AppResult<endorsement::Model> {
    let affiliate = crate::platform::tenancy::find(db, &app.affiliate_id.to_string()).await?;
    let issued_on = today(&affiliate);
    let seq = next_number(db, &format!("endorsement:{}:{}", affiliate.code, app.category_code)).await?;
    let m = endorsement::ActiveModel {
        id: Set(Uuid::now_v7()),
        affiliate_id: Set(app.affiliate_id),
        person_id: Set(app.person_id),
        application_id: Set(Some(app.id)),
        category_code: Set(app.category_code.clone()),
        number: Set(number(&affiliate.code, &app.category_code, seq)),
        issued_on: Set(issued_on),
        expires_on: Set(expires_on(issued_on)),
        status: Set(EndorsementStatus::Active),
        emerging: Set(emerging),
        listed: Set(true),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        actor,
        AuditEntry::new(Some(m.affiliate_id), "endorsement.issued", "endorsement", m.id).after(serde_json::json!({"number": m.number, "category": m.category_code, "expires_on": m.expires_on, "emerging": emerging})),
    )
    .await?;
    log(db, &m).await?;
    if let Some(p) = person::Entity::find_by_id(app.person_id).one(db).await? {
        let l = Locale(p.preferred_language);
        let issued = Mail::EndorsementIssued(EndorsementIssued {
            category: locale::category(db, &m.category_code, l).await?,
            number: m.number.clone(),
            valid_through: l.date(m.expires_on),
            emerging,
            link: links.verify(&m.number),
        });
        mail::send(db, &affiliate, &Recipient::person(&p), &issued).await?;
    }
    Ok(m)
}

/// An emerging endorsement whose holder finished the requirements becomes a full one
/// (the same number; no second endorsement).
pub async fn graduate(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app: &application::Model,
) -> AppResult<endorsement::Model> {
    let current = endorsement::Entity::find()
        .filter(endorsement::Column::ApplicationId.eq(app.id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("emerging application without its endorsement"))?;
    let mut next: endorsement::ActiveModel = current.clone().into();
    next.emerging = Set(false);
    let updated = next.update(db).await?;
    audit::record(
        db,
        actor,
        AuditEntry::new(Some(updated.affiliate_id), "endorsement.no_longer_emerging", "endorsement", updated.id)
            .before(serde_json::json!({"emerging": true}))
            .after(serde_json::json!({"emerging": false})),
    )
    .await?;
    log(db, &updated).await?;
    Ok(updated)
}

/// A reinstatement approved: the lapsed endorsement is active again (same number), valid
/// through the end of the next year's period.
pub async fn reinstate(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app: &application::Model,
) -> AppResult<endorsement::Model> {
    let id = app.reinstates_endorsement_id.ok_or_else(|| AppError::internal("not a reinstatement"))?;
    let current = endorsement::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("reinstated endorsement vanished"))?;
    let affiliate = crate::platform::tenancy::find(db, &current.affiliate_id.to_string()).await?;
    let to = endorsement_transition(current.status, EndorsementEvent::Reinstate)
        .map_err(|why| AppError::invalid_state("endorsement", current.status, why))?;
    let mut next: endorsement::ActiveModel = current.clone().into();
    next.status = Set(to);
    next.expires_on = Set(expires_on(today(&affiliate)));
    let updated = next.update(db).await?;
    audit::record(
        db,
        actor,
        AuditEntry::new(Some(updated.affiliate_id), "endorsement.reinstated", "endorsement", updated.id)
            .before(serde_json::json!({"status": current.status, "expires_on": current.expires_on}))
            .after(serde_json::json!({"status": "active", "expires_on": updated.expires_on})),
    )
    .await?;
    log(db, &updated).await?;
    Ok(updated)
}

/// Public: the facts of one endorsement by number (even when not listed in the registry).
pub async fn by_number(db: &impl ConnectionTrait, number: &str) -> AppResult<(endorsement::Model, person::Model)> {
    let e = endorsement::Entity::find()
        .filter(endorsement::Column::Number.eq(number.trim().to_uppercase()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Endorsement `{number}`")))?;
    let p =
        person::Entity::find_by_id(e.person_id).one(db).await?.ok_or_else(|| AppError::internal("holder vanished"))?;
    Ok((e, p))
}

/// The public registry: active, listed endorsements, by name and category. One bounded
/// query at any size: endorsements joined to their holders, filtered, in id order from the
/// cursor, `LIMIT` the page (no list of matching ids is ever built).
pub async fn registry(
    db: &DatabaseConnection,
    affiliate: Option<&str>,
    name: Option<&str>,
    category: Option<&str>,
    page: &PageRequest<Uuid>,
) -> AppResult<Vec<(endorsement::Model, person::Model)>> {
    let holder = endorsement::Entity::belongs_to(person::Entity)
        .from(endorsement::Column::PersonId)
        .to(person::Column::Id)
        .into();
    let mut q = endorsement::Entity::find()
        .join(sea_orm::JoinType::InnerJoin, holder)
        .select_also(person::Entity)
        .filter(endorsement::Column::Status.eq(EndorsementStatus::Active))
        .filter(endorsement::Column::Listed.eq(true))
        .order_by_asc(endorsement::Column::Id)
        .limit(page.fetch_limit());
    if let Some(a) = affiliate {
        q = q.filter(endorsement::Column::AffiliateId.eq(crate::platform::tenancy::find(db, a).await?.id));
    }
    if let Some(c) = category {
        q = q.filter(endorsement::Column::CategoryCode.eq(catalog::category(db, c).await?.code));
    }
    if let Some(n) = name {
        let pattern =
            format!("%{}%", n.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let like = |c: person::Column| {
            Expr::expr(sea_orm::sea_query::Func::lower(Expr::col((person::Entity, c))))
                .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'))
        };
        q = q.filter(
            sea_orm::Condition::any().add(like(person::Column::GivenName)).add(like(person::Column::FamilyName)),
        );
    }
    if let Some(after) = page.after {
        q = q.filter(endorsement::Column::Id.gt(after));
    }
    Ok(q.all(db).await?.into_iter().filter_map(|(e, p)| p.map(|p| (e, p))).collect())
}

pub async fn mine(db: &DatabaseConnection, caller: &Caller) -> AppResult<Vec<endorsement::Model>> {
    caller.require_person()?;
    Ok(endorsement::Entity::find()
        .filter(endorsement::Column::PersonId.eq(caller.id))
        .order_by_asc(endorsement::Column::Id)
        .all(db)
        .await?)
}

/// The holder opts in or out of the public directory (verification by number stays).
pub async fn set_listed(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    listed: bool,
    precondition: &Precondition,
) -> AppResult<endorsement::Model> {
    caller.require_person()?;
    let txn = begin_write(db).await?;
    let current = endorsement::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|e| e.person_id == caller.id)
        .ok_or_else(|| AppError::NotFound("Endorsement".into()))?;
    precondition.check(current.version)?;
    let mut next: endorsement::ActiveModel = current.clone().into();
    next.listed = Set(listed);
    let updated = next.update(&txn).await?;
    audit::by(
        &txn,
        caller,
        AuditEntry::new(Some(current.affiliate_id), "endorsement.listing_changed", "endorsement", id)
            .before(serde_json::json!({"listed": current.listed}))
            .after(serde_json::json!({"listed": listed})),
    )
    .await?;
    log(&txn, &updated).await?;
    txn.commit().await?;
    Ok(updated)
}

#[derive(Serialize)]
struct CredentialClaims {
    iss: String,
    sub: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    jti: String,
    vc: serde_json::Value,
}

/// A signed, verifiable credential (a JWT with `typ: vc+jwt`, signed with the service's
/// key; it can never pass as an access token).
///
/// It names the holder, so for an endorsement unlisted from the directory only the
/// holder and the affiliate's staff get it; anyone else is told it does not exist.
pub async fn credential(state: &AppState, caller: Option<&Caller>, number: &str) -> AppResult<String> {
    let (e, p) = by_number(&state.db, number).await?;
    let entitled = caller.is_some_and(|c| {
        (c.kind == crate::auth::SubjectKind::Person && (c.id == e.person_id || c.manages_affiliate(e.affiliate_id)))
            || (c.kind == crate::auth::SubjectKind::Client && c.affiliate_id == e.affiliate_id)
    });
    if !e.listed && !entitled {
        return Err(AppError::NotFound(format!("Endorsement `{number}`")));
    }
    let affiliate = crate::platform::tenancy::find(&state.db, &e.affiliate_id.to_string()).await?;
    let category = catalog::category(&state.db, &e.category_code).await?;
    let now = db::now().timestamp();
    let until = e
        .expires_on
        .succ_opt()
        .unwrap_or(NaiveDate::MAX)
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(now);
    let claims = CredentialClaims {
        iss: state.token_settings.issuer.clone(),
        sub: format!("urn:endorse:endorsement:{}", e.number),
        iat: now,
        nbf: now,
        exp: std::cmp::max(until, now + 60),
        jti: Uuid::now_v7().to_string(),
        vc: serde_json::json!({
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "credentialSubject": {
                "name": format!("{} {}", p.given_name, p.family_name),
                "number": e.number,
                "category": e.category_code,
                "category_name": category.name,
                "family": category.family_code,
                "affiliate": affiliate.name,
                "status": e.status,
                "emerging": e.emerging,
                "issued_on": e.issued_on,
                "valid_through": e.expires_on,
            }
        }),
    };
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(state.keys.kid.clone());
    header.typ = Some("vc+jwt".into());
    encode(&header, &claims, state.keys.encoding()).map_err(AppError::internal)
}
