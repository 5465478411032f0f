use crate::error::ProblemCode;
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::handler::{AppData, Reply};
use crate::{error::AppError, state::AppState};

entity::closed_set! {
    /// What a health probe found: `ok` (alive) or `ready` (serving, with its database).
    /// New values may be added later.
    pub enum HealthStatus {
        Ok = "ok",
        Ready = "ready",
    }
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: HealthStatus,
}

/// Liveness: the process is up and answering.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "The process is up", body = Health))
)]
#[get("/healthz")]
pub async fn check_health() -> HttpResponse {
    HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(Health { status: HealthStatus::Ok })
}

/// Readiness: the database answers. 503 while it does not; recovers by itself.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database is unreachable", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn check_readiness(state: AppData) -> Reply {
    crate::db::ping(&state.db, Duration::from_secs(2)).await.map_err(AppError::Unavailable)?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(Health { status: HealthStatus::Ready }))
}

/// Prometheus metrics in the text exposition format. Not public: on this address only
/// with `Authorization: Bearer <METRICS_TOKEN>` (a token of its own, not an access token);
/// when `METRICS_BIND_ADDR` is set they are served there instead, without a token. With
/// neither configured, 404.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "Metrics", body = String, content_type = "text/plain"),
        (status = 401, description = "`unauthenticated`: the metrics token is missing or wrong", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Metrics are not served on this address", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/metrics")]
pub async fn get_metrics(req: HttpRequest, state: AppData) -> Reply {
    let Some(expected) = state.config.metrics_token.as_deref().filter(|_| state.config.metrics_bind_addr.is_none())
    else {
        return Err(AppError::NotFound("`/metrics`".into()));
    };
    let presented = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !crate::auth::constant_time_eq(presented.as_bytes(), expected.as_bytes()) {
        return Err(AppError::Unauthenticated {
            code: ProblemCode::Unauthenticated,
            detail: "Metrics need `Authorization: Bearer <METRICS_TOKEN>`.".into(),
        });
    }
    render(&state)
}

/// The metrics text (also what the internal metrics listener serves).
pub fn render(state: &AppState) -> Reply {
    let text = state.metrics.render().map_err(AppError::internal)?;
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(text))
}

/// The internal listener's only route.
pub async fn internal_metrics(state: AppData) -> Reply {
    render(&state)
}
