//! Every error is a problem response; nothing malformed gets a 500.
use endorse_tests::{TestApp, problem};
use serde_json::json;

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let res = app
        .post("/v1/affiliates")
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"code\": \"mi\",")
        .send()
        .await
        .unwrap();
    let body = problem(res, 400, "malformed_json").await;
    assert!(body["detail"].as_str().unwrap().contains("not valid JSON"));
}

#[tokio::test]
async fn wrong_or_missing_content_type_is_415() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let res = app
        .post("/v1/affiliates")
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    problem(res, 415, "unsupported_media_type").await;
    let res = app.post("/v1/affiliates").bearer_auth(&token).body("{}").send().await.unwrap();
    problem(res, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn unknown_fields_and_validation_failures_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let res = app
        .post("/v1/affiliates")
        .bearer_auth(&token)
        .json(&json!({"code": "mi", "name": "Michigan", "time_zone": "America/Detroit", "currency": "USD", "version": 99}))
        .send()
        .await
        .unwrap();
    let body = problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "version");
    assert_eq!(body["errors"][0]["code"], "unknown_field");

    let res = app
        .post("/v1/affiliates")
        .bearer_auth(&token)
        .json(&json!({"code": "MI!", "name": "", "time_zone": "Mars/Olympus", "currency": "usd", "contact_email": "nope"}))
        .send()
        .await
        .unwrap();
    let body = problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["code", "contact_email", "currency", "name", "time_zone"]);
    assert_eq!(body["errors"][4]["code"], "invalid_time_zone");

    let res = app.post("/v1/affiliates").bearer_auth(&token).json(&json!({"code": "mi"})).send().await.unwrap();
    let body = problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["code"], "required");

    let res = app.post("/v1/affiliates").bearer_auth(&token).json(&json!([1, 2])).send().await.unwrap();
    problem(res, 422, "validation_failed").await;
    assert_eq!(app.count("affiliates", "").await, 1, "nothing was written");
}

#[tokio::test]
async fn bad_query_parameters_are_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=abc", "limit"),
        ("colour=red", "colour"),
        ("cursor=%%%", "cursor"),
    ] {
        let res = app.get(&format!("/v1/affiliates?{query}")).send().await.unwrap();
        let body = problem(res, 400, "invalid_query").await;
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405_with_allow() {
    let app = TestApp::spawn().await;
    let res = app.get("/v1/nothing-here").send().await.unwrap();
    problem(res, 404, "not_found").await;
    let res = app.get("/v1/affiliates/wa/extra").send().await.unwrap();
    problem(res, 404, "not_found").await;
    let res = app.get("/v1/affiliates/does-not-exist").send().await.unwrap();
    problem(res, 404, "not_found").await;

    let res = app.client.delete(app.url("/v1/affiliates/wa")).send().await.unwrap();
    assert_eq!(res.headers()["allow"], "GET, PATCH, OPTIONS");
    problem(res, 405, "method_not_allowed").await;
    let res = app.client.put(app.url("/v1/affiliates")).send().await.unwrap();
    assert_eq!(res.headers()["allow"], "GET, POST, OPTIONS");
    problem(res, 405, "method_not_allowed").await;

    let res = app.client.request(reqwest::Method::OPTIONS, app.url("/v1/affiliates/wa")).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.headers()["allow"], "GET, PATCH, OPTIONS");
}

