//! Machine clients: created by coordinators, client-credentials tokens with scopes, one
//! affiliate's data only, never person-only endpoints; rotation and revocation.
use api::domain::roles::Role;
use base64::{Engine, engine::general_purpose::STANDARD};
use endorse_tests::{TestApp, problem};
use serde_json::{Value, json};

async fn client(app: &TestApp, coordinator: &str, scopes: &[&str]) -> (Value, String, String) {
    let res = app
        .post("/v1/affiliates/wa/clients")
        .bearer_auth(coordinator)
        .json(&json!({"name": "Partner CRM", "scopes": scopes}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    let id = body["client_id"].as_str().unwrap().to_string();
    let secret = body["client_secret"].as_str().unwrap().to_string();
    (body, id, secret)
}

async fn grant(app: &TestApp, id: &str, secret: &str, scope: Option<&str>) -> reqwest::Response {
    let mut body = json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret});
    if let Some(s) = scope {
        body["scope"] = json!(s);
    }
    app.post("/v1/auth/token").json(&body).send().await.unwrap()
}

#[tokio::test]
async fn clients_get_scoped_tokens_for_their_affiliate_only() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let (created, id, secret) = client(&app, &coordinator, &["people:read", "memberships:read"]).await;
    assert_eq!(created["scopes"], json!(["memberships:read", "people:read"]));
    assert_eq!(app.count("machine_clients", &format!("secret_hash = '{secret}'")).await, 0, "only a hash is stored");
    let fetched: Value = app
        .get(&format!("/v1/clients/{}", created["id"].as_str().unwrap()))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(fetched.get("client_secret").is_none());

    let res = grant(&app, &id, &secret, None).await;
    assert_eq!(res.status(), 200);
    let tokens: Value = res.json().await.unwrap();
    assert!(tokens.get("refresh_token").is_none());
    let token = tokens["access_token"].as_str().unwrap().to_string();

    // HTTP Basic works too; scopes can be narrowed, never widened.
    let basic = STANDARD.encode(format!("{id}:{secret}"));
    let res = app
        .post("/v1/auth/token")
        .header("authorization", format!("Basic {basic}"))
        .json(&json!({"grant_type": "client_credentials", "scope": "people:read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let narrow = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    problem(grant(&app, &id, &secret, Some("payments:write")).await, 400, "invalid_scope").await;
    problem(grant(&app, &id, "cs_wrong", None).await, 401, "invalid_client").await;
    problem(grant(&app, "wa_nobody", &secret, None).await, 401, "invalid_client").await;

    // Reads the affiliate's people; not Washington's coordinators' lists of invoices (no scope).
    let (ana_id, _) = app.applicant("ana.client@example.org").await;
    let people: Value =
        app.get("/v1/people?q=ana.client").bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(people["data"][0]["id"], ana_id);
    assert_eq!(
        app.get(&format!("/v1/people/{ana_id}/membership-status")).bearer_auth(&token).send().await.unwrap().status(),
        200
    );
    problem(
        app.get(&format!("/v1/people/{ana_id}/membership-status")).bearer_auth(&narrow).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    problem(app.get("/v1/invoices").bearer_auth(&token).send().await.unwrap(), 403, "forbidden").await;

    // Person-only endpoints refuse clients; client-facing ones refuse applicants.
    problem(app.get("/v1/me").bearer_auth(&token).send().await.unwrap(), 403, "forbidden").await;
    problem(
        app.post("/v1/me/memberships")
            .bearer_auth(&token)
            .json(&json!({"plan_id": uuid::Uuid::now_v7()}))
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
    problem(app.get("/v1/clients").bearer_auth(&token).send().await.unwrap(), 403, "forbidden").await;
    let (_, applicant) = app.applicant("plain@example.org").await;
    problem(app.get("/v1/people").bearer_auth(&applicant).send().await.unwrap(), 403, "forbidden").await;

    // Never another affiliate's data.
    app.create_affiliate("mi").await;
    let michigan = app.token("mi", &[Role::Coordinator]).await;
    let res = app
        .post("/v1/affiliates/mi/clients")
        .bearer_auth(&michigan)
        .json(&json!({"name": "MI sync", "scopes": ["people:read"]}))
        .send()
        .await
        .unwrap();
    let mi: Value = res.json().await.unwrap();
    let mi_token = grant(&app, mi["client_id"].as_str().unwrap(), mi["client_secret"].as_str().unwrap(), None)
        .await
        .json::<Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    problem(app.get(&format!("/v1/people/{ana_id}")).bearer_auth(&mi_token).send().await.unwrap(), 404, "not_found")
        .await;
    let theirs: Value = app.get("/v1/people").bearer_auth(&mi_token).send().await.unwrap().json().await.unwrap();
    assert!(theirs["data"].as_array().unwrap().iter().all(|p| p["affiliate_id"] == mi["affiliate_id"]));
    problem(
        app.get(&format!("/v1/clients/{}", created["id"].as_str().unwrap()))
            .bearer_auth(&michigan)
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    let res = app
        .post("/v1/affiliates/wa/clients")
        .bearer_auth(&michigan)
        .json(&json!({"name": "x", "scopes": ["people:read"]}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "forbidden").await;
    let res = app
        .post("/v1/affiliates/wa/clients")
        .bearer_auth(&coordinator)
        .json(&json!({"name": "x", "scopes": ["root"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["code"], "unknown_value");
}

#[tokio::test]
async fn secrets_rotate_and_clients_are_revoked() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let (created, id, old) = client(&app, &coordinator, &["renewals:write"]).await;
    let record = created["id"].as_str().unwrap();
    let res = app
        .post(&format!("/v1/clients/{record}/secret"))
        .bearer_auth(&coordinator)
        .json(&json!({"keep_previous_for_seconds": 3600}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let rotated: Value = res.json().await.unwrap();
    let new = rotated["client_secret"].as_str().unwrap().to_string();
    assert_eq!(grant(&app, &id, &old, None).await.status(), 200, "the old secret works during the overlap");
    assert_eq!(grant(&app, &id, &new, None).await.status(), 200);
    let res = app
        .post(&format!("/v1/clients/{record}/secret"))
        .bearer_auth(&coordinator)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let newest = res.json::<Value>().await.unwrap()["client_secret"].as_str().unwrap().to_string();
    problem(grant(&app, &id, &new, None).await, 401, "invalid_client").await;
    problem(grant(&app, &id, &old, None).await, 401, "invalid_client").await;

    let res =
        app.client.delete(app.url(&format!("/v1/clients/{record}"))).bearer_auth(&coordinator).send().await.unwrap();
    problem(res, 428, "precondition_required").await;
    let current = app.get(&format!("/v1/clients/{record}")).bearer_auth(&coordinator).send().await.unwrap();
    let etag = current.headers()["etag"].to_str().unwrap().to_string();
    let res = app
        .client
        .delete(app.url(&format!("/v1/clients/{record}")))
        .bearer_auth(&coordinator)
        .header("if-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.json::<Value>().await.unwrap()["revoked_at"].is_string());
    problem(grant(&app, &id, &newest, None).await, 401, "invalid_client").await;
    assert_eq!(app.count("audit_events", "resource_kind = 'machine_client'").await, 4);
}

#[tokio::test]
async fn the_client_list_is_paged_and_shows_only_the_affiliate() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let mut made = Vec::new();
    for _ in 0..3 {
        made.push(client(&app, &coordinator, &["people:read"]).await.0["id"].clone());
    }
    app.create_affiliate("mi").await;
    let other = app.token("mi", &[Role::Coordinator]).await;
    let res = app
        .post("/v1/affiliates/mi/clients")
        .bearer_auth(&other)
        .json(&json!({"name": "Michigan CRM", "scopes": ["people:read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    let mut seen = Vec::new();
    let mut url = "/v1/clients?limit=2".to_string();
    loop {
        let page: Value = app.get(&url).bearer_auth(&coordinator).send().await.unwrap().json().await.unwrap();
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 2);
        seen.extend(data.iter().map(|c| c["id"].clone()));
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("/v1/clients?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, made, "oldest first, each once, no other affiliate's");
    problem(app.get("/v1/clients?limit=0").bearer_auth(&coordinator).send().await.unwrap(), 400, "invalid_query").await;
}
