//! Partner sync: the change feed, bulk upserts by external id, and CSV imports.
use actix_web::{HttpResponse, get, post, web};

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::AppError, error::Problem, features::partners::dto::sync::ChangeFeed,
    features::partners::dto::sync::EndorsementSyncRequest, features::partners::dto::sync::FeedQuery,
    features::partners::dto::sync::ImportMode, features::partners::dto::sync::ImportQuery,
    features::partners::dto::sync::ImportReport, features::partners::dto::sync::MAX_SYNC_ITEMS,
    features::partners::dto::sync::MembershipSyncRequest, features::partners::dto::sync::PeopleSyncRequest,
    features::partners::dto::sync::RenewalEntrySyncRequest, features::partners::dto::sync::SyncResponse,
    features::partners::feed, features::partners::imports, features::partners::sync,
    features::partners::sync::SyncKind, features::partners::sync::WriteMode, http::extract::ApiJson,
    http::extract::ApiQuery, http::extract::CsvBody, state::AppState,
};

/// The affiliate's changes in commit order (coordinators, or clients with `sync:read`).
///
/// Save `next_cursor` and poll with it: every committed change comes exactly once, in
/// the order the changes committed, also when several replicas write at once.
#[utoipa::path(
    tag = "sync",
    security(("bearer" = []), ("oauth2" = ["sync:read"])),
    params(crate::http::responses::AffiliatePath, FeedQuery),
    responses(
        (status = 200, description = "A page of changes", body = ChangeFeed),
        (status = 400, description = "Bad cursor or limit", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::Unauthenticated,
        (status = 403, description = "Not a coordinator of the affiliate, or no `sync:read`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate
    )
)]
#[get("/affiliates/{affiliate}/changes")]
pub async fn list_changes(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    query: ApiQuery<FeedQuery>,
) -> Reply {
    let q = query.0;
    let page = feed::page(&state.db, &caller, &path.into_inner(), q.cursor.as_deref(), q.limit).await?;
    Ok(HttpResponse::Ok().json(page))
}

async fn bulk(
    state: &AppState,
    caller: &Caller,
    affiliate: &str,
    kind: SyncKind,
    items: Vec<serde_json::Value>,
) -> Reply {
    if items.len() > MAX_SYNC_ITEMS {
        return Err(AppError::PayloadTooLargeItems { max: MAX_SYNC_ITEMS, got: items.len() });
    }
    let (counts, results) = sync::run(&state.db, caller, affiliate, kind, items, WriteMode::EachItem, 0).await?;
    Ok(HttpResponse::Ok().json(SyncResponse { counts, results }))
}

/// One bulk upsert route per kind of record: the same callers, limits and answers.
macro_rules! upsert_route {
    ($(#[doc = $doc:tt])* $name:ident as $op:tt, $path:tt, $body:ident, $kind:ident) => {
        $(#[doc = $doc])*
        #[utoipa::path(
            operation_id = $op,
            tag = "sync",
            security(("bearer" = []), ("oauth2" = ["sync:write"])),
            params(crate::http::responses::AffiliatePath),
            request_body = $body,
            responses(
                (status = 200, description = "Per-item results", body = SyncResponse),
                crate::http::responses::Unauthenticated,
                (status = 403, description = "Not a coordinator of the affiliate, or no `sync:write`", body = Problem, content_type = "application/problem+json"),
                crate::http::responses::NoSuchAffiliate,
                (status = 413, description = "More than 1000 items", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "The body is not `{items: [...]}`", body = Problem, content_type = "application/problem+json")
            )
        )]
        #[post($path)]
        pub async fn $name(state: AppData, caller: Caller, path: web::Path<String>, body: ApiJson<$body>) -> Reply {
            bulk(&state, &caller, &path.into_inner(), SyncKind::$kind, body.0.items).await
        }
    };
}