#[tokio::test]
async fn oversized_and_deeply_nested_bodies_are_refused() {
    let app = TestApp::spawn_with(&[("MAX_BODY_BYTES", "4096")]).await;
    let token = app.admin_token().await;
    let big = json!({"code": "mi", "name": "x".repeat(5000), "time_zone": "UTC", "currency": "USD"});
    let res = app.post("/v1/affiliates").bearer_auth(&token).json(&big).send().await.unwrap();
    problem(res, 413, "payload_too_large").await;

    // Streamed without Content-Length, so only the running count can catch it.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..10).map(|_| Ok(vec![b' '; 1000])).collect();
    let res = app
        .post("/v1/affiliates")
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    problem(res, 413, "payload_too_large").await;

    // Typed bodies stop at the first mismatch; free-form ones hit the nesting limit.
    let deep = format!("{{\"code\": {}{}}}", "[".repeat(1000), "]".repeat(1000));
    let res = app
        .post("/v1/affiliates")
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(deep.clone())
        .send()
        .await
        .unwrap();
    problem(res, 422, "validation_failed").await;
    let res = app.post("/v1/auth/token").header("content-type", "application/json").body(deep).send().await.unwrap();
    let body = problem(res, 400, "malformed_json").await;
    assert!(body["detail"].as_str().unwrap().contains("recursion limit"), "{body}");
}

#[tokio::test]
async fn odd_requests_never_get_a_500_or_a_non_problem_error() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let cases: Vec<(reqwest::Method, &str, Option<&str>, Option<&str>)> = vec![
        (reqwest::Method::POST, "/v1/affiliates", Some("application/json"), Some("")),
        (reqwest::Method::POST, "/v1/affiliates", Some("application/json"), Some("null")),
        (reqwest::Method::POST, "/v1/affiliates", Some("application/json"), Some("\u{0}\u{1}")),
        (reqwest::Method::POST, "/v1/affiliates", Some("application/json; charset=latin1"), Some("{\"code\": 1}")),
        (reqwest::Method::PATCH, "/v1/affiliates/wa", Some("application/json"), Some("{\"name\": null}")),
        (reqwest::Method::PATCH, "/v1/affiliates/%FF%FE", Some("application/json"), Some("{}")),
        (reqwest::Method::GET, "/v1/affiliates?limit=-1", None, None),
        (reqwest::Method::GET, "/v1/affiliates?limit=99999999999999999999", None, None),
        (reqwest::Method::GET, "/v1/affiliates?cursor=eyJsIjoib3RoZXIiLCJrIjoxfQ", None, None),
        (reqwest::Method::POST, "/v1/auth/token", Some("application/json"), Some("{\"grant_type\": \"implicit\"}")),
        (
            reqwest::Method::POST,
            "/v1/auth/token",
            Some("application/x-www-form-urlencoded"),
            Some("grant_type=password"),
        ),
        (reqwest::Method::POST, "/v1/auth/token", Some("multipart/form-data"), Some("x")),
        (reqwest::Method::GET, "/%2e%2e/%2e%2e/etc/passwd", None, None),
    ];
    for (method, path, content_type, body) in cases {
        let mut req = app.client.request(method.clone(), app.url(path)).bearer_auth(&token);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        if let Some(b) = body {
            req = req.body(b.to_string());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert!(status < 500, "{method} {path} -> {status}");
        assert!((400..500).contains(&status), "{method} {path} -> {status}");
        assert!(ct.starts_with("application/problem+json"), "{method} {path} -> {status} {ct}");
    }
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    let res = app.get("/v1/nothing").send().await.unwrap();
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");
    let res = app.get("/healthz").header("x-request-id", "has spaces and ünïcode").send().await.unwrap();
    assert_ne!(res.headers()["x-request-id"], "has spaces and ünïcode");
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let app = TestApp::spawn_with(&[("CORS_ORIGINS", "https://app.example.org")]).await;
    let res = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/v1/affiliates"))
        .header("origin", "https://app.example.org")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type, idempotency-key")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], "https://app.example.org");
    let allowed = res.headers()["access-control-allow-headers"].to_str().unwrap().to_lowercase();
    assert!(allowed.contains("idempotency-key") && allowed.contains("authorization"), "{allowed}");

    let res = app.get("/v1/affiliates").header("origin", "https://app.example.org").send().await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "https://app.example.org");
    let exposed = res.headers()["access-control-expose-headers"].to_str().unwrap().to_lowercase();
    assert!(exposed.contains("etag") && exposed.contains("x-request-id"), "{exposed}");

    let res = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/v1/affiliates"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    problem(res, 400, "bad_request").await;
    let res = app.get("/v1/affiliates").header("origin", "https://evil.example").send().await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

