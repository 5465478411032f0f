//! Health, readiness, metrics and graceful behaviour when the database goes away.
use endorse_tests::{TestApp, is_postgres, problem};
use sea_orm::{ConnectionTrait, Database};

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
    let app = TestApp::spawn().await;
    app.get("/v1/affiliates/wa").send().await.unwrap();
    app.get("/v1/affiliates/nowhere").send().await.unwrap();
    app.get("/no/such/path").send().await.unwrap();
    let res = app.get("/metrics").send().await.unwrap();
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
