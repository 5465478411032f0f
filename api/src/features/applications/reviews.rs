//! Review: coordinators assign two reviewers (endorsed at the category's level or higher
//! in its family, never the applicant, never one of its raters); reviewers see only what
//! is assigned to them and recommend; the coordinator decides. Everything audited.
use crate::error::ProblemCode;
use crate::mail::{
    self, locale,
    locale::Locale,
    messages::{About, Decided, Mail},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::{
    auth::Caller, db, db::begin_write, domain::application::Action, domain::application::State,
    domain::people::identity_email, domain::roles::Role, error::AppError, error::AppResult, features::accounts::people,
    features::accounts::people::roles_of, features::affiliates::catalog, features::affiliates::policies,
    features::applications::dto::review::Decision, features::applications::dto::review::DecisionKind,
    features::applications::dto::review::ReviewInput, features::applications::service as applications,
    features::applications::service::Access, features::endorsements::service as endorsements,
    http::pagination::PageRequest, platform::audit, platform::audit::AuditEntry, state::AppState,
};
use entity::{
    application, application::ApplicationKind, application_reference, endorsement, endorsement::EndorsementStatus,
    person, person::PersonStatus, review,
};

pub const REVIEWERS: usize = 2;

async fn reviews_of(db: &impl ConnectionTrait, app: Uuid) -> AppResult<Vec<review::Model>> {
    Ok(review::Entity::find()
        .filter(review::Column::ApplicationId.eq(app))
        .order_by_asc(review::Column::Id)
        .all(db)
        .await?)
}

/// Assigns a reviewer; the second assignment... any assignment starts the review.
pub async fn assign(
    db: &DatabaseConnection,
    links: &crate::mail::links::Links,
    caller: &Caller,
    app_id: Uuid,
    reviewer_id: Uuid,
    advisory: bool,
) -> AppResult<review::Model> {
    let txn = begin_write(db).await?;
    let app = applications::visible(&txn, caller, app_id, Access::Staff).await?;
    let state = app.state;
    if advisory && !state.is_editable() {
        return Err(AppError::invalid_state("application", app.state, "an advisory review comes before submission"));
    }
    if !advisory && !matches!(state, State::Submitted | State::Resubmitted | State::InReview) {
        return Err(AppError::invalid_state(
            "application",
            app.state,
            "reviewers are assigned to submitted applications",
        ));
    }
    let invalid = |m: &str| AppError::invalid_field("reviewer_id", "ineligible_reviewer", m.to_string());
    let reviewer = person::Entity::find_by_id(reviewer_id)
        .one(&txn)
        .await?
        .filter(|p| p.affiliate_id == app.affiliate_id && p.status == PersonStatus::Active)
        .ok_or_else(|| invalid("not an active person of this affiliate"))?;
    if reviewer.id == app.person_id {
        return Err(AppError::conflict_of_interest("The applicant cannot review their own application."));
    }
    if !roles_of(&txn, reviewer.id).await?.contains(&Role::Reviewer) {
        return Err(invalid("does not hold the reviewer role"));
    }
    let raters = app.find_related(application_reference::Entity).all(&txn).await?;
    let addresses = people::known_addresses(&txn, &reviewer).await?;
    if raters.iter().any(|r| addresses.contains(&identity_email(&r.rater_email))) {
        return Err(AppError::conflict_of_interest("This person is a reference rater of the application."));
    }
    let category = catalog::category(&txn, &app.category_code).await?;
    let held = endorsement::Entity::find()
        .filter(endorsement::Column::PersonId.eq(reviewer.id))
        .filter(endorsement::Column::Status.eq(EndorsementStatus::Active))
        .all(&txn)
        .await?;
    let mut qualified = false;
    for e in held {
        let c = catalog::category(&txn, &e.category_code).await?;
        qualified |= c.family_code == category.family_code && c.rank >= category.rank;
    }
    if !qualified {
        return Err(invalid("is not endorsed at this category's level or higher"));
    }
    let current = reviews_of(&txn, app.id).await?;
    if current.iter().any(|r| r.reviewer_id == reviewer.id) {
        return Err(AppError::conflict(ProblemCode::AlreadyAssigned, "This reviewer is already assigned."));
    }
    if !advisory && current.iter().filter(|r| !r.advisory).count() >= REVIEWERS {
        return Err(AppError::conflict(
            ProblemCode::ReviewersFull,
            format!("An application has {REVIEWERS} reviewers."),
        ));
    }
    let r = review::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(app.id),
        reviewer_id: Set(reviewer.id),
        assigned_by: Set(Some(caller.id)),
        assigned_at: Set(db::now()),
        advisory: Set(advisory),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let actor = caller.actor();
    if !advisory && state != State::InReview {
        applications::apply(&txn, &app, Action::StartReview, &actor, None).await?;
    }
    audit::record(
        &txn,
        &actor,
        AuditEntry::new(Some(app.affiliate_id), "review.assigned", "application", app.id)
            .after(serde_json::json!({"reviewer_id": reviewer.id, "advisory": advisory})),
    )
    .await?;
    let category = locale::category(&txn, &app.category_code, Locale(reviewer.preferred_language)).await?;
    let assigned = Mail::ReviewerAssigned(About { category, link: links.application(app.id) });
    mail::to_person(&txn, &reviewer, &assigned).await?;
    txn.commit().await?;
    Ok(r)
}

/// The reviews assigned to the caller.
/// A page of the reviews assigned to the caller, oldest first.
pub async fn mine(db: &DatabaseConnection, caller: &Caller, page: &PageRequest<Uuid>) -> AppResult<Vec<review::Model>> {
    caller.require_person()?;
    let mut query = review::Entity::find()
        .filter(review::Column::ReviewerId.eq(caller.id))
        .order_by_asc(review::Column::Id)
        .limit(page.fetch_limit());
    if let Some(after) = page.after {
        query = query.filter(review::Column::Id.gt(after));
    }
    Ok(query.all(db).await?)
}

/// The reviews of an application (staff, or its reviewers).
pub async fn of_application(db: &DatabaseConnection, caller: &Caller, app_id: Uuid) -> AppResult<Vec<review::Model>> {
    let app = applications::visible(db, caller, app_id, Access::Read).await?;
    if app.person_id == caller.id && !caller.manages_affiliate(app.affiliate_id) {
        return Err(AppError::Forbidden("Applicants see decisions, not reviews.".into()));
    }
    reviews_of(db, app.id).await
}

/// An assigned reviewer records (or changes) their recommendation while in review.
pub async fn recommend(
    db: &DatabaseConnection,
    caller: &Caller,
    app_id: Uuid,
    input: ReviewInput,
) -> AppResult<review::Model> {
    let txn = begin_write(db).await?;
    let app = application::Entity::find_by_id(app_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("Application".into()))?;
    let r = review::Entity::find()
        .filter(review::Column::ApplicationId.eq(app.id))
        .filter(review::Column::ReviewerId.eq(caller.id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("Application".into()))?;
    let open_for_it = if r.advisory { app.state.is_editable() } else { app.state == State::InReview };
    if !open_for_it {
        return Err(AppError::invalid_state(
            "application",
            app.state,
            "recommendations are given while the application is in review (advisory ones: before submission)",
        ));
    }
    let mut next: review::ActiveModel = r.clone().into();
    let rec = input.recommendation;
    next.recommendation = Set(Some(rec));
    next.reasons = Set(input.reasons);
    next.comments = Set(input.comments);
    next.submitted_at = Set(Some(db::now()));
    let updated = next.update(&txn).await?;
    audit::by(
        &txn,
        caller,
        AuditEntry::new(Some(app.affiliate_id), "review.recommended", "application", app.id)
            .before_opt(r.recommendation.map(|x| serde_json::json!({"recommendation": x})))
            .after(serde_json::json!({"recommendation": rec})),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The coordinator's decision. Approving, marking emerging or declining needs both
/// reviewers' recommendations. Approval issues the endorsement, or (with an exam) the
/// approval to sit it. Deferral reasons go to the applicant.
pub async fn decide(state: &AppState, caller: &Caller, app_id: Uuid, input: Decision) -> AppResult<application::Model> {
    let txn = begin_write(&state.db).await?;
    let app = applications::visible(&txn, caller, app_id, Access::Staff).await?;
    let actor = caller.actor();
    let version = policies::get(&txn, app.policy_version_id).await?;
    let exam = policies::requirements(&version)?.exam_required;
    let reinstatement = app.kind == ApplicationKind::Reinstatement;
    // A reinstatement is decided by the coordinator directly, with no exam.
    let app = if reinstatement && matches!(app.state, State::Submitted | State::Resubmitted) {
        applications::apply(&txn, &app, Action::StartReview, &actor, None).await?
    } else {
        app
    };
    let action = match input.decision {
        DecisionKind::Approve if exam && !reinstatement => Action::ApproveForExam,
        DecisionKind::Approve => Action::Endorse,
        DecisionKind::Emerging => Action::MarkEmerging,
        DecisionKind::Defer => Action::Defer,
        DecisionKind::Hold => Action::Hold,
        DecisionKind::Resume => Action::Resume,
        DecisionKind::Decline => Action::Decline,
    };
    // The state decides first (409 naming it); then whether both reviews are in.
    let from = app.state;
    crate::domain::application::transition(from, action, app.category_code.ends_with("FRS"))
        .map_err(|e| AppError::invalid_state("application", from, e))?;
    if !reinstatement
        && matches!(action, Action::ApproveForExam | Action::Endorse | Action::MarkEmerging | Action::Decline)
    {
        let done = reviews_of(&txn, app.id).await?.iter().filter(|r| !r.advisory && r.submitted_at.is_some()).count();
        if done < REVIEWERS {
            return Err(AppError::Conflict {
                code: ProblemCode::ReviewsIncomplete,
                detail: format!("{done} of {REVIEWERS} reviewers have recommended."),
                current_state: Some(app.state.as_str().into()),
            });
        }
    }
    let updated = applications::apply(&txn, &app, action, &actor, input.reasons.clone()).await?;
    match action {
        Action::Endorse if reinstatement => {
            endorsements::reinstate(&txn, &actor, &updated).await?;
        }
        Action::Endorse if from == State::Emerging => {
            endorsements::graduate(&txn, &actor, &updated).await?;
        }
        Action::Endorse => {
            endorsements::issue(&txn, &state.links, &actor, &updated, false).await?;
        }
        Action::MarkEmerging => {
            endorsements::issue(&txn, &state.links, &actor, &updated, true).await?;
        }
        _ => {}
    }
    if let Some(applicant) = person::Entity::find_by_id(app.person_id).one(&txn).await? {
        let category = locale::category(&txn, &app.category_code, Locale(applicant.preferred_language)).await?;
        let link = state.links.application(app.id);
        let reasons = input.reasons.clone().unwrap_or_default();
        let decided = || Decided { category: category.clone(), reasons: reasons.clone(), link: link.clone() };
        let told = match action {
            Action::Defer => Some(Mail::ApplicationDeferred(decided())),
            Action::ApproveForExam => {
                Some(Mail::ApplicationApprovedForExam(About { category: category.clone(), link: link.clone() }))
            }
            Action::Decline => Some(Mail::ApplicationDeclined(decided())),
            Action::Hold => Some(Mail::ApplicationOnHold(decided())),
            // Endorsing sends the endorsement's own email (endorsements::issue).
            _ => None,
        };
        if let Some(told) = told {
            mail::to_person(&txn, &applicant, &told).await?;
        }
    }
    txn.commit().await?;
    Ok(updated)
}

/// The advisory feedback on an application, for its applicant (and staff).
pub async fn advisory_feedback(
    db: &DatabaseConnection,
    caller: &Caller,
    app_id: Uuid,
) -> AppResult<Vec<review::Model>> {
    let app = applications::visible(db, caller, app_id, Access::Read).await?;
    Ok(reviews_of(db, app.id).await?.into_iter().filter(|r| r.advisory).collect())
}
