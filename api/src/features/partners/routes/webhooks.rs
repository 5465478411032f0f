//! Webhook subscriptions and their delivery log (coordinators, or clients with `webhooks:manage`).
use actix_web::{HttpResponse, delete, get, http::header, patch, post, web};
use uuid::Uuid;

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::Problem, features::partners::dto::webhooks::Delivery,
    features::partners::dto::webhooks::DeliveryDetail, features::partners::dto::webhooks::DeliveryListQuery,
    features::partners::dto::webhooks::NewSubscription, features::partners::dto::webhooks::SecretRotation,
    features::partners::dto::webhooks::Subscription, features::partners::dto::webhooks::SubscriptionPatch,
    features::partners::dto::webhooks::SubscriptionWithSecret, features::partners::webhooks, http::etag::Precondition,
    http::etag::etag, http::extract::ApiJson, http::extract::ApiQuery, http::pagination::Page,
    http::pagination::PageRequest,
};

/// Subscribes a URL to the affiliate's changes.
///
/// Deliveries follow Standard Webhooks: a JSON body `{type, timestamp, data}` (`data` is
/// the change-feed event) with `webhook-id`, `webhook-timestamp` and `webhook-signature`
/// (`v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` under the base64 key after
/// `whsec_`). Failed attempts are retried with exponential backoff and jitter for three
/// days; then the subscription is disabled and its owner emailed. The URL must be
/// `https` on a public address.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("oauth2" = ["webhooks:manage"])),
    params(crate::http::responses::AffiliatePath),
    request_body = NewSubscription,
    responses(
        (status = 201, description = "Subscribed; the secret is shown this once", body = SubscriptionWithSecret, headers(("ETag" = String, description = "Version"))),
        crate::http::responses::Unauthenticated,
        (status = 403, description = "Not a coordinator of the affiliate, or no `webhooks:manage`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate,
        (status = 422, description = "Bad URL (`url_not_allowed`: not https, or not a public address) or unknown kind", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/affiliates/{affiliate}/webhooks")]
pub async fn create_webhook(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<NewSubscription>,
) -> Reply {
    let created = webhooks::create(&state.db, &state.config.webhooks, &caller, &path.into_inner(), body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(created.subscription.version)))
        .insert_header((header::LOCATION, format!("/v1/webhooks/{}", created.subscription.id)))
        .json(created))
}

/// The affiliate's subscriptions (one page: an affiliate has a handful).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("oauth2" = ["webhooks:manage"])),
    params(crate::http::responses::AffiliatePath),
    responses(
        (status = 200, description = "Subscriptions", body = Page<Subscription>),
        (status = 403, description = "Not a coordinator of the affiliate, or no `webhooks:manage`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/webhooks")]
pub async fn list_webhooks(state: AppData, caller: Caller, path: web::Path<String>) -> Reply {
    let data = webhooks::list(&state.db, &caller, &path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Page { data, next_cursor: None }))
}

/// One subscription.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("oauth2" = ["webhooks:manage"])),
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "The subscription", body = Subscription, headers(("ETag" = String, description = "Version"))),
        (status = 403, description = "No `webhooks:manage`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(state: AppData, caller: Caller, path: web::Path<Uuid>) -> Reply {
    let m = webhooks::visible(&state.db, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(m.version))).json(Subscription::from(m)))
}

/// Changes a subscription's URL, kinds or description, or enables/disables it. Needs `If-Match`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("oauth2" = ["webhooks:manage"])),
    params(("id" = Uuid, Path, description = "Subscription id")),
    request_body = SubscriptionPatch,
    responses(
        (status = 200, description = "Changed", body = Subscription, headers(("ETag" = String, description = "New version"))),
        (status = 403, description = "No `webhooks:manage`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription you may see", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad URL or kind", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    precondition: Precondition,
    body: ApiJson<SubscriptionPatch>,
) -> Reply {
    let m =
        webhooks::update(&state.db, &state.config.webhooks, &caller, path.into_inner(), &precondition, body.0).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(m.version))).json(Subscription::from(m)))
}

/// Removes a subscription and its delivery log. Needs `If-Match`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("oauth2" = ["webhooks:manage"])),
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "No `webhooks:manage`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription you may see", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    precondition: Precondition,
) -> Reply {
    webhooks::delete(&state.db, &caller, path.into_inner(), &precondition).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replaces the signing secret. The previous secret keeps signing too (a second
/// signature in `webhook-signature`) for `overlap_hours`, so the partner can switch
/// without missing a delivery.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("oauth2" = ["webhooks:manage"])),
    params(("id" = Uuid, Path, description = "Subscription id")),
    request_body = SecretRotation,
    responses(
        (status = 200, description = "The new secret, shown this once", body = SubscriptionWithSecret),
        (status = 403, description = "No `webhooks:manage`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/webhooks/{id}/secret-rotation")]
pub async fn rotate_webhook_secret(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<SecretRotation>,
) -> Reply {
    Ok(HttpResponse::Ok().json(webhooks::rotate_secret(&state.db, &caller, path.into_inner(), body.0).await?))
}

/// The delivery log, newest first.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("oauth2" = ["webhooks:manage"])),
    params(("id" = Uuid, Path, description = "Subscription id"), DeliveryListQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = Page<Delivery>),
        (status = 400, description = "Bad status, cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `webhooks:manage`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    query: ApiQuery<DeliveryListQuery>,
) -> Reply {
    let q = query.0;
    let page = PageRequest::<Uuid>::parse("webhook_deliveries", q.limit, q.cursor.as_deref())?;
    let (data, next_cursor) = webhooks::deliveries(&state.db, &caller, path.into_inner(), q.status, &page).await?;
    Ok(HttpResponse::Ok().json(Page { data, next_cursor }))
}

/// One delivery with its payload and every attempt (status code, latency, error).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("oauth2" = ["webhooks:manage"])),
    params(("id" = Uuid, Path, description = "Subscription id"), ("delivery" = Uuid, Path, description = "Delivery id")),
    responses(
        (status = 200, description = "The delivery", body = DeliveryDetail),
        (status = 403, description = "No `webhooks:manage`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/webhooks/{id}/deliveries/{delivery}")]
pub async fn get_webhook_delivery(state: AppData, caller: Caller, path: web::Path<(Uuid, Uuid)>) -> Reply {
    let (id, delivery_id) = path.into_inner();
    Ok(HttpResponse::Ok().json(webhooks::delivery(&state.db, &caller, id, delivery_id).await?))
}

/// Sends a delivery again, under the same `webhook-id` (partners dedupe by it).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("oauth2" = ["webhooks:manage"])),
    params(("id" = Uuid, Path, description = "Subscription id"), ("delivery" = Uuid, Path, description = "Delivery id")),
    responses(
        (status = 202, description = "Queued", body = Delivery),
        (status = 403, description = "No `webhooks:manage`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The subscription is disabled", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery}/redelivery")]
pub async fn redeliver_webhook_delivery(state: AppData, caller: Caller, path: web::Path<(Uuid, Uuid)>) -> Reply {
    let (id, delivery_id) = path.into_inner();
    Ok(HttpResponse::Accepted().json(webhooks::redeliver(&state.db, &caller, id, delivery_id).await?))
}
