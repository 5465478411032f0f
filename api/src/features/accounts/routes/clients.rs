use actix_web::{HttpResponse, delete, get, http::header, post, web};
use uuid::Uuid;

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, auth::SubjectKind, error::Problem, features::accounts::clients,
    features::accounts::dto::clients::Client, features::accounts::dto::clients::ClientWithSecret,
    features::accounts::dto::clients::NewClient, features::accounts::dto::clients::RotateSecret,
    http::etag::Precondition, http::etag::etag, http::extract::ApiJson, http::extract::ApiQuery,
    http::pagination::Page, http::pagination::PageParams, http::pagination::PageRequest,
};

/// Creates a machine client of one's affiliate (coordinators, admins). The secret is shown once.
#[utoipa::path(
    tag = "clients",
    params(("affiliate" = String, Path, description = "Affiliate code (e.g. `wa`) or id")),
    request_body = NewClient,
    responses(
        (status = 201, description = "Created; keep the secret now, it is not shown again", body = ClientWithSecret),
        (status = 403, description = "Not a coordinator of the affiliate", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[post("/affiliates/{affiliate}/clients")]
pub async fn create_client(state: AppData, caller: Caller, path: web::Path<String>, body: ApiJson<NewClient>) -> Reply {
    caller.require_person()?;
    let (m, secret) = clients::create(&state.db, &caller.actor(), &path.into_inner(), Some(&caller), body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::ETAG, etag(m.version)))
        .json(ClientWithSecret { client: Client::from(m), client_secret: secret }))
}

/// The machine clients of one's affiliate (coordinators).
#[utoipa::path(
    tag = "clients",
    params(PageParams),
    responses(
        (status = 200, description = "A page of clients, oldest first", body = Page<Client>),
        crate::http::responses::NotCoordinator
    )
)]
#[get("/clients")]
pub async fn list_clients(state: AppData, caller: Caller, query: ApiQuery<PageParams>) -> Reply {
    const LIST: &str = "clients";
    let page = PageRequest::parse(LIST, query.0.limit, query.0.cursor.as_deref())?;
    let rows = clients::list(&state.db, &caller, &page).await?;
    let (rows, next_cursor) = page.finish(LIST, rows, |c| c.id)?;
    Ok(HttpResponse::Ok().json(Page { data: rows.into_iter().map(Client::from).collect::<Vec<_>>(), next_cursor }))
}

/// One machine client.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client record id")),
    responses(
        (status = 200, description = "The client", body = Client, headers(("ETag" = String, description = "Current version"))),
        (status = 404, description = "No such client you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/clients/{id}")]
pub async fn get_client(state: AppData, caller: Caller, path: web::Path<Uuid>) -> Reply {
    let m = clients::get(&state.db, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(m.version))).json(Client::from(m)))
}

/// Issues a new secret; the old one may keep working for a grace period.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client record id")),
    request_body = RotateSecret,
    responses(
        (status = 200, description = "The new secret, shown once", body = ClientWithSecret),
        (status = 404, description = "No such client you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`client_revoked`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/clients/{id}/secret")]
pub async fn rotate_client_secret(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<RotateSecret>,
) -> Reply {
    let (m, secret) = clients::rotate(&state.db, &caller, path.into_inner(), body.0).await?;
    state.generations.forget(SubjectKind::Client, m.id);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::ETAG, etag(m.version)))
        .json(ClientWithSecret { client: Client::from(m), client_secret: secret }))
}

/// Revokes a client: its secrets stop working at once. Needs `If-Match`.
#[utoipa::path(
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client record id")),
    responses(
        (status = 200, description = "Revoked", body = Client),
        (status = 404, description = "No such client you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/clients/{id}")]
pub async fn revoke_client(state: AppData, caller: Caller, path: web::Path<Uuid>, precondition: Precondition) -> Reply {
    let m = clients::revoke(&state.db, &caller, path.into_inner(), &precondition).await?;
    state.generations.forget(SubjectKind::Client, m.id);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(m.version))).json(Client::from(m)))
}
