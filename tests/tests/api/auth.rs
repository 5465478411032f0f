//! Sign-in, refresh rotation with reuse detection, revocation, JWKS, and the access
//! tokens the service must refuse.
use api::{auth::tokens::AccessClaims, domain::roles::Role};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use endorse_tests::{PASSWORD, TestApp, problem};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post("/v1/auth/token")
        .json(&json!({"grant_type": "refresh_token", "refresh_token": token}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_and_call_an_authenticated_endpoint() {
    let app = TestApp::spawn().await;
    app.staff("Coordinator@WA-AIMH.org", "wa", &[Role::Coordinator]).await;
    let res = app
        .post("/v1/auth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("grant_type=password&username=coordinator%40wa-aimh.org&password={}", PASSWORD.replace(' ', "+")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let tokens: Value = res.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert!(tokens["refresh_token"].as_str().unwrap().starts_with("rt_"));

    let me: Value = app
        .get("/v1/me")
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "Coordinator@WA-AIMH.org");
    assert_eq!(me["roles"], json!(["applicant", "coordinator"]));
    assert_eq!(me["affiliate_id"], "0194f3a0-0000-7000-8000-000000000001");
    assert_eq!(app.count("refresh_tokens", "").await, 1);
    let stored =
        app.count("refresh_tokens", &format!("token_hash = '{}'", tokens["refresh_token"].as_str().unwrap())).await;
    assert_eq!(stored, 0, "only the hash is stored");
}

#[tokio::test]
async fn wrong_credentials_get_one_answer() {
    let app = TestApp::spawn().await;
    app.staff("a@example.org", "wa", &[]).await;
    for (user, pass) in [("a@example.org", "wrong password here"), ("nobody@example.org", PASSWORD)] {
        let res = app
            .post("/v1/auth/token")
            .json(&json!({"grant_type": "password", "username": user, "password": pass}))
            .send()
            .await
            .unwrap();
        let body = problem(res, 400, "invalid_grant").await;
        assert_eq!(body["detail"], "The email or password is not right, or the account is not active.");
    }
    let res =
        app.post("/v1/auth/token").json(&json!({"grant_type": "implicit", "client_id": "x"})).send().await.unwrap();
    problem(res, 400, "unsupported_grant_type").await;
    let res = app
        .post("/v1/auth/token")
        .json(&json!({"grant_type": "password", "username": "a@example.org"}))
        .send()
        .await
        .unwrap();
    let body = problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "password");
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    app.staff("r@example.org", "wa", &[]).await;
    let first = app.login("r@example.org").await;
    let rt1 = first["refresh_token"].as_str().unwrap();
    let res = refresh(&app, rt1).await;
    assert_eq!(res.status(), 200);
    let second: Value = res.json().await.unwrap();
    let rt2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2);
    let me = app.get("/v1/me").bearer_auth(second["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(me.status(), 200);

    // rt1 was used: presenting it again means it leaked, so rt2 dies too.
    let res = refresh(&app, rt1).await;
    problem(res, 400, "invalid_grant").await;
    let res = refresh(&app, rt2).await;
    problem(res, 400, "invalid_grant").await;
    assert_eq!(app.count("refresh_tokens", "revoked_at IS NULL").await, 0);
    assert_eq!(app.count("audit_events", "action = 'session.refresh_token_reused'").await, 1);
}

#[tokio::test]
async fn revocation_signs_out() {
    let app = TestApp::spawn().await;
    app.staff("s@example.org", "wa", &[]).await;
    let tokens = app.login("s@example.org").await;
    let rt = tokens["refresh_token"].as_str().unwrap();
    let res = app.post("/v1/auth/revoke").json(&json!({"token": rt})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    problem(refresh(&app, rt).await, 400, "invalid_grant").await;
    let res = app.post("/v1/auth/revoke").json(&json!({"token": "rt_unknown"})).send().await.unwrap();
    assert_eq!(res.status(), 200, "unknown tokens reveal nothing");
}

#[tokio::test]
async fn sign_in_is_rate_limited() {
    let app = TestApp::spawn_with(&[("LOGIN_RATE_LIMIT_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        let res = app
            .post("/v1/auth/token")
            .json(&json!({"grant_type": "password", "username": "x@example.org", "password": "wrong wrong wrong"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
    }
    let res = app
        .post("/v1/auth/token")
        .json(&json!({"grant_type": "password", "username": "x@example.org", "password": "wrong wrong wrong"}))
        .send()
        .await
        .unwrap();
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    problem(res, 429, "rate_limited").await;
}

fn claims(app: &TestApp, person: &str) -> AccessClaims {
    let now = chrono::Utc::now().timestamp();
    AccessClaims {
        iss: app.state.token_settings.issuer.clone(),
        aud: app.state.token_settings.audience.clone(),
        sub: person.to_string(),
        exp: now + 600,
        iat: now,
        nbf: now,
        jti: "t".into(),
        kind: api::auth::SubjectKind::Person,
        aff: uuid::Uuid::parse_str("0194f3a0-0000-7000-8000-000000000001").unwrap(),
        roles: vec![Role::Admin],
        scope: None,
        generation: 0,
    }
}

fn sign(app: &TestApp, claims: &AccessClaims) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(app.state.keys.kid.clone());
    header.typ = Some("at+jwt".into());
    encode(&header, claims, app.state.keys.encoding()).unwrap()
}

#[tokio::test]
async fn bad_access_tokens_are_401() {
    let app = TestApp::spawn().await;
    let id = app.staff("t@example.org", "wa", &[Role::Admin]).await.to_string();
    let good = sign(&app, &claims(&app, &id));
    assert_eq!(app.get("/v1/me").bearer_auth(&good).send().await.unwrap().status(), 200, "the forging harness works");

    let mut expired = claims(&app, &id);
    expired.exp = chrono::Utc::now().timestamp() - 120;
    expired.iat = expired.exp - 600;
    expired.nbf = expired.iat;
    let mut wrong_aud = claims(&app, &id);
    wrong_aud.aud = "another-api".into();
    let mut wrong_iss = claims(&app, &id);
    wrong_iss.iss = "https://evil.example".into();
    let mut future = claims(&app, &id);
    future.nbf = chrono::Utc::now().timestamp() + 3600;

    let parts: Vec<&str> = good.split('.').collect();
    let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"at+jwt"}"#), parts[1]);
    let hs256 = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(app.state.keys.kid.clone());
        header.typ = Some("at+jwt".into());
        let jwks = serde_json::to_vec(app.state.keys.jwks()).unwrap();
        encode(&header, &claims(&app, &id), &EncodingKey::from_secret(&jwks)).unwrap()
    };
    let tampered = {
        let mut payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        payload["sub"] = json!(uuid::Uuid::now_v7().to_string());
        format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap()), parts[2])
    };
    let untyped = {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(app.state.keys.kid.clone());
        encode(&header, &claims(&app, &id), app.state.keys.encoding()).unwrap()
    };
    let refresh_token = app.login("t@example.org").await["refresh_token"].as_str().unwrap().to_string();

    let cases = [
        ("expired", sign(&app, &expired)),
        ("wrong audience", sign(&app, &wrong_aud)),
        ("wrong issuer", sign(&app, &wrong_iss)),
        ("not yet valid", sign(&app, &future)),
        ("alg none", none),
        ("HS256 with the public key", hs256),
        ("tampered", tampered),
        ("no at+jwt type", untyped),
        ("refresh token as access token", refresh_token),
        ("garbage", "abc.def.ghi".into()),
    ];
    for (name, token) in cases {
        let res = app.get("/v1/me").bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.headers()["www-authenticate"], "Bearer error=\"invalid_token\"", "{name}");
        let body = problem(res, 401, "invalid_token").await;
        assert!(body["detail"].as_str().unwrap().contains("invalid"), "{name}");
    }
    let res = app.get("/v1/me").header("authorization", "Basic dXNlcjpwYXNz").send().await.unwrap();
    problem(res, 401, "invalid_request").await;
    let res = app.get("/v1/me").send().await.unwrap();
    problem(res, 401, "unauthenticated").await;
}

#[tokio::test]
async fn tokens_verify_against_the_published_jwks() {
    let app = TestApp::spawn().await;
    app.staff("j@example.org", "wa", &[]).await;
    let token = app.login("j@example.org").await["access_token"].as_str().unwrap().to_string();
    let jwks: jsonwebtoken::jwk::JwkSet = app.get("/.well-known/jwks.json").send().await.unwrap().json().await.unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::EdDSA);
    let jwk = jwks.find(header.kid.as_deref().unwrap()).expect("the token's key is published");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
    validation.set_audience(&["endorse-api"]);
    let data = jsonwebtoken::decode::<Value>(&token, &key, &validation).unwrap();
    assert_eq!(data.claims["kind"], "person");

    let meta: Value = app.get("/.well-known/oauth-authorization-server").send().await.unwrap().json().await.unwrap();
    assert_eq!(meta["issuer"], app.state.token_settings.issuer);
    assert!(meta["token_endpoint"].as_str().unwrap().ends_with("/v1/auth/token"));
}

#[tokio::test]
async fn disabled_accounts_cannot_refresh() {
    let app = TestApp::spawn().await;
    let id = app.staff("d@example.org", "wa", &[]).await;
    let tokens = app.login("d@example.org").await;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    entity::person::Entity::update_many()
        .col_expr(entity::person::Column::Status, Expr::value("disabled"))
        .filter(entity::person::Column::Id.eq(id))
        .exec(&app.state.db)
        .await
        .unwrap();
    problem(refresh(&app, tokens["refresh_token"].as_str().unwrap()).await, 400, "invalid_grant").await;
    let res = app
        .post("/v1/auth/token")
        .json(&json!({"grant_type": "password", "username": "d@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    problem(res, 400, "invalid_grant").await;
}
