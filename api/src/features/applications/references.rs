//! Reference raters: invited by the applicant, they act through a single-use link (its
//! secret travels in request bodies, never in URLs, and only its hash is kept). The
//! applicant sees whether a rating arrived, never what it says; staff see the content.
use crate::error::ProblemCode;
use crate::mail::{
    self, Recipient, locale,
    locale::Locale,
    messages::{Mail, ReferenceRequest as RequestMail},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::TryRngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::domain::reference::{self, ReferenceEvent, ReferenceStatus as Stored};
use crate::{
    auth::Caller, db, db::begin_write, domain::credentials::CompetencyDomain, domain::people::identity_email,
    error::AppError, error::AppResult, features::accounts::people, features::accounts::sessions::hash_token,
    features::affiliates::catalog, features::applications::dto::NewReference, features::applications::dto::Rating,
    features::applications::dto::ReferenceContent, features::applications::dto::ReferenceRequest,
    features::applications::dto::ReferenceStatus, features::applications::dto::ReferenceSubmission,
    features::applications::dto::reference_status, features::applications::service as applications,
    features::applications::service::Access, platform::audit, platform::audit::Actor, platform::audit::AuditEntry,
    platform::rate_limit, state::AppState,
};
use entity::{application, application_reference, person, review};

const MAX_REFERENCES: usize = 10;

fn ttl() -> chrono::Duration {
    chrono::Duration::days(30)
}

pub(super) fn secret() -> AppResult<String> {
    let mut b = [0u8; 24];
    rand::rngs::OsRng.try_fill_bytes(&mut b).map_err(AppError::internal)?;
    Ok(URL_SAFE_NO_PAD.encode(b))
}

/// Emails the rater their link and code: the first request, or a reminder
/// (`ReferenceReminder`, same fields). A rater has no account and no language of their
/// own: they get the applicant's.
pub(super) async fn email_rater(
    db: &impl ConnectionTrait,
    links: &crate::mail::links::Links,
    app: &application::Model,
    r: &application_reference::Model,
    token: &str,
    reminder: bool,
) -> AppResult<()> {
    let applicant = person::Entity::find_by_id(app.person_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("applicant vanished"))?;
    let affiliate = crate::platform::tenancy::find(db, &app.affiliate_id.to_string()).await?;
    let l = Locale(applicant.preferred_language);
    let request = RequestMail {
        applicant: format!("{} {}", applicant.given_name, applicant.family_name),
        category: locale::category(db, &app.category_code, l).await?,
        relationship: r.relationship.clone(),
        link: links.rate_reference(token),
        code: token.to_string(),
        expires_on: l.date(r.expires_at.date_naive()),
    };
    let mail = if reminder { Mail::ReferenceReminder(request) } else { Mail::ReferenceRequest(request) };
    let rater = Recipient { name: r.rater_name.clone(), email: r.rater_email.clone(), language: l.0 };
    mail::send(db, &affiliate, &rater, &mail).await
}

/// Invitations and resends: at most this many a day per application, and per rater address.
const INVITES_PER_APPLICATION_PER_DAY: u32 = 30;
const INVITES_PER_RATER_PER_DAY: u32 = 5;
const DAY: std::time::Duration = std::time::Duration::from_secs(86_400);

/// Counted before the transaction, so a refused attempt still counts (429 with `Retry-After`).
async fn limit_invitations(state: &AppState, app_id: Uuid, rater_email: &str) -> AppResult<()> {
    rate_limit::hit(&state.db, &format!("invite-app:{app_id}"), INVITES_PER_APPLICATION_PER_DAY, DAY).await?;
    let rater = identity_email(rater_email);
    rate_limit::hit(&state.db, &format!("invite-rater:{rater}"), INVITES_PER_RATER_PER_DAY, DAY).await
}

/// A rater is neither the applicant (any address they are known by, `+tags` ignored)
/// nor a reviewer of the application: 403 `conflict_of_interest`.
async fn check_independent(db: &impl ConnectionTrait, app: &application::Model, rater_email: &str) -> AppResult<()> {
    let rater = identity_email(rater_email);
    let applicant = person::Entity::find_by_id(app.person_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("applicant vanished"))?;
    if people::known_addresses(db, &applicant).await?.contains(&rater) {
        return Err(AppError::conflict_of_interest("You cannot be a reference rater of your own application."));
    }
    let reviewers = review::Entity::find().filter(review::Column::ApplicationId.eq(app.id)).all(db).await?;
    for r in reviewers {
        if let Some(p) = person::Entity::find_by_id(r.reviewer_id).one(db).await?
            && people::known_addresses(db, &p).await?.contains(&rater)
        {
            return Err(AppError::conflict_of_interest("A reviewer of this application cannot also rate it."));
        }
    }
    Ok(())
}

/// The applicant names a rater; the rater is emailed a link.
pub async fn invite(
    state: &AppState,
    caller: &Caller,
    app_id: Uuid,
    input: NewReference,
) -> AppResult<ReferenceStatus> {
    // Only the applicant's own attempts count against the application's budget.
    applications::visible(&state.db, caller, app_id, Access::Own).await?;
    limit_invitations(state, app_id, &input.email).await?;
    let txn = begin_write(&state.db).await?;
    let app = applications::visible(&txn, caller, app_id, Access::Own).await?;
    check_independent(&txn, &app, &input.email).await?;
    if !app.state.is_editable() {
        return Err(AppError::Conflict {
            code: ProblemCode::ApplicationNotEditable,
            detail: "References are invited while the application is a draft or deferred.".into(),
            current_state: Some(app.state.as_str().into()),
        });
    }
    let existing = app.find_related(application_reference::Entity).all(&txn).await?;
    if existing.len() >= MAX_REFERENCES {
        return Err(AppError::conflict(
            ProblemCode::TooManyReferences,
            format!("An application invites at most {MAX_REFERENCES} raters."),
        ));
    }
    let token = secret()?;
    let now = db::now();
    let r = application_reference::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(app.id),
        rater_name: Set(input.name.trim().to_string()),
        rater_email: Set(input.email.trim().to_string()),
        relationship: Set(input.relationship.trim().to_string()),
        kind: Set(input.kind),
        status: Set(Stored::Invited),
        token_hash: Set(hash_token(&token)),
        expires_at: Set(now + ttl()),
        invited_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    email_rater(&txn, &state.links, &app, &r, &token, false).await?;
    audit::by(&txn, caller, audit_entry(&app, &r, "reference.invited")).await?;
    txn.commit().await?;
    Ok(reference_status(&r, now))
}

fn audit_entry<'a>(app: &application::Model, r: &application_reference::Model, action: &'a str) -> AuditEntry<'a> {
    AuditEntry {
        affiliate_id: Some(app.affiliate_id),
        action,
        resource_kind: "reference",
        resource_id: r.id.to_string(),
        before: None,
        after: Some(serde_json::json!({"application_id": app.id, "rater_email": r.rater_email, "status": r.status})),
    }
}

