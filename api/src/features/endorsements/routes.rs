use actix_web::{HttpResponse, get, http::header, patch, web};
use uuid::Uuid;

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, auth::MaybeCaller, error::Problem, features::endorsements::dto::Endorsement,
    features::endorsements::dto::ListingChange, features::endorsements::dto::RegistryQuery,
    features::endorsements::dto::SignedCredential, features::endorsements::dto::Verification,
    features::endorsements::dto::VerifyQuery, features::endorsements::service as endorsements,
    http::etag::Precondition, http::etag::etag, http::extract::ApiJson, http::extract::ApiQuery,
    http::pagination::Page, http::pagination::PageParams, http::pagination::PageRequest, http::pagination::whole,
};

/// One's own endorsements.
#[utoipa::path(
    tag = "endorsements",
    params(PageParams),
    responses(
        (status = 200, description = "A page of endorsements, oldest first", body = Page<Endorsement>),
        (status = 403, description = "Machine clients", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me/endorsements")]
pub async fn list_my_endorsements(state: AppData, caller: Caller, query: ApiQuery<PageParams>) -> Reply {
    let rows = endorsements::mine(&state.db, &caller).await?;
    Ok(HttpResponse::Ok().json(whole(
        "my-endorsements",
        query.0.parts(),
        rows,
        |e| (e.issued_on, e.id),
        Endorsement::from,
    )?))
}

/// Opts in or out of the public directory (verification by number stays). Needs `If-Match`.
#[utoipa::path(
    tag = "endorsements",
    params(("id" = Uuid, Path, description = "Endorsement id")),
    request_body = ListingChange,
    responses(
        (status = 200, description = "Changed", body = Endorsement, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such endorsement of yours", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/me/endorsements/{id}")]
pub async fn set_endorsement_listing(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    precondition: Precondition,
    body: ApiJson<ListingChange>,
) -> Reply {
    let e = endorsements::set_listed(&state.db, &caller, path.into_inner(), body.0.listed, &precondition).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(e.version))).json(Endorsement::from(e)))
}

/// Verifies an endorsement by number (public): category, status, valid through, and the
/// holder's name when they are listed in the directory. For an unlisted endorsement the
/// name is never shown: give `name` to learn whether it is the holder's (`name_matches`).
#[utoipa::path(
    tag = "endorsements",
    security(()),
    params(("number" = String, Path, description = "Endorsement number, e.g. WA-IMHS-000042"), VerifyQuery),
    responses((status = 200, description = "The endorsement", body = Verification), (status = 404, description = "No such endorsement", body = Problem, content_type = "application/problem+json"))
)]
#[get("/registry/{number}")]
pub async fn verify_endorsement(state: AppData, path: web::Path<String>, query: ApiQuery<VerifyQuery>) -> Reply {
    let (e, p) = endorsements::by_number(&state.db, &path.into_inner()).await?;
    let name = query.0.name;
    let mut answer = verification(e, p.clone());
    answer.name_matches = name.as_deref().map(|n| crate::domain::people::same_name(n, &p.given_name, &p.family_name));
    Ok(HttpResponse::Ok().json(answer))
}

/// The endorsement as a signed, verifiable credential (public for listed endorsements;
/// for an unlisted one, only its holder and the affiliate's staff, with a token). Check it
/// with the JWKS.
#[utoipa::path(
    tag = "endorsements",
    security((), ("bearer" = [])),
    params(("number" = String, Path, description = "Endorsement number")),
    responses((status = 200, description = "A vc+jwt", body = SignedCredential), (status = 404, description = "No such endorsement", body = Problem, content_type = "application/problem+json"))
)]
#[get("/registry/{number}/credential")]
pub async fn get_credential(state: AppData, caller: MaybeCaller, path: web::Path<String>) -> Reply {
    let credential = endorsements::credential(&state, caller.0.as_ref(), &path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(SignedCredential { credential }))
}

/// Searches the public registry of active, listed endorsements by name and category.
#[utoipa::path(
    tag = "endorsements",
    security(()),
    params(RegistryQuery),
    responses((status = 200, description = "A page of listed endorsements", body = Page<Verification>), (status = 404, description = "Unknown affiliate or category", body = Problem, content_type = "application/problem+json"))
)]
#[get("/registry")]
pub async fn search_registry(state: AppData, query: ApiQuery<RegistryQuery>) -> Reply {
    let q = query.0;
    let page = PageRequest::<Uuid>::parse("registry", q.limit, q.cursor.as_deref())?;
    let rows =
        endorsements::registry(&state.db, q.affiliate.as_deref(), q.name.as_deref(), q.category.as_deref(), &page)
            .await?;
    let (rows, next_cursor) = page.finish("registry", rows, |(e, _)| e.id)?;
    let data: Vec<Verification> = rows.into_iter().map(|(e, p)| verification(e, p)).collect();
    Ok(HttpResponse::Ok().json(Page { data, next_cursor }))
}

/// What anyone may know of an endorsement and its holder.
fn verification(e: entity::endorsement::Model, p: entity::person::Model) -> Verification {
    Verification {
        number: e.number,
        holder_name: e.listed.then(|| format!("{} {}", p.given_name, p.family_name)),
        listed: e.listed,
        name_matches: None,
        category: e.category_code,
        status: e.status,
        emerging: e.emerging,
        valid_through: e.expires_on,
    }
}
