use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, domain::engine::Evaluation, error::Problem, features::affiliates::catalog,
    features::affiliates::dto::catalog::Category, features::affiliates::dto::catalog::CategoryQuery,
    features::affiliates::dto::catalog::Family, features::affiliates::dto::catalog::FitCheck,
    features::affiliates::dto::catalog::NewPolicyVersion, features::affiliates::dto::catalog::OnQuery,
    features::affiliates::dto::catalog::PolicyListQuery, features::affiliates::dto::catalog::PolicyVersion,
    features::affiliates::dto::catalog::ProfileRequest, features::affiliates::fit_check as fitcheck,
    features::affiliates::policies, http::extract::ApiJson, http::extract::ApiQuery, http::pagination::Page,
    http::pagination::PageParams, http::pagination::PageRequest, http::pagination::whole, platform::clock::today,
};

/// The credential families (public).
#[utoipa::path(
    tag = "catalog",
    security(()),
    params(PageParams),
    responses((status = 200, description = "A page of families, by code", body = Page<Family>))
)]
#[get("/credential-families")]
pub async fn list_families(state: AppData, query: ApiQuery<PageParams>) -> Reply {
    let rows = catalog::families(&state.db).await?;
    Ok(HttpResponse::Ok().json(whole("families", query.0.parts(), rows, |f| f.code.clone(), Family::from)?))
}

/// What every closed set a person sees reads as, in English and Spanish (public).
///
/// Competency domains, work kinds, age bands, training tags, reference kinds and degree
/// levels, each value with its `en` and `es` label, so a front end shows the service's
/// words in the reader's language. Category and plan names come with their own resources.
#[utoipa::path(
    tag = "catalog",
    security(()),
    responses((status = 200, description = "The labels of each set", body = crate::domain::labels::Labels))
)]
#[get("/labels")]
pub async fn list_labels() -> Reply {
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "public, max-age=3600")).json(crate::domain::labels::all()))
}