/// A new link for a rater who has not answered (the old one stops working).
pub async fn resend(state: &AppState, caller: &Caller, app_id: Uuid, id: Uuid) -> AppResult<ReferenceStatus> {
    applications::visible(&state.db, caller, app_id, Access::Own).await?;
    let rater = application_reference::Entity::find_by_id(id).one(&state.db).await?;
    if let Some(r) = rater.filter(|r| r.application_id == app_id) {
        limit_invitations(state, app_id, &r.rater_email).await?;
    }
    let txn = begin_write(&state.db).await?;
    let app = applications::visible(&txn, caller, app_id, Access::Own).await?;
    let r = application_reference::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|r| r.application_id == app.id)
        .ok_or_else(|| AppError::NotFound("Reference".into()))?;
    if r.status != Stored::Invited {
        return Err(AppError::Conflict {
            code: ProblemCode::ReferenceAnswered,
            detail: "This rater has already answered.".into(),
            current_state: Some(r.status.to_string()),
        });
    }
    let token = secret()?;
    let now = db::now();
    let mut next: application_reference::ActiveModel = r.clone().into();
    next.token_hash = Set(hash_token(&token));
    next.expires_at = Set(now + ttl());
    let updated = next.update(&txn).await?;
    email_rater(&txn, &state.links, &app, &updated, &token, false).await?;
    audit::by(&txn, caller, audit_entry(&app, &updated, "reference.resent")).await?;
    txn.commit().await?;
    Ok(reference_status(&updated, now))
}