upsert_route!(
    /// Upserts people by the partner's ids (at most 1000 per request; coordinators, or clients with `sync:write`).
    ///
    /// Each item gets its own result: `created`, `updated`, `unchanged` or `failed` with a
    /// problem. The same request sent again reports `unchanged` and writes nothing; with an
    /// `Idempotency-Key` the first answer is replayed.
    people as "sync_people", "/affiliates/{affiliate}/sync/people", PeopleSyncRequest, People
);
upsert_route!(
    /// Upserts memberships bought on the partner's site (at most 1000 per request).
    memberships as "sync_memberships", "/affiliates/{affiliate}/sync/memberships", MembershipSyncRequest, Memberships
);
upsert_route!(
    /// Upserts trainings and RSC entries on people's renewals (at most 1000 per request).
    renewal_entries as "sync_renewal_entries", "/affiliates/{affiliate}/sync/renewal-entries", RenewalEntrySyncRequest, RenewalEntries
);
upsert_route!(
    /// Imports endorsements from a legacy system with their original numbers and dates (at most 1000 per request).
    endorsements as "sync_endorsements", "/affiliates/{affiliate}/sync/endorsements", EndorsementSyncRequest, Endorsements
);

/// Imports people from CSV (coordinators, or clients with `sync:write`).
///
/// Columns: `external_id`, `email`, `given_name`, `family_name` (required), and
/// `preferred_language`, `phone`, `address_line1`, `address_line2`, `city`, `region`,
/// `postal_code`, `country`. `mode=dry_run` (the default) reports each row's outcome and
/// writes nothing; `mode=apply` writes every row, or nothing (422 listing the rows) when
/// any row has a problem. At most 10 000 rows.
#[utoipa::path(
    tag = "sync",
    security(("bearer" = []), ("oauth2" = ["sync:write"])),
    params(crate::http::responses::AffiliatePath, ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "A header row, then one person per row"),
    responses(
        (status = 200, description = "Per-row results; `applied` tells whether they were written", body = ImportReport),
        (status = 400, description = "Unreadable CSV, or unknown or missing columns", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator of the affiliate, or no `sync:write`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate,
        (status = 413, description = "More than 10 000 rows", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not text/csv", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`apply` refused: rows with problems (`errors` names `rows[n].field`); nothing written", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/affiliates/{affiliate}/imports/people")]
pub async fn import_people(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    query: ApiQuery<ImportQuery>,
    body: CsvBody,
) -> Reply {
    let mode = query.0.mode.unwrap_or(ImportMode::DryRun);
    let report = imports::import(&state.db, &caller, &path.into_inner(), SyncKind::People, mode, &body.0).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Imports memberships from CSV (coordinators, or clients with `sync:write`).
///
/// Columns: `external_id`, `person_external_id`, `plan_id`, `starts_on`, `ends_on`
/// (required) and `status` (`paid` or `cancelled`; `state` is read as well). Dry run and apply as for people.
#[utoipa::path(
    tag = "sync",
    security(("bearer" = []), ("oauth2" = ["sync:write"])),
    params(crate::http::responses::AffiliatePath, ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "A header row, then one membership per row"),
    responses(
        (status = 200, description = "Per-row results; `applied` tells whether they were written", body = ImportReport),
        (status = 400, description = "Unreadable CSV, or unknown or missing columns", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator of the affiliate, or no `sync:write`", body = Problem, content_type = "application/problem+json"),
        crate::http::responses::NoSuchAffiliate,
        (status = 413, description = "More than 10 000 rows", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not text/csv", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`apply` refused: rows with problems (`errors` names `rows[n].field`); nothing written", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/affiliates/{affiliate}/imports/memberships")]
pub async fn import_memberships(
    state: AppData,
    caller: Caller,
    path: web::Path<String>,
    query: ApiQuery<ImportQuery>,
    body: CsvBody,
) -> Reply {
    let mode = query.0.mode.unwrap_or(ImportMode::DryRun);
    let report = imports::import(&state.db, &caller, &path.into_inner(), SyncKind::Memberships, mode, &body.0).await?;
    Ok(HttpResponse::Ok().json(report))
}
