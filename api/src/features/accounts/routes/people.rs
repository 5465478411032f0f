use actix_web::{HttpResponse, delete, get, http::header, patch, post, web};
use uuid::Uuid;

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, auth::SubjectKind, error::AppError, error::Problem, features::accounts::dto::people::GrantableRole,
    features::accounts::dto::people::PeopleQuery, features::accounts::dto::people::Person,
    features::accounts::dto::people::PersonRoles, features::accounts::dto::people::PersonStatusChange,
    features::accounts::dto::people::RoleGrant, features::accounts::people,
    features::memberships::dto::ExternalMembership, features::memberships::dto::Membership,
    features::memberships::dto::MembershipStatus, features::memberships::dto::MembershipStatusQuery,
    features::memberships::service as memberships, http::etag::Precondition, http::etag::etag, http::extract::ApiJson,
    http::extract::ApiQuery, http::pagination::Page, http::pagination::PageParams, http::pagination::PageRequest,
};

const LIST: &str = "people";

/// Searches the affiliate's people by name or email, and status (coordinators; clients with `people:read`).
#[utoipa::path(
    tag = "people",
    security(("bearer" = []), ("oauth2" = ["people:read"])),
    params(PeopleQuery),
    responses(
        (status = 200, description = "A page of people", body = Page<Person>),
        (status = 403, description = "Not staff of the affiliate", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/people")]
pub async fn search_people(state: AppData, caller: Caller, query: ApiQuery<PeopleQuery>) -> Reply {
    let q = query.0;
    let page = PageRequest::<Uuid>::parse(LIST, q.limit, q.cursor.as_deref())?;
    let rows = people::search(&state.db, &caller, q.q.as_deref(), q.status, &page).await?;
    let (rows, next_cursor) = page.finish(LIST, rows, |p| p.id)?;
    Ok(HttpResponse::Ok().json(Page { data: rows.into_iter().map(Person::from).collect::<Vec<_>>(), next_cursor }))
}

/// One person (staff of their affiliate, or the person themself).
#[utoipa::path(
    tag = "people",
    security(("bearer" = []), ("oauth2" = ["people:read"])),
    params(("id" = Uuid, Path, description = "Person id")),
    responses(
        (status = 200, description = "The person", body = Person, headers(("ETag" = String, description = "Current version"))),
        (status = 404, description = "No such person you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/people/{id}")]
pub async fn get_person(state: AppData, caller: Caller, path: web::Path<Uuid>) -> Reply {
    let p = people::get(&state.db, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(p.version))).json(Person::from(p)))
}

/// Disables or re-enables an account (coordinators). Disabling signs it out everywhere.
#[utoipa::path(
    tag = "people",
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = PersonStatusChange,
    responses(
        (status = 200, description = "Changed", body = Person, headers(("ETag" = String, description = "New version"))),
        crate::http::responses::NotCoordinator,
        (status = 404, description = "No such person you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Your own account, or an account that never set a password", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/people/{id}")]
pub async fn set_person_status(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    precondition: Precondition,
    body: ApiJson<PersonStatusChange>,
) -> Reply {
    let p = people::set_status(&state.db, &caller, path.into_inner(), body.0.status, &precondition).await?;
    state.generations.forget(SubjectKind::Person, p.id);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(p.version))).json(Person::from(p)))
}

/// Grants a role (reviewer, coordinator; admin only by admins).
#[utoipa::path(
    tag = "people",
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = RoleGrant,
    responses(
        (status = 200, description = "The person's roles", body = PersonRoles, headers(("ETag" = String, description = "The person's new version"))),
        (status = 403, description = "Not allowed to grant this role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`account_not_active`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/people/{id}/roles")]
pub async fn grant_role(state: AppData, caller: Caller, path: web::Path<Uuid>, body: ApiJson<RoleGrant>) -> Reply {
    let (p, roles) = people::grant_role(&state.db, &caller, path.into_inner(), body.0.role).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(p.version))).json(PersonRoles {
        person_id: p.id,
        roles,
        version: p.version,
    }))
}

/// Revokes a role. Needs `If-Match` with the person's ETag.
#[utoipa::path(
    tag = "people",
    params(("id" = Uuid, Path, description = "Person id"), ("role" = GrantableRole, Path, description = "The role")),
    responses(
        (status = 200, description = "The person's roles", body = PersonRoles, headers(("ETag" = String, description = "The person's new version"))),
        (status = 403, description = "Not allowed to revoke this role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or the person does not hold the role", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/people/{id}/roles/{role}")]
pub async fn revoke_role(
    state: AppData,
    caller: Caller,
    path: web::Path<(Uuid, GrantableRole)>,
    precondition: Precondition,
) -> Reply {
    let (id, role) = path.into_inner();
    let (p, roles) = people::revoke_role(&state.db, &caller, id, role, &precondition).await?;
    state.generations.forget(SubjectKind::Person, p.id);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(p.version))).json(PersonRoles {
        person_id: p.id,
        roles,
        version: p.version,
    }))
}

/// A person's memberships, newest first (the person, staff, or clients with `memberships:read`).
#[utoipa::path(
    tag = "memberships",
    security(("bearer" = []), ("oauth2" = ["memberships:read"])),
    params(("id" = Uuid, Path, description = "Person id"), PageParams),
    responses(
        (status = 200, description = "A page of the person's memberships, newest first", body = Page<Membership>),
        (status = 404, description = "No such person you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/people/{id}/memberships")]
pub async fn list_person_memberships(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    query: ApiQuery<PageParams>,
) -> Reply {
    crate::features::memberships::routes::history_page(&state, &caller, path.into_inner(), query.0).await
}

/// Records a membership bought elsewhere, e.g. on the association's own site (coordinators; clients with `memberships:write`).
#[utoipa::path(
    tag = "memberships",
    security(("bearer" = []), ("oauth2" = ["memberships:write"])),
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = ExternalMembership,
    responses(
        (status = 201, description = "Recorded", body = Membership),
        (status = 403, description = "Not staff of the affiliate", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/people/{id}/memberships")]
pub async fn record_external_membership(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<ExternalMembership>,
) -> Reply {
    let m = memberships::record_external(&state, &caller, path.into_inner(), body.0).await?;
    let dto = memberships::describe(&state.db, vec![m])
        .await?
        .pop()
        .ok_or_else(|| AppError::internal("membership vanished"))?;
    Ok(HttpResponse::Created().json(dto))
}

/// Is this person's membership active on a day? (default: the affiliate's today).
#[utoipa::path(
    tag = "memberships",
    security(("bearer" = []), ("oauth2" = ["memberships:read"])),
    params(("id" = Uuid, Path, description = "Person id"), MembershipStatusQuery),
    responses(
        (status = 200, description = "The answer", body = MembershipStatus),
        (status = 404, description = "No such person you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/people/{id}/membership-status")]
pub async fn get_membership_status(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    query: ApiQuery<MembershipStatusQuery>,
) -> Reply {
    Ok(HttpResponse::Ok().json(memberships::status(&state.db, &caller, path.into_inner(), query.0.on).await?))
}