/// Where the document bounds a string, the server holds the same bound: at the schema's
/// `maxLength` (or `minLength`) a field is accepted, one character beyond it is refused with
/// 422 naming that field, and a value outside a `format: email` is refused too.
#[tokio::test]
async fn documented_string_bounds_are_the_servers() {
    let app = TestApp::spawn_with(&[("REGISTRATION_RATE_LIMIT_PER_HOUR", "1000")]).await;
    let doc: serde_json::Value = app.get("/openapi.json").send().await.unwrap().json().await.unwrap();
    let bound = |schema: &str, field: &str, key: &str| {
        doc["components"]["schemas"][schema]["properties"][field][key]
            .as_u64()
            .unwrap_or_else(|| panic!("{schema}.{field} has no {key}")) as usize
    };
    let admin = app.admin_token().await;
    let mut n = 0;
    let mut unique = || {
        n += 1;
        n
    };
    // Each case: the schema, the field, and how to send a value of that field.
    let names_refused = |body: &serde_json::Value, field: &str| {
        body["errors"].as_array().is_some_and(|e| e.iter().any(|e| e["field"] == field))
    };
    for field in ["given_name", "family_name"] {
        let max = bound("NewRegistration", field, "maxLength");
        let min = bound("NewRegistration", field, "minLength");
        for (len, accepted) in [(max, true), (max + 1, false), (min, true), (min - 1, false)] {
            let mut body = endorse_tests::registration_body(&format!("bounds{}@example.org", unique()));
            body[field] = json!("a".repeat(len));
            let res = app.post("/v1/affiliates/wa/registrations").json(&body).send().await.unwrap();
            let status = res.status().as_u16();
            let answer: serde_json::Value = res.json().await.unwrap_or_default();
            assert_eq!(
                !(status == 422 && names_refused(&answer, field)),
                accepted,
                "NewRegistration.{field} of {len} characters: {status} {answer}"
            );
        }
    }
    let max = bound("NewRegistration", "email", "maxLength");
    for (len, accepted) in [(max, true), (max + 1, false)] {
        // A local part of at most 64 characters, and a domain of labels of at most 63.
        let local = format!("e{}", unique());
        let mut domain = String::from("org");
        while local.len() + 1 + domain.len() < len {
            let room = len - local.len() - 1 - domain.len() - 1;
            domain = format!("{}.{domain}", "x".repeat(room.clamp(1, 60)));
        }
        let email = format!("{local}@{domain}");
        assert_eq!(email.len(), len);
        let res = app.post("/v1/affiliates/wa/registrations").json(&endorse_tests::registration_body(&email)).send();
        let res = res.await.unwrap();
        let status = res.status().as_u16();
        let answer: serde_json::Value = res.json().await.unwrap_or_default();
        assert_eq!(!(status == 422 && names_refused(&answer, "email")), accepted, "email of {len}: {status} {answer}");
    }
    let res = app
        .post("/v1/affiliates/wa/registrations")
        .json(&endorse_tests::registration_body("not an email"))
        .send()
        .await
        .unwrap();
    problem(res, 422, "validation_failed").await;
    let max = bound("NewAffiliate", "name", "maxLength");
    for (len, accepted) in [(max, true), (max + 1, false)] {
        let code = format!("bounds-{}", unique());
        let body = json!({"code": code, "name": "n".repeat(len), "time_zone": "America/Chicago", "currency": "USD"});
        let res = app.post("/v1/affiliates").bearer_auth(&admin).json(&body).send().await.unwrap();
        let status = res.status().as_u16();
        let answer: serde_json::Value = res.json().await.unwrap_or_default();
        assert_eq!(!(status == 422 && names_refused(&answer, "name")), accepted, "affiliate name of {len}: {status}");
    }
}
