use actix_web::{HttpRequest, HttpResponse, get, http::header, post, web};

use crate::{
    auth::Caller,
    dto::auth::{Me, RevokeRequest, ServerMetadata, TokenRequest, TokenResponse},
    error::{AppError, Problem},
    http::extract::{ApiJson, body_limit, is_json_media_type, parse_json, read_body},
    services::{people, sessions},
    state::AppState,
};

fn client_address(req: &HttpRequest, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for && let Some(ip) = req.connection_info().realip_remote_addr() {
        return ip.to_string();
    }
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// The token endpoint (OAuth 2.0): `password` and `refresh_token` grants, as JSON or
/// `application/x-www-form-urlencoded`. Sign-in attempts are rate limited.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body(content(
        (TokenRequest = "application/json"),
        (TokenRequest = "application/x-www-form-urlencoded")
    )),
    responses(
        (status = 200, description = "Tokens issued", body = TokenResponse),
        (status = 400, description = "`invalid_grant` (wrong credentials, used or expired refresh token), `unsupported_grant_type`, malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sign-in attempts", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait")))
    )
)]
#[post("/auth/token")]
pub async fn token(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let body = read_body(payload.into_inner(), body_limit(&req)).await?;
    let fields: serde_json::Value = if is_json_media_type(&content_type) {
        parse_json(&body)?
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs: std::collections::BTreeMap<String, String> = serde_urlencoded::from_bytes(&body).map_err(|e| {
            AppError::bad_request("invalid_request", format!("The token request is not a valid form: {e}"))
        })?;
        serde_json::to_value(pairs).map_err(AppError::internal)?
    } else {
        return Err(AppError::UnsupportedMediaType(
            "Send the token request as application/json or application/x-www-form-urlencoded.".into(),
        ));
    };
    match fields.get("grant_type").and_then(|g| g.as_str()) {
        Some("password" | "refresh_token") => {}
        Some(other) => {
            return Err(AppError::bad_request(
                "unsupported_grant_type",
                format!("Grant type `{other}` is not supported; use password or refresh_token."),
            ));
        }
        None => return Err(AppError::invalid_field("grant_type", "required", "`grant_type` is required")),
    }
    let request: TokenRequest = parse_json(fields.to_string().as_bytes())?;
    let pair = match request {
        TokenRequest::Password { username, password } => {
            let client = client_address(&req, state.config.trust_forwarded_for);
            sessions::login(&state, &username, password, &client).await?
        }
        TokenRequest::RefreshToken { refresh_token } => sessions::refresh(&state, &refresh_token).await?,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token: pair.access_token,
            token_type: "Bearer".into(),
            expires_in: pair.expires_in,
            refresh_token: Some(pair.refresh_token),
        }))
}

/// Signs out: revokes the refresh token and every token of the same sign-in (RFC 7009).
/// Answers 200 for unknown tokens too, so that it reveals nothing.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = RevokeRequest,
    responses((status = 200, description = "Revoked (or never valid)"))
)]
#[post("/auth/revoke")]
pub async fn revoke(state: web::Data<AppState>, body: ApiJson<RevokeRequest>) -> Result<HttpResponse, AppError> {
    sessions::revoke(&state, &body.0.token).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).finish())
}

/// The public keys that verify this service's tokens (RFC 7517).
#[utoipa::path(
    tag = "auth",
    security(()),
    responses((status = 200, description = "JSON Web Key Set", body = Object, content_type = "application/json"))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=300")).json(state.keys.jwks())
}

/// OAuth 2.0 authorization server metadata (RFC 8414).
#[utoipa::path(
    tag = "auth",
    security(()),
    responses((status = 200, description = "Server metadata", body = ServerMetadata))
)]
#[get("/.well-known/oauth-authorization-server")]
pub async fn server_metadata(state: web::Data<AppState>) -> HttpResponse {
    let base = state.config.public_base_url.as_str().trim_end_matches('/');
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=300")).json(ServerMetadata {
        issuer: state.token_settings.issuer.clone(),
        token_endpoint: format!("{base}/v1/auth/token"),
        revocation_endpoint: format!("{base}/v1/auth/revoke"),
        jwks_uri: format!("{base}/.well-known/jwks.json"),
        grant_types_supported: vec!["password".into(), "refresh_token".into()],
        token_endpoint_auth_methods_supported: vec!["none".into()],
    })
}

/// The signed-in person: identity, affiliate and roles.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in person", body = Me),
        (status = 403, description = "Machine clients have no person", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(people::me(&state.db, &caller).await?))
}
