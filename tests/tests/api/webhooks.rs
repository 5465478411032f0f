//! Webhooks: a partner HTTP server on loopback verifies every delivery with the Standard
//! Webhooks algorithm (written here independently of the service), goes down and comes
//! back, and receives each event once by `webhook-id`.
use std::{
    collections::HashMap,
    net::TcpListener,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU16, Ordering},
    },
    time::Duration,
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use api::domain::roles::Role;
use base64::{Engine, engine::general_purpose::STANDARD};
use endorse_tests::{TestApp, problem};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

const FAST: &[(&str, &str)] = &[
    ("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true"),
    ("WEBHOOK_RETRY_BASE_MS", "100"),
    ("WEBHOOK_RETRY_MAX_MS", "400"),
    ("OUTBOX_POLL_INTERVAL_MS", "30"),
];

/// What the partner saw: one entry per request.
#[derive(Clone, Debug)]
struct Receipt {
    id: String,
    body: Value,
    /// For each signature in the header, the secrets (by index) it verifies with.
    verified_by: Vec<Vec<usize>>,
    answered: u16,
}

#[derive(Clone, Default)]
struct Partner {
    secrets: Arc<Mutex<Vec<String>>>,
    receipts: Arc<Mutex<Vec<Receipt>>>,
    status: Arc<AtomicU16>,
}