/// The applicant sees statuses; the affiliate's staff see the ratings too.
pub async fn list(db: &DatabaseConnection, caller: &Caller, app_id: Uuid) -> AppResult<Vec<ReferenceContent>> {
    let app = applications::visible(db, caller, app_id, Access::Read).await?;
    let staff =
        caller.manages_affiliate(app.affiliate_id) || applications::is_assigned_reviewer(db, caller, app.id).await?;
    let now = db::now();
    let rows =
        app.find_related(application_reference::Entity).order_by_asc(application_reference::Column::Id).all(db).await?;
    Ok(rows
        .iter()
        .map(|r| ReferenceContent {
            status: reference_status(r, now),
            ratings: staff
                .then(|| r.ratings.as_ref().and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()),
            comments: if staff { r.comments.clone() } else { None },
        })
        .collect())
}

/// The reference a link opens, if it is still waiting for an answer.
async fn by_token(db: &impl ConnectionTrait, token: &str) -> AppResult<application_reference::Model> {
    let gone = || AppError::NotFound("This reference link (it may have been used, or expired)".into());
    let r = application_reference::Entity::find()
        .filter(application_reference::Column::TokenHash.eq(hash_token(token.trim())))
        .one(db)
        .await?
        .ok_or_else(gone)?;
    if r.status != Stored::Invited || r.expires_at <= db::now() {
        return Err(gone());
    }
    Ok(r)
}

/// What the rater sees: who asked, for what, and which domains to rate.
pub async fn open(db: &DatabaseConnection, token: &str) -> AppResult<ReferenceRequest> {
    let r = by_token(db, token).await?;
    let app = application::Entity::find_by_id(r.application_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("application vanished"))?;
    let applicant = person::Entity::find_by_id(app.person_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("applicant vanished"))?;
    let affiliate = crate::platform::tenancy::find(db, &app.affiliate_id.to_string()).await?;
    let category = catalog::category(db, &app.category_code).await?;
    Ok(ReferenceRequest {
        applicant_name: format!("{} {}", applicant.given_name, applicant.family_name),
        affiliate_name: affiliate.name,
        category: category.code,
        category_name: category.name,
        rater_name: r.rater_name,
        relationship: r.relationship,
        domains: CompetencyDomain::ALL[..8].to_vec(),
        expires_at: r.expires_at,
    })
}

async fn answer(
    db: &DatabaseConnection,
    token: &str,
    event: ReferenceEvent,
    ratings: Option<Vec<Rating>>,
    comments: Option<String>,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let r = by_token(&txn, token).await?;
    let app = application::Entity::find_by_id(r.application_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("application vanished"))?;
    let now = db::now();
    // `by_token` admits only open invitations; the transition is the rule of record.
    let to = reference::transition(r.status, event, r.expires_at <= now)
        .map_err(|_| AppError::NotFound("This reference link (it may have been used, or expired)".into()))?;
    let mut next: application_reference::ActiveModel = r.clone().into();
    next.status = Set(to);
    next.responded_at = Set(Some(now));
    next.ratings = Set(ratings.map(|r| serde_json::to_value(r).unwrap_or_default()));
    next.comments = Set(comments);
    let updated = next.update(&txn).await?;
    let actor = Actor { kind: crate::platform::audit::ActorKind::Rater, id: None, request_id: None };
    audit::record(
        &txn,
        &actor,
        audit_entry(&app, &updated, if to == Stored::Submitted { "reference.submitted" } else { "reference.declined" }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn submit(db: &DatabaseConnection, token: &str, input: ReferenceSubmission) -> AppResult<()> {
    answer(db, token, ReferenceEvent::Submit, Some(input.ratings), input.comments).await
}

pub async fn decline(db: &DatabaseConnection, token: &str, reason: Option<String>) -> AppResult<()> {
    answer(db, token, ReferenceEvent::Decline, None, reason).await
}