/// The credential categories, optionally of one family (public).
#[utoipa::path(
    tag = "catalog",
    security(()),
    params(CategoryQuery),
    responses(
        (status = 200, description = "A page of categories, by family and rank", body = Page<Category>),
        (status = 400, description = "Unknown family", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/credential-categories")]
pub async fn list_categories(state: AppData, query: ApiQuery<CategoryQuery>) -> Reply {
    let q = query.0;
    let rows = catalog::categories(&state.db, q.family.as_deref()).await?;
    let key = |c: &entity::credential_category::Model| (c.family_code.clone(), c.rank, c.code.clone());
    Ok(HttpResponse::Ok().json(whole("categories", (q.limit, q.cursor.as_deref()), rows, key, Category::from)?))
}

/// One category, by slug (`imhm-rf`) or code (public).
#[utoipa::path(
    tag = "catalog",
    security(()),
    params(("category" = String, Path, description = "Slug (e.g. `ifs`, `imhm-rf`) or code")),
    responses(
        (status = 200, description = "The category", body = Category),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/credential-categories/{category}")]
pub async fn get_category(state: AppData, path: web::Path<String>) -> Reply {
    Ok(HttpResponse::Ok().json(Category::from(catalog::category(&state.db, &path.into_inner()).await?)))
}

/// The affiliate's policy for every category, as in force on a day (public).
#[utoipa::path(
    tag = "catalog",
    security(()),
    params(crate::http::responses::AffiliatePath, PolicyListQuery),
    responses(
        (status = 200, description = "A page of the versions in force, by category", body = Page<PolicyVersion>),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/policies")]
pub async fn list_policies_in_force(
    state: AppData,
    path: web::Path<String>,
    query: ApiQuery<PolicyListQuery>,
) -> Reply {
    let q = query.0;
    let affiliate = crate::platform::tenancy::find(&state.db, &path.into_inner()).await?;
    let rows = policies::all_in_force(&state.db, affiliate.id, q.on.unwrap_or_else(|| today(&affiliate))).await?;
    let rows = rows.into_iter().map(policies::to_dto).collect::<Result<Vec<_>, _>>()?;
    // One version of each category is in force on a day.
    Ok(HttpResponse::Ok().json(whole("policies", (q.limit, q.cursor.as_deref()), rows, |p| p.category.clone(), |p| p)?))
}

/// The affiliate's policy for one category, as in force on a day (public).
#[utoipa::path(
    tag = "catalog",
    security(()),
    params(crate::http::responses::AffiliatePath, ("category" = String, Path, description = "Category slug or code"), OnQuery),
    responses(
        (status = 200, description = "The version in force", body = PolicyVersion),
        (status = 404, description = "No such affiliate or category, or no policy in force then", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/affiliates/{affiliate}/policies/{category}")]
pub async fn get_policy_in_force(state: AppData, path: web::Path<(String, String)>, query: ApiQuery<OnQuery>) -> Reply {
    let (affiliate, category) = path.into_inner();
    let v = policies::current(&state.db, &affiliate, &category, query.0.on).await?;
    Ok(HttpResponse::Ok().json(policies::to_dto(v)?))
}

/// Every version of a category's policy (public).
#[utoipa::path(
    tag = "catalog",
    security(()),
    params(crate::http::responses::AffiliatePath, ("category" = String, Path, description = "Category slug or code"), PageParams),
    responses(
        (status = 200, description = "A page of versions, oldest first", body = Page<PolicyVersion>),
        (status = 404, description = "No such affiliate or category", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/affiliates/{affiliate}/policies/{category}/versions")]
pub async fn list_policy_versions(
    state: AppData,
    path: web::Path<(String, String)>,
    query: ApiQuery<PageParams>,
) -> Reply {
    const LIST: &str = "policy-versions";
    let (affiliate, category) = path.into_inner();
    let page = PageRequest::parse(LIST, query.0.limit, query.0.cursor.as_deref())?;
    let rows = policies::versions(&state.db, &affiliate, &category, &page).await?;
    let (rows, next_cursor) = page.finish(LIST, rows, |v| v.number)?;
    let data = rows.into_iter().map(policies::to_dto).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page { data, next_cursor }))
}

/// Publishes a new version of a category's requirements (coordinators). It is validated;
/// it takes effect from its date, never before today.
#[utoipa::path(
    tag = "catalog",
    params(crate::http::responses::AffiliatePath, ("category" = String, Path, description = "Category slug or code")),
    request_body = NewPolicyVersion,
    responses(
        (status = 201, description = "Published", body = PolicyVersion),
        (status = 403, description = "Not a coordinator of the affiliate", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such affiliate or category", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/affiliates/{affiliate}/policies/{category}/versions")]
pub async fn publish_policy_version(
    state: AppData,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: ApiJson<NewPolicyVersion>,
) -> Reply {
    let (affiliate, category) = path.into_inner();
    let v = policies::publish(&state.db, &caller, &affiliate, &category, body.0).await?;
    Ok(HttpResponse::Created().json(policies::to_dto(v)?))
}

/// One policy version by id (public): what an application started under it is held to.
#[utoipa::path(
    tag = "catalog",
    security(()),
    params(("id" = Uuid, Path, description = "Policy version id")),
    responses(
        (status = 200, description = "The version", body = PolicyVersion),
        (status = 404, description = "No such version", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/policy-versions/{id}")]
pub async fn get_policy_version(state: AppData, path: web::Path<Uuid>) -> Reply {
    Ok(HttpResponse::Ok().json(policies::to_dto(policies::get(&state.db, path.into_inner()).await?)?))
}

/// Evaluates a profile against one policy version, requirement by requirement (public).
#[utoipa::path(
    tag = "catalog",
    security(()),
    params(("id" = Uuid, Path, description = "Policy version id")),
    request_body = ProfileRequest,
    responses(
        (status = 200, description = "The evaluation", body = Evaluation),
        (status = 404, description = "No such version", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/policy-versions/{id}/evaluations")]
pub async fn evaluate_policy_version(state: AppData, path: web::Path<Uuid>, body: ApiJson<ProfileRequest>) -> Reply {
    let v = policies::get(&state.db, path.into_inner()).await?;
    let affiliate = crate::platform::tenancy::find(&state.db, &v.affiliate_id.to_string()).await?;
    let on = body.0.on.unwrap_or_else(|| today(&affiliate));
    Ok(HttpResponse::Ok().json(policies::evaluate_version(&state.db, &v, &body.0.profile, on).await?))
}

/// "Find the right fit": a profile held against every category of the affiliate (public).
#[utoipa::path(
    tag = "catalog",
    security(()),
    params(crate::http::responses::AffiliatePath),
    request_body = ProfileRequest,
    responses(
        (status = 200, description = "How the profile fits each category", body = FitCheck),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[post("/affiliates/{affiliate}/fit-checks")]
pub async fn check_fit(state: AppData, path: web::Path<String>, body: ApiJson<ProfileRequest>) -> Reply {
    let req = body.0;
    Ok(HttpResponse::Ok().json(
        fitcheck::check(
            &state.db,
            &path.into_inner(),
            &req.profile,
            req.on,
            crate::features::affiliates::dto::catalog::FitSource::Request,
        )
        .await?,
    ))
}

/// The signed-in person's fit, estimated from their registration and membership.
#[utoipa::path(
    tag = "catalog",
    responses(
        (status = 200, description = "How the person fits each category", body = FitCheck),
        (status = 403, description = "Machine clients have no profile", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me/fit-check")]
pub async fn check_my_fit(state: AppData, caller: Caller) -> Reply {
    Ok(HttpResponse::Ok().json(fitcheck::for_me(&state.db, &caller).await?))
}
