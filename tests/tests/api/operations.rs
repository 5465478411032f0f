//! Health, readiness, metrics and graceful behaviour when the database goes away.
use api::domain::roles::Role;
use endorse_tests::{TestApp, is_postgres, problem};
use sea_orm::{ConnectionTrait, Database};
use serde_json::json;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    let res = app.get("/readyz").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["status"], "ready");
}

#[tokio::test]
async fn metrics_count_requests_by_route_method_and_status() {
    let app = TestApp::spawn_with(&[("METRICS_TOKEN", "a-metrics-token-for-tests")]).await;
    app.get("/v1/affiliates/wa").send().await.unwrap();
    app.get("/v1/affiliates/nowhere").send().await.unwrap();
    app.get("/no/such/path").send().await.unwrap();
    let res = app.get("/metrics").bearer_auth("a-metrics-token-for-tests").send().await.unwrap();
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = res.text().await.unwrap();
    assert!(
        text.contains(r#"endorse_http_requests_total{method="GET",route="/v1/affiliates/{affiliate}",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"endorse_http_requests_total{method="GET",route="/v1/affiliates/{affiliate}",status="404"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"route="unmatched",status="404"} 1"#), "{text}");
    assert!(text.contains("endorse_http_request_duration_seconds_bucket"), "{text}");
}

#[tokio::test]
async fn a_closed_database_makes_readiness_and_requests_503() {
    let app = TestApp::spawn().await;
    app.state.db.close_by_ref().await.unwrap();
    let res = app.get("/readyz").send().await.unwrap();
    assert!(res.headers().get("retry-after").is_some());
    problem(res, 503, "service_unavailable").await;
    let res = app.get("/v1/affiliates/wa").send().await.unwrap();
    let body = problem(res, 503, "service_unavailable").await;
    assert!(!body["detail"].as_str().unwrap().to_lowercase().contains("pool"), "no internals: {body}");
    assert_eq!(app.get("/healthz").send().await.unwrap().status(), 200, "the process itself is fine");
}

/// PostgreSQL only: the database refuses connections for a while, then comes back;
/// the service answers 503 meanwhile and recovers without a restart.
#[tokio::test]
async fn readiness_recovers_when_postgres_comes_back() {
    if !is_postgres() {
        eprintln!("PostgreSQL-only test: set TEST_DATABASE_URL to run it");
        return;
    }
    let app = TestApp::spawn_with(&[("DB_ACQUIRE_TIMEOUT_MS", "500")]).await;
    let name = url::Url::parse(&app.database_url).unwrap().path().trim_start_matches('/').to_string();
    let admin = Database::connect(std::env::var("TEST_DATABASE_URL").unwrap()).await.unwrap();
    admin.execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).await.unwrap();
    admin
        .execute_unprepared(&format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
        .await
        .unwrap();
    let res = app.get("/readyz").send().await.unwrap();
    problem(res, 503, "service_unavailable").await;
    let res = app.get("/v1/affiliates/wa").send().await.unwrap();
    problem(res, 503, "service_unavailable").await;

    admin.execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).await.unwrap();
    let mut ready = false;
    for _ in 0..50 {
        if app.get("/readyz").send().await.unwrap().status() == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "readiness came back by itself");
    assert_eq!(app.get("/v1/affiliates/wa").send().await.unwrap().status(), 200);
}

fn rate_limit(res: &reqwest::Response) -> (String, String) {
    let header = |name: &str| res.headers().get(name).map(|v| v.to_str().unwrap_or_default().to_string());
    (header("ratelimit").unwrap_or_default(), header("ratelimit-policy").unwrap_or_default())
}

#[tokio::test]
async fn every_route_shares_a_per_caller_rate_limit() {
    let app = TestApp::spawn_with(&[("RATE_LIMIT_PER_MINUTE", "4")]).await;
    let policy = "\"default\";q=4;w=60".to_string();
    // Two sign-ins: two requests without a token, counted by the client address.
    let a = app.token("wa", &[Role::Admin]).await;
    let b = app.token("wa", &[Role::Admin]).await;

    // A signed-in caller is counted by subject; a unit of quota returns every 15 s.
    let me = app.get("/v1/me").bearer_auth(&a).send().await.unwrap();
    let etag = me.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(rate_limit(&me), ("\"default\";r=3;t=15".to_string(), policy.clone()));
    for (left, reset) in [(2, 30), (1, 45), (0, 60)] {
        let res = app.get("/v1/me").bearer_auth(&a).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(rate_limit(&res).0, format!("\"default\";r={left};t={reset}"));
    }
    // Over the limit: a 429 problem with Retry-After, and the request is not run.
    let refused = app
        .patch("/v1/me")
        .bearer_auth(&a)
        .header("If-Match", &etag)
        .json(&json!({"given_name": "Throttled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rate_limit(&refused), ("\"default\";r=0;t=60".to_string(), policy.clone()));
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=15).contains(&retry), "retry after {retry}");
    problem(refused, 429, "rate_limited").await;
    assert_eq!(app.count("people", "given_name = 'Throttled'").await, 0);

    // Another person has a quota of their own, on every answer, a 404 included.
    let missing = app.get("/v1/nowhere").bearer_auth(&b).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(rate_limit(&missing).0, "\"default\";r=3;t=15");

    // Without a valid token the address is counted (two sign-ins so far): a made-up
    // token counts there too, so it cannot buy a fresh quota.
    let anonymous = app.get("/healthz").send().await.unwrap();
    assert_eq!((anonymous.status().as_u16(), rate_limit(&anonymous).0), (200, "\"default\";r=1;t=45".to_string()));
    let forged = app.get("/v1/me").bearer_auth("not-a-token").send().await.unwrap();
    assert_eq!((forged.status().as_u16(), rate_limit(&forged).0), (401, "\"default\";r=0;t=60".to_string()));
    problem(app.get("/healthz").send().await.unwrap(), 429, "rate_limited").await;
}
