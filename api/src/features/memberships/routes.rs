use actix_web::{HttpResponse, get, http::header, patch, post, web};
use uuid::Uuid;

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::AppError, error::Problem, features::billing::invoices, features::memberships::dto::JoinPlan,
    features::memberships::dto::Joined, features::memberships::dto::Membership,
    features::memberships::dto::MembershipListQuery, features::memberships::dto::NewPlan,
    features::memberships::dto::Plan, features::memberships::dto::PlanPatch,
    features::memberships::service as memberships, http::etag::Precondition, http::etag::etag, http::extract::ApiJson,
    http::extract::ApiQuery, http::pagination::Page, http::pagination::PageParams, http::pagination::PageRequest,
    http::pagination::whole, state::AppState,
};

const LIST: &str = "memberships";

/// An affiliate's membership plans (public).
#[utoipa::path(
    tag = "memberships",
    security(()),
    params(("affiliate" = String, Path, description = "Affiliate code (e.g. `wa`) or id"), PageParams),
    responses(
        (status = 200, description = "A page of plans, by name", body = Page<Plan>),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/membership-plans")]
pub async fn list_membership_plans(state: AppData, path: web::Path<String>, query: ApiQuery<PageParams>) -> Reply {
    let rows = memberships::plans(&state.db, &path.into_inner()).await?;
    let key = |p: &entity::membership_plan::Model| (p.name.clone(), p.id);
    Ok(HttpResponse::Ok().json(whole("membership-plans", query.0.parts(), rows, key, Plan::from)?))
}

/// Creates a membership plan (coordinators).
#[utoipa::path(
    tag = "memberships",
    params(("affiliate" = String, Path, description = "Affiliate code (e.g. `wa`) or id")),
    request_body = NewPlan,
    responses(
        (status = 201, description = "Created", body = Plan, headers(("ETag" = String, description = "Current version"))),
        (status = 403, description = "Not a coordinator of the affiliate", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[post("/affiliates/{affiliate}/membership-plans")]
pub async fn create_membership_plan(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<NewPlan>,
) -> Reply {
    let plan = memberships::create_plan(&state.db, &caller, &path.into_inner(), body.0).await?;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(plan.version))).json(Plan::from(plan)))
}

/// Changes a plan (coordinators). Needs `If-Match`. Existing memberships keep their dates.
#[utoipa::path(
    tag = "memberships",
    params(("id" = Uuid, Path, description = "Plan id")),
    request_body = PlanPatch,
    responses(
        (status = 200, description = "Updated", body = Plan, headers(("ETag" = String, description = "New version"))),
        (status = 403, description = "Not a coordinator of the affiliate", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/membership-plans/{id}")]
pub async fn update_membership_plan(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    precondition: Precondition,
    body: ApiJson<PlanPatch>,
) -> Reply {
    let plan = memberships::update_plan(&state.db, &caller, path.into_inner(), &precondition, body.0).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(plan.version))).json(Plan::from(plan)))
}

/// Joins or renews a plan of one's affiliate: a pending membership and its invoice. The
/// membership becomes active when the invoice is settled.
#[utoipa::path(
    tag = "memberships",
    request_body = JoinPlan,
    responses(
        (status = 201, description = "Joined; pay the invoice", body = Joined),
        (status = 403, description = "Machine clients cannot join", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan of your affiliate", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`plan_inactive`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/me/memberships")]
pub async fn join_membership(state: AppData, caller: Caller, body: ApiJson<JoinPlan>) -> Reply {
    let (m, inv) = memberships::join(&state, &caller, body.0.plan_id).await?;
    let membership = memberships::describe(&state.db, vec![m])
        .await?
        .pop()
        .ok_or_else(|| AppError::internal("membership vanished"))?;
    let invoice = invoices::load(&state.db, inv).await?;
    Ok(HttpResponse::Created().json(Joined { membership, invoice }))
}

/// One's own memberships, newest first.
#[utoipa::path(
    tag = "memberships",
    params(PageParams),
    responses(
        (status = 200, description = "A page of one's memberships, newest first", body = Page<Membership>),
        (status = 403, description = "Machine clients have no memberships", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me/memberships")]
pub async fn list_my_memberships(state: AppData, caller: Caller, query: ApiQuery<PageParams>) -> Reply {
    caller.require_person()?;
    history_page(&state, &caller, caller.id, query.0).await
}

/// A page of a person's memberships (one's own, or a person's for staff).
pub async fn history_page(state: &AppState, caller: &Caller, person_id: Uuid, query: PageParams) -> Reply {
    const LIST: &str = "membership-history";
    let page = PageRequest::parse(LIST, query.limit, query.cursor.as_deref())?;
    let rows = memberships::history(&state.db, caller, person_id, &page).await?;
    let (data, next_cursor) = page.finish(LIST, rows, |m| m.id)?;
    Ok(HttpResponse::Ok().json(Page { data, next_cursor }))
}

/// The affiliate's memberships by status on a day (coordinators; clients with `memberships:read`).
#[utoipa::path(
    tag = "memberships",
    security(("bearer" = []), ("oauth2" = ["memberships:read"])),
    params(MembershipListQuery),
    responses(
        (status = 200, description = "A page of memberships", body = Page<Membership>),
        (status = 403, description = "Not staff of the affiliate", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/memberships")]
pub async fn list_memberships(state: AppData, caller: Caller, query: ApiQuery<MembershipListQuery>) -> Reply {
    let q = query.0;
    let page = PageRequest::<Uuid>::parse(LIST, q.limit, q.cursor.as_deref())?;
    let rows = memberships::list(&state.db, &caller, q.status, q.on, q.person_id, &page).await?;
    let (rows, next_cursor) = page.finish(LIST, rows, |m| m.id)?;
    Ok(HttpResponse::Ok().json(Page { data: rows, next_cursor }))
}
