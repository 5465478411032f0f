use actix_web::{HttpResponse, get, http::header, post, web};
use uuid::Uuid;

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::Problem, features::billing::dto::Fee, features::billing::dto::FeeQuery,
    features::billing::dto::Invoice, features::billing::dto::InvoiceListQuery, features::billing::dto::NewEntry,
    features::billing::dto::NewFee, features::billing::fees, features::billing::invoices, http::etag::etag,
    http::extract::ApiJson, http::extract::ApiQuery, http::pagination::Page, http::pagination::PageRequest,
    http::pagination::whole, state::AppState,
};
use entity::fee_schedule;

const LIST: &str = "invoices";

/// The affiliate's fees in force on a day (public).
#[utoipa::path(
    tag = "billing",
    security(()),
    params(("affiliate" = String, Path, description = "Affiliate code (e.g. `wa`) or id"), FeeQuery),
    responses(
        (status = 200, description = "A page of the fee schedule, by kind and category", body = Page<Fee>),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/fees")]
pub async fn list_fees(state: AppData, path: web::Path<String>, query: ApiQuery<FeeQuery>) -> Reply {
    let q = query.0;
    let rows = fees::schedule(&state.db, &path.into_inner(), q.on).await?;
    // One fee of each kind and category is in force on a day: that pair is the key.
    let key = |f: &fee_schedule::Model| (f.fee_kind.as_str().to_string(), f.category.clone());
    Ok(HttpResponse::Ok().json(whole("fees", (q.limit, q.cursor.as_deref()), rows, key, Fee::from)?))
}

/// Publishes a fee from a date on (coordinators). Earlier versions stay for earlier dates.
#[utoipa::path(
    tag = "billing",
    params(("affiliate" = String, Path, description = "Affiliate code (e.g. `wa`) or id")),
    request_body = NewFee,
    responses(
        (status = 201, description = "Published", body = Fee),
        (status = 403, description = "Not a coordinator of the affiliate", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate,
        (status = 409, description = "`fee_version_exists`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/affiliates/{affiliate}/fees")]
pub async fn publish_fee(state: AppData, caller: Caller, path: web::Path<String>, body: ApiJson<NewFee>) -> Reply {
    let fee = fees::publish(&state.db, &caller, &path.into_inner(), body.0).await?;
    Ok(HttpResponse::Created().json(Fee::from(fee)))
}

/// One's own invoices.
#[utoipa::path(
    tag = "billing",
    params(InvoiceListQuery),
    responses(
        (status = 200, description = "A page of invoices", body = Page<Invoice>),
        (status = 403, description = "Machine clients have no invoices of their own", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me/invoices")]
pub async fn list_my_invoices(state: AppData, caller: Caller, query: ApiQuery<InvoiceListQuery>) -> Reply {
    page_of(&state, &caller, true, query.0).await
}

/// The affiliate's invoices (coordinators; clients with `invoices:read`).
#[utoipa::path(
    tag = "billing",
    security(("bearer" = []), ("oauth2" = ["invoices:read"])),
    params(InvoiceListQuery),
    responses(
        (status = 200, description = "A page of invoices", body = Page<Invoice>),
        (status = 403, description = "Not staff of the affiliate", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/invoices")]
pub async fn list_invoices(state: AppData, caller: Caller, query: ApiQuery<InvoiceListQuery>) -> Reply {
    page_of(&state, &caller, false, query.0).await
}

async fn page_of(state: &AppState, caller: &Caller, own: bool, q: InvoiceListQuery) -> Reply {
    let page = PageRequest::<Uuid>::parse(LIST, q.limit, q.cursor.as_deref())?;
    let rows = invoices::list(&state.db, caller, own, q.person_id, q.status, &page).await?;
    let (rows, next_cursor) = page.finish(LIST, rows, |i| i.id)?;
    let mut data = Vec::with_capacity(rows.len());
    for row in rows {
        data.push(invoices::load(&state.db, row).await?);
    }
    Ok(HttpResponse::Ok().json(Page { data, next_cursor }))
}

/// One invoice with its lines and entries (its owner, or staff of its affiliate).
#[utoipa::path(
    tag = "billing",
    security(("bearer" = []), ("oauth2" = ["invoices:read"])),
    params(("id" = Uuid, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "The invoice", body = Invoice, headers(("ETag" = String, description = "Current version"))),
        (status = 404, description = "No such invoice you may see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/invoices/{id}")]
pub async fn get_invoice(state: AppData, caller: Caller, path: web::Path<Uuid>) -> Reply {
    let inv = invoices::get(&state.db, &caller, path.into_inner()).await?;
    let version = inv.version;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(invoices::load(&state.db, inv).await?))
}

/// Records a payment (partial allowed), refund or waiver (coordinators; clients with
/// `payments:write`). Settling the invoice fires what waited for it, once.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = []), ("oauth2" = ["payments:write"])),
    params(("id" = Uuid, Path, description = "Invoice id")),
    request_body = NewEntry,
    responses(
        (status = 201, description = "Recorded; the invoice as it now stands", body = Invoice),
        (status = 403, description = "Not staff of the affiliate", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invoice_void`", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/invoices/{id}/entries")]
pub async fn record_invoice_entry(
    state: AppData,
    caller: Caller,
    path: web::Path<Uuid>,
    body: ApiJson<NewEntry>,
) -> Reply {
    let inv = invoices::record_entry(&state, &caller, path.into_inner(), body.0).await?;
    let version = inv.version;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(version))).json(invoices::load(&state.db, inv).await?))
}
