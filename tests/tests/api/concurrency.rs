//! Idempotent POSTs and optimistic concurrency under racing requests.
use api::domain::roles::Role;
use endorse_tests::{TestApp, problem};
use serde_json::json;

fn michigan() -> serde_json::Value {
    json!({"code": "mi", "name": "Michigan", "time_zone": "America/Detroit", "currency": "USD"})
}

#[tokio::test]
async fn a_replayed_post_returns_the_identical_response_and_creates_one_row() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let send = || {
        app.post("/v1/affiliates").bearer_auth(&admin).header("idempotency-key", "create-mi-1").json(&michigan()).send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_location = first.headers()["location"].clone();
    let first_body = first.bytes().await.unwrap();

    let second = send().await.unwrap();
    assert_eq!(second.status(), 201);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    assert_eq!(second.headers()["location"], first_location);
    assert_eq!(second.headers()["etag"], "\"1\"");
    assert_eq!(second.bytes().await.unwrap(), first_body, "byte for byte");
    assert_eq!(app.count("affiliates", "code = 'mi'").await, 1);
    assert_eq!(app.count("audit_events", "action = 'affiliate.created'").await, 1);

    // Stored for at least 24 hours.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let row = entity::idempotency_key::Entity::find()
        .filter(entity::idempotency_key::Column::Key.eq("create-mi-1"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.expires_at - row.created_at >= chrono::Duration::hours(24));
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let res = app
        .post("/v1/affiliates")
        .bearer_auth(&admin)
        .header("idempotency-key", "k1")
        .json(&michigan())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let mut other = michigan();
    other["code"] = json!("wi");
    let res = app
        .post("/v1/affiliates")
        .bearer_auth(&admin)
        .header("idempotency-key", "k1")
        .json(&other)
        .send()
        .await
        .unwrap();
    problem(res, 422, "idempotency_key_reused").await;
    assert_eq!(app.count("affiliates", "code = 'wi'").await, 0);
}

#[tokio::test]
async fn keys_belong_to_their_caller() {
    let app = TestApp::spawn().await;
    let a = app.admin_token().await;
    let b = app.admin_token().await;
    let res = app
        .post("/v1/affiliates")
        .bearer_auth(&a)
        .header("idempotency-key", "shared")
        .json(&michigan())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // Another caller's identical request is not a replay of the first: it runs, and conflicts.
    let res = app
        .post("/v1/affiliates")
        .bearer_auth(&b)
        .header("idempotency-key", "shared")
        .json(&michigan())
        .send()
        .await
        .unwrap();
    problem(res, 409, "affiliate_code_taken").await;
}

#[tokio::test]
async fn bad_keys_are_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let res = app
        .post("/v1/affiliates")
        .bearer_auth(&admin)
        .header("idempotency-key", "x".repeat(300))
        .json(&michigan())
        .send()
        .await
        .unwrap();
    problem(res, 400, "invalid_idempotency_key").await;
    assert_eq!(app.count("affiliates", "code = 'mi'").await, 0);
}

#[tokio::test]
async fn twenty_concurrent_posts_with_one_key_create_one_row() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let requests = (0..20).map(|_| {
        app.post("/v1/affiliates").bearer_auth(&admin).header("idempotency-key", "race").json(&michigan()).send()
    });
    let responses = futures_util::future::join_all(requests).await;
    let mut created = Vec::new();
    let mut in_flight = 0;
    for res in responses {
        let res = res.unwrap();
        match res.status().as_u16() {
            201 => created.push(res.bytes().await.unwrap()),
            409 => {
                assert_eq!(res.headers()["retry-after"], "1");
                let body = problem(res, 409, "idempotency_request_in_progress").await;
                assert!(body["detail"].as_str().unwrap().contains("Idempotency-Key"));
                in_flight += 1;
            }
            other => panic!("unexpected status {other}: {}", res.text().await.unwrap()),
        }
    }
    assert!(!created.is_empty());
    assert_eq!(created.len() + in_flight, 20);
    assert!(created.windows(2).all(|w| w[0] == w[1]), "every success is the same response");
    assert_eq!(app.count("affiliates", "code = 'mi'").await, 1);
    assert_eq!(app.count("change_log", "kind = 'affiliate'").await, 1, "one change, logged once");
}

#[tokio::test]
async fn two_updates_with_the_same_if_match_one_wins() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let a = app
        .patch("/v1/affiliates/wa")
        .bearer_auth(&coordinator)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Name A"}))
        .send();
    let b = app
        .patch("/v1/affiliates/wa")
        .bearer_auth(&coordinator)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Name B"}))
        .send();
    let (a, b) = tokio::join!(a, b);
    let mut statuses = vec![a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 412]);
    let wa: serde_json::Value = app.get("/v1/affiliates/wa").send().await.unwrap().json().await.unwrap();
    assert_eq!(wa["version"], 2);
    assert!(wa["name"] == "Name A" || wa["name"] == "Name B");
    assert_eq!(app.count("audit_events", "action = 'affiliate.updated'").await, 1);
}
