use crate::error::ProblemCode;
use actix_web::{HttpRequest, HttpResponse, get, http::header, post, web};

use crate::http::handler::{AppData, Reply};
use crate::{
    auth::Caller, error::AppError, error::Problem, features::accounts::clients,
    features::accounts::dto::auth::RevokeRequest, features::accounts::dto::auth::ServerMetadata,
    features::accounts::dto::auth::TokenRequest, features::accounts::dto::auth::TokenResponse,
    features::accounts::dto::people::Profile, features::accounts::profile as accounts, features::accounts::sessions,
    http::client_address::client_address, http::extract::ApiJson, http::extract::body_limit,
    http::extract::is_json_media_type, http::extract::parse_json, http::extract::read_body,
};

/// The token endpoint (OAuth 2.0): `password`, `refresh_token` and `client_credentials` grants, as JSON or
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
        (status = 401, description = "`invalid_client`: wrong client id or secret", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sign-in attempts", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait")))
    )
)]
#[post("/auth/token")]
pub async fn issue_token(req: HttpRequest, payload: web::Payload, state: AppData) -> Reply {
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let body = read_body(payload.into_inner(), body_limit(&req)).await?;
    let fields: serde_json::Value = if is_json_media_type(&content_type) {
        parse_json(&body)?
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs: std::collections::BTreeMap<String, String> = serde_urlencoded::from_bytes(&body).map_err(|e| {
            AppError::bad_request(ProblemCode::InvalidRequest, format!("The token request is not a valid form: {e}"))
        })?;
        serde_json::to_value(pairs).map_err(AppError::internal)?
    } else {
        return Err(AppError::UnsupportedMediaType(
            "Send the token request as application/json or application/x-www-form-urlencoded.".into(),
        ));
    };
    match fields.get("grant_type").and_then(|g| g.as_str()) {
        Some("password" | "refresh_token" | "client_credentials") => {}
        Some(other) => {
            return Err(AppError::bad_request(
                ProblemCode::UnsupportedGrantType,
                format!("Grant type `{other}` is not supported; use password, refresh_token or client_credentials."),
            ));
        }
        None => return Err(AppError::invalid_field("grant_type", "required", "`grant_type` is required")),
    }
    let mut fields = fields;
    // Client credentials may also come as HTTP Basic (RFC 6749 section 2.3.1).
    if let Some((id, secret)) = basic_credentials(&req)
        && let Some(map) = fields.as_object_mut()
    {
        map.entry("client_id").or_insert(serde_json::Value::String(id));
        map.entry("client_secret").or_insert(serde_json::Value::String(secret));
    }
    let request: TokenRequest = parse_json(fields.to_string().as_bytes())?;
    let pair = match request {
        TokenRequest::Password { username, password } => {
            let client = client_address(&req, state.config.trust_forwarded_for);
            sessions::login(&state, &username, password, &client).await?
        }
        TokenRequest::RefreshToken { refresh_token } => sessions::refresh(&state, &refresh_token).await?,
        TokenRequest::ClientCredentials { client_id, client_secret, scope } => {
            clients::token(&state, &client_id, &client_secret, scope.as_deref()).await?
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token: pair.access_token,
            token_type: "Bearer".into(),
            expires_in: pair.expires_in,
            // Machine clients get no refresh token: they hold their credentials.
            refresh_token: (!pair.refresh_token.is_empty()).then_some(pair.refresh_token),
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
pub async fn revoke_token(state: AppData, body: ApiJson<RevokeRequest>) -> Reply {
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
pub async fn get_jwks(state: AppData) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=300")).json(state.keys.jwks())
}

/// OAuth 2.0 authorization server metadata (RFC 8414).
#[utoipa::path(
    tag = "auth",
    security(()),
    responses((status = 200, description = "Server metadata", body = ServerMetadata))
)]
#[get("/.well-known/oauth-authorization-server")]
pub async fn get_authorization_server_metadata(state: AppData) -> HttpResponse {
    let base = state.config.public_base_url.as_str().trim_end_matches('/');
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=300")).json(ServerMetadata {
        issuer: state.token_settings.issuer.clone(),
        token_endpoint: format!("{base}/v1/auth/token"),
        revocation_endpoint: format!("{base}/v1/auth/revoke"),
        jwks_uri: format!("{base}/.well-known/jwks.json"),
        grant_types_supported: vec!["password".into(), "refresh_token".into(), "client_credentials".into()],
        token_endpoint_auth_methods_supported: vec![
            "none".into(),
            "client_secret_post".into(),
            "client_secret_basic".into(),
        ],
    })
}

/// The signed-in person: profile, roles and whether they are a member today.
#[utoipa::path(
    tag = "accounts",
    responses(
        (status = 200, description = "The signed-in person's profile, roles and membership", body = Profile,
            headers(("ETag" = String, description = "The person's version, for PATCH /v1/me"))),
        (status = 403, description = "Machine clients have no person", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me")]
pub async fn get_me(state: AppData, caller: Caller) -> Reply {
    let profile = accounts::profile(&state.db, &caller).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::ETAG, crate::http::etag::etag(profile.person.version)))
        .json(profile))
}

fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    use base64::{Engine, engine::general_purpose::STANDARD};
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape =
        |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Some((unescape(id)?, unescape(secret)?))
}