/// The documented check: base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")) where
/// key is the base64 after `whsec_`.
fn verifies(secret: &str, id: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let Some(key) = secret.strip_prefix("whsec_").and_then(|k| STANDARD.decode(k).ok()) else { return false };
    let Some(given) = signature.strip_prefix("v1,").and_then(|s| STANDARD.decode(s).ok()) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

async fn receive(req: HttpRequest, body: web::Bytes, partner: web::Data<Partner>) -> HttpResponse {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let (id, timestamp, signatures) = (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"));
    let secrets = partner.secrets.lock().unwrap().clone();
    let verified_by: Vec<Vec<usize>> = signatures
        .split(' ')
        .map(|sig| (0..secrets.len()).filter(|i| verifies(&secrets[*i], &id, &timestamp, &body, sig)).collect())
        .collect();
    let fresh = timestamp.parse::<i64>().is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    let valid = fresh && verified_by.iter().any(|v| !v.is_empty());
    let answered = if valid { partner.status.load(Ordering::SeqCst) } else { 401 };
    partner.receipts.lock().unwrap().push(Receipt {
        id,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        verified_by,
        answered,
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(answered).unwrap()).finish()
}

fn listen(partner: &Partner, listener: TcpListener) -> actix_web::dev::ServerHandle {
    let data = web::Data::new(partner.clone());
    let server = HttpServer::new(move || App::new().app_data(data.clone()).route("/hooks", web::post().to(receive)))
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
    let handle = server.handle();
    tokio::spawn(server);
    handle
}

async fn eventually<F: AsyncFn() -> bool>(what: &str, check: F) {
    for _ in 0..300 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn accepted(partner: &Partner) -> HashMap<String, Vec<Receipt>> {
    let mut by_id: HashMap<String, Vec<Receipt>> = HashMap::new();
    for r in partner.receipts.lock().unwrap().iter().filter(|r| (200..300).contains(&r.answered)) {
        by_id.entry(r.id.clone()).or_default().push(r.clone());
    }
    by_id
}

async fn sync_people(app: &TestApp, token: &str, ids: &[&str]) {
    let items: Vec<Value> = ids
        .iter()
        .map(|id| json!({"external_id": id, "email": format!("{id}@example.org"), "given_name": "Hook", "family_name": id}))
        .collect();
    let res = app
        .post("/v1/affiliates/wa/sync/people")
        .bearer_auth(token)
        .json(&json!({ "items": items }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_partner_receives_signed_events_once_each_across_an_outage_and_a_secret_rotation() {
    // Two replicas, both running the webhook worker: still one delivery per event.
    let app = TestApp::spawn_with(FAST).await;
    let _second = app.replica(FAST).await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let client = app.client_token(&coordinator, &["webhooks:manage", "sync:write"]).await;
    let partner = Partner { status: Arc::new(AtomicU16::new(204)), ..Partner::default() };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = listen(&partner, listener);

    let res = app
        .post("/v1/affiliates/wa/webhooks")
        .bearer_auth(&client)
        .json(&json!({"url": format!("http://{addr}/hooks"), "kinds": ["person"], "description": "CRM"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("etag").is_some());
    let sub: Value = res.json().await.unwrap();
    let secret = sub["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let shown: Value =
        app.get(&format!("/v1/webhooks/{sub_id}")).bearer_auth(&client).send().await.unwrap().json().await.unwrap();
    assert!(shown.get("secret").is_none(), "the secret is shown once");
    assert_eq!(shown["kinds"], json!(["person"]));
    partner.secrets.lock().unwrap().push(secret.clone());

    // Up: three events arrive, signed, of the subscribed kind only.
    sync_people(&app, &client, &["h-1", "h-2", "h-3"]).await;
    eventually("three deliveries", async || accepted(&partner).len() == 3).await;
    for (_, receipts) in accepted(&partner) {
        let body = &receipts[0].body;
        assert_eq!(body["type"], "person.upserted");
        assert!(body["data"]["external_id"].as_str().unwrap().starts_with("h-"));
        assert_eq!(body["data"]["representation"]["given_name"], "Hook");
        assert_eq!(receipts[0].verified_by, vec![vec![0]]);
    }

    // Down: deliveries fail and are retried; nothing is lost.
    server.stop(true).await;
    sync_people(&app, &client, &["h-4", "h-5"]).await;
    let deliveries = || async {
        let page: Value = app
            .get(&format!("/v1/webhooks/{sub_id}/deliveries"))
            .bearer_auth(&client)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        page["data"].as_array().unwrap().clone()
    };
    eventually("failed attempts while the partner is down", async || {
        deliveries().await.iter().filter(|d| d["status"] == "pending" && d["attempts"].as_i64().unwrap() >= 2).count()
            == 2
    })
    .await;

    // Back up on the same address: the missed events arrive, each once.
    let listener = TcpListener::bind(addr).unwrap();
    let server = listen(&partner, listener);
    eventually("all five events", async || accepted(&partner).len() == 5).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let by_id = accepted(&partner);
    assert!(by_id.values().all(|r| r.len() == 1), "an event was accepted twice: {by_id:?}");
    let events: Vec<&str> = by_id.values().map(|r| r[0].body["data"]["event_id"].as_str().unwrap()).collect();
    let mut unique = events.clone();
    unique.dedup();
    assert_eq!(unique.len(), 5);

    // The delivery log shows the outage.
    let list = deliveries().await;
    assert_eq!(list.len(), 5);
    assert!(list.iter().all(|d| d["status"] == "delivered" && d["last_status_code"] == 204));
    let outage = list.iter().find(|d| d["attempts"].as_i64().unwrap() >= 2).unwrap();
    let detail: Value = app
        .get(&format!("/v1/webhooks/{sub_id}/deliveries/{}", outage["id"].as_str().unwrap()))
        .bearer_auth(&client)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The logged body is the documented webhook event, as is the delivery itself.
    endorse_tests::assert_conforms("WebhookEvent", &detail["payload"]);
    endorse_tests::assert_conforms("DeliveryDetail", &detail);
    let log = detail["log"].as_array().unwrap();
    assert!(log.len() >= 2);
    assert!(log[0]["status_code"].is_null());
    assert_eq!(log[0]["error"], "could not connect");
    assert_eq!(log.last().unwrap()["status_code"], 204);
    assert!(log.iter().all(|a| a["latency_ms"].as_i64().unwrap() >= 0));
    assert_eq!(detail["webhook_id"], outage["webhook_id"]);
    assert!(by_id.contains_key(outage["webhook_id"].as_str().unwrap()));

    // Rotation: both secrets sign during the overlap.
    let res = app
        .post(&format!("/v1/webhooks/{sub_id}/secret-rotation"))
        .bearer_auth(&client)
        .json(&json!({"overlap_hours": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let rotated: Value = res.json().await.unwrap();
    let new_secret = rotated["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);
    assert!(rotated["previous_secret_expires_at"].is_string());
    partner.secrets.lock().unwrap().push(new_secret);
    sync_people(&app, &client, &["h-6"]).await;
    eventually("the event after rotation", async || accepted(&partner).len() == 6).await;
    let after = accepted(&partner).into_values().flatten().find(|r| r.body["data"]["external_id"] == "h-6").unwrap();
    assert_eq!(after.verified_by, vec![vec![1], vec![0]], "new secret first, then the previous one");

    // Manual redelivery: the same webhook-id again.
    let first = &list[0];
    let res = app
        .post(&format!("/v1/webhooks/{sub_id}/deliveries/{}/redelivery", first["id"].as_str().unwrap()))
        .bearer_auth(&client)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let id = first["webhook_id"].as_str().unwrap().to_string();
    eventually("the redelivery", async || accepted(&partner).get(&id).is_some_and(|r| r.len() == 2)).await;
    let again = &accepted(&partner)[&id];
    assert_eq!(again[0].body, again[1].body);
    server.stop(true).await;
}

#[tokio::test]
async fn persistent_failure_disables_the_subscription_and_tells_its_owner() {
    let mut vars = FAST.to_vec();
    vars.push(("WEBHOOK_MAX_AGE_SECONDS", "1"));
    let app = TestApp::spawn_with(&vars).await;
    app.staff("owner@example.org", "wa", &[Role::Coordinator]).await;
    let owner = app.login("owner@example.org").await["access_token"].as_str().unwrap().to_string();
    let partner = Partner { status: Arc::new(AtomicU16::new(500)), ..Partner::default() };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = listen(&partner, listener);
    let sub: Value = app
        .post("/v1/affiliates/wa/webhooks")
        .bearer_auth(&owner)
        .json(&json!({"url": format!("http://{addr}/hooks")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    partner.secrets.lock().unwrap().push(sub["secret"].as_str().unwrap().to_string());
    let sub_id = sub["id"].as_str().unwrap().to_string();
    sync_people(&app, &owner, &["f-1"]).await;

    let get = || async {
        app.get(&format!("/v1/webhooks/{sub_id}"))
            .bearer_auth(&owner)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    eventually("the subscription to be disabled", async || get().await["status"] == "disabled").await;
    let shown = get().await;
    assert!(shown["disabled_reason"].as_str().unwrap().contains("failing"));
    let page: Value = app
        .get(&format!("/v1/webhooks/{sub_id}/deliveries?status=failed"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let failed = page["data"].as_array().unwrap();
    assert!(!failed.is_empty());
    assert_eq!(failed[0]["last_status_code"], 500);
    let attempts = partner.receipts.lock().unwrap().len();
    assert!(attempts >= 2, "retried before giving up ({attempts} attempts)");
    let mails = app.emails_to("owner@example.org").await;
    assert!(mails.iter().any(|m| m.subject.contains("disabled") && m.text.contains(&sub_id)));

    // Disabled: no more attempts, redelivery refused until re-enabled.
    sync_people(&app, &owner, &["f-2"]).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(partner.receipts.lock().unwrap().len(), attempts);
    let delivery = failed[0]["id"].as_str().unwrap();
    let res = app
        .post(&format!("/v1/webhooks/{sub_id}/deliveries/{delivery}/redelivery"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    problem(res, 409, "subscription_disabled").await;
    let res = app
        .patch(&format!("/v1/webhooks/{sub_id}"))
        .bearer_auth(&owner)
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    problem(res, 428, "precondition_required").await;
    let res = app
        .patch(&format!("/v1/webhooks/{sub_id}"))
        .bearer_auth(&owner)
        .header("If-Match", format!("\"{}\"", shown["version"].as_i64().unwrap() - 1))
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    problem(res, 412, "precondition_failed").await;
    assert_eq!(get().await["status"], "disabled", "a stale change is not applied");
    let res = app
        .patch(&format!("/v1/webhooks/{sub_id}"))
        .bearer_auth(&owner)
        .header("If-Match", format!("\"{}\"", shown["version"]))
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    partner.status.store(200, Ordering::SeqCst);
    let res = app
        .post(&format!("/v1/webhooks/{sub_id}/deliveries/{delivery}/redelivery"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    eventually("the redelivered event", async || !accepted(&partner).is_empty()).await;
    server.stop(true).await;
}

#[tokio::test]
async fn subscription_urls_must_be_public_https() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    for url in [
        "http://127.0.0.1:9/hooks",
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://10.0.0.8/hooks",
        "https://[fd00:ec2::254]/",
        "https://user:pw@93.184.216.34/hooks",
        "http://93.184.216.34/hooks",
        "ftp://93.184.216.34/hooks",
    ] {
        let res = app
            .post("/v1/affiliates/wa/webhooks")
            .bearer_auth(&coordinator)
            .json(&json!({"url": url}))
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "validation_failed").await;
        assert_eq!(p["errors"][0]["code"], "url_not_allowed", "{url}");
    }
    let res = app
        .post("/v1/affiliates/wa/webhooks")
        .bearer_auth(&coordinator)
        .json(&json!({"url": "https://93.184.216.34/hooks", "kinds": ["person", "password"]}))
        .send()
        .await
        .unwrap();
    let p = problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["code"], "unknown_value");
    assert_eq!(p["errors"][0]["field"], "kinds[1]");
    // A public IP literal needs no lookup and is accepted.
    let res = app
        .post("/v1/affiliates/wa/webhooks")
        .bearer_auth(&coordinator)
        .json(&json!({"url": "https://93.184.216.34/hooks"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(app.count("webhook_subscriptions", "").await, 1);
}

#[tokio::test]
async fn webhooks_of_one_affiliate_are_invisible_to_another() {
    let app = TestApp::spawn().await;
    let wa = app.token("wa", &[Role::Coordinator]).await;
    app.create_affiliate("or").await;
    let or = app.token("or", &[Role::Coordinator]).await;
    let or_client = {
        // A client of Oregon with the scope.
        let c: Value = app
            .post("/v1/affiliates/or/clients")
            .bearer_auth(&or)
            .json(&json!({"name": "or client", "scopes": ["webhooks:manage"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let t: Value = app
            .post("/v1/auth/token")
            .json(&json!({"grant_type": "client_credentials", "client_id": c["client_id"], "client_secret": c["client_secret"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        t["access_token"].as_str().unwrap().to_string()
    };
    let no_scope = app.client_token(&wa, &["sync:read"]).await;
    let endorsee = app.token("wa", &[]).await;
    let sub: Value = app
        .post("/v1/affiliates/wa/webhooks")
        .bearer_auth(&wa)
        .json(&json!({"url": "https://93.184.216.34/hooks"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = sub["id"].as_str().unwrap();
    let fake = uuid::Uuid::now_v7();

    for token in [&or, &or_client] {
        problem(app.get(&format!("/v1/webhooks/{id}")).bearer_auth(token).send().await.unwrap(), 404, "not_found")
            .await;
        problem(
            app.get(&format!("/v1/webhooks/{id}/deliveries")).bearer_auth(token).send().await.unwrap(),
            404,
            "not_found",
        )
        .await;
        problem(
            app.get(&format!("/v1/webhooks/{id}/deliveries/{fake}")).bearer_auth(token).send().await.unwrap(),
            404,
            "not_found",
        )
        .await;
        let res = app
            .post(&format!("/v1/webhooks/{id}/deliveries/{fake}/redelivery"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        problem(res, 404, "not_found").await;
        let res = app
            .post(&format!("/v1/webhooks/{id}/secret-rotation"))
            .bearer_auth(token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        problem(res, 404, "not_found").await;
        let res = app
            .patch(&format!("/v1/webhooks/{id}"))
            .bearer_auth(token)
            .header("If-Match", "\"1\"")
            .json(&json!({"enabled": false}))
            .send()
            .await
            .unwrap();
        problem(res, 404, "not_found").await;
        let res = app
            .delete(&format!("/v1/webhooks/{id}"))
            .bearer_auth(token)
            .header("If-Match", "\"1\"")
            .send()
            .await
            .unwrap();
        problem(res, 404, "not_found").await;
        problem(app.get("/v1/affiliates/wa/webhooks").bearer_auth(token).send().await.unwrap(), 403, "forbidden").await;
        let res = app
            .post("/v1/affiliates/wa/webhooks")
            .bearer_auth(token)
            .json(&json!({"url": "https://93.184.216.34/x"}))
            .send()
            .await
            .unwrap();
        problem(res, 403, "forbidden").await;
    }
    for token in [&no_scope, &endorsee] {
        problem(app.get(&format!("/v1/webhooks/{id}")).bearer_auth(token).send().await.unwrap(), 403, "forbidden")
            .await;
        problem(app.get("/v1/affiliates/wa/webhooks").bearer_auth(token).send().await.unwrap(), 403, "forbidden").await;
    }
    problem(app.get(&format!("/v1/webhooks/{id}")).send().await.unwrap(), 401, "unauthenticated").await;
    let list: Value =
        app.get("/v1/affiliates/or/webhooks").bearer_auth(&or).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["data"], json!([]));
    assert_eq!(app.count("webhook_subscriptions", "status = 'active'").await, 1, "nothing changed");
    let res =
        app.delete(&format!("/v1/webhooks/{id}")).bearer_auth(&wa).header("If-Match", "\"1\"").send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(app.count("webhook_subscriptions", "").await, 0);
}
