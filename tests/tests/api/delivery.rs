//! Delivery people can check: a person turns reminders off or sends them elsewhere; staff
//! record and clear a bounce; the mail provider reports one through a signed webhook.
use api::domain::roles::Role;
use endorse_tests::{TestApp, problem};
use serde_json::{Value, json};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async fn me(app: &TestApp, token: &str) -> Value {
    app.get("/v1/me").bearer_auth(token).send().await.unwrap().json().await.unwrap()
}

fn version(v: &Value) -> String {
    format!("\"{}\"", v["version"])
}

#[tokio::test]
async fn a_person_chooses_where_reminders_go_and_staff_see_the_last_bounce() {
    let app = TestApp::spawn().await;
    let (person, token) = app.applicant("bounce.me@childhaven.example").await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let profile = me(&app, &token).await;
    assert_eq!(profile["mail"], json!({"reminders": true, "reminder_email": null, "last_bounce": null}));

    // A reminder address must be an address.
    let res = app
        .patch("/v1/me")
        .bearer_auth(&token)
        .header("If-Match", version(&profile))
        .json(&json!({"reminder_email": "not an address"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], "reminder_email");
    let res = app
        .patch("/v1/me")
        .bearer_auth(&token)
        .header("If-Match", version(&profile))
        .json(&json!({"reminders": false, "reminder_email": "ana@home.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["mail"]["reminders"], false);
    assert_eq!(changed["mail"]["reminder_email"], "ana@home.example");

    // Staff record a bounce of one of the person's addresses, with the current version.
    let bounce = format!("/v1/people/{person}/mail-bounce");
    let report = json!({"email": "BOUNCE.me@childhaven.example", "kind": "hard", "reason": "550 5.1.1 no such user"});
    let res = app.put(&bounce).bearer_auth(&coordinator).json(&report).send().await.unwrap();
    problem(res, 428, "precondition_required").await;
    let stranger = json!({"email": "someone.else@example.org", "kind": "hard"});
    let res =
        app.put(&bounce).bearer_auth(&coordinator).header("If-Match", version(&changed)).json(&stranger).send().await;
    assert_eq!(problem(res.unwrap(), 422, "validation_failed").await["errors"][0]["field"], "email");
    let res = app.put(&bounce).bearer_auth(&coordinator).header("If-Match", version(&changed)).json(&report).send();
    let res = res.await.unwrap();
    assert_eq!(res.status(), 200);
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let bounced: Value = res.json().await.unwrap();
    assert_eq!(etag, version(&bounced));
    assert_eq!(bounced["mail"]["last_bounce"]["kind"], "hard");
    assert_eq!(bounced["mail"]["last_bounce"]["reason"], "550 5.1.1 no such user");
    assert_eq!(me(&app, &token).await["mail"]["last_bounce"]["email"], "BOUNCE.me@childhaven.example");
    assert_eq!(app.count("audit_events", "action = 'person.bounce_recorded'").await, 1);

    // The person cannot record or clear bounces; another affiliate's staff find nobody.
    let res = app.delete(&bounce).bearer_auth(&token).header("If-Match", version(&bounced)).send().await.unwrap();
    assert!([403, 404].contains(&res.status().as_u16()));
    app.create_affiliate("mi").await;
    let other = app.token("mi", &[Role::Coordinator]).await;
    let res = app.delete(&bounce).bearer_auth(&other).header("If-Match", version(&bounced)).send().await.unwrap();
    problem(res, 404, "not_found").await;

    // Cleared once the address works again.
    let res = app.delete(&bounce).bearer_auth(&coordinator).header("If-Match", version(&bounced)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["mail"]["last_bounce"], Value::Null);
}

/// A Standard Webhooks delivery of `body`, signed now (or `age` seconds ago).
fn signed(app: &TestApp, body: &Value, age: i64) -> reqwest::RequestBuilder {
    signed_with(app, body, age, None)
}

fn signed_with(app: &TestApp, body: &Value, age: i64, forged: Option<&str>) -> reqwest::RequestBuilder {
    let bytes = serde_json::to_vec(body).unwrap();
    let ts = chrono::Utc::now().timestamp() - age;
    let signature = match forged {
        Some(f) => f.to_string(),
        None => api::domain::webhooks::sign(SECRET, "msg_1", ts, &bytes).unwrap(),
    };
    app.post("/v1/mail/events")
        .header("webhook-id", "msg_1")
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", signature)
        .header("Content-Type", "application/json")
        .body(bytes)
}

#[tokio::test]
async fn the_mail_provider_reports_bounces_through_a_signed_webhook() {
    let app = TestApp::spawn_with(&[("MAIL_WEBHOOK_SECRET", SECRET)]).await;
    let (_, token) = app.applicant("complains@childhaven.example").await;
    let event = json!({"email": "Complains@Childhaven.example", "kind": "complaint", "reason": "marked as spam"});

    // Unsigned, forged or stale: 400 invalid_signature, nothing recorded.
    let unsigned = app.post("/v1/mail/events").json(&event).send().await.unwrap();
    problem(unsigned, 400, "invalid_signature").await;
    let forged = signed_with(&app, &event, 0, Some("v1,Zm9yZ2Vk")).send().await.unwrap();
    problem(forged, 400, "invalid_signature").await;
    problem(signed(&app, &event, 600).send().await.unwrap(), 400, "invalid_signature").await;
    assert_eq!(me(&app, &token).await["mail"]["last_bounce"], Value::Null);

    // Signed: recorded on the person with that address, whatever its case.
    let res = signed(&app, &event, 0).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let bounce = me(&app, &token).await["mail"]["last_bounce"].clone();
    assert_eq!(bounce["kind"], "complaint");
    assert_eq!(bounce["reason"], "marked as spam");

    // An address nobody has is accepted and changes nothing; a bad event is 422.
    let nobody = json!({"email": "nobody@example.org", "kind": "hard"});
    assert_eq!(signed(&app, &nobody, 0).send().await.unwrap().status(), 204);
    let bad = json!({"email": "x@example.org", "kind": "lost"});
    problem(signed(&app, &bad, 0).send().await.unwrap(), 422, "validation_failed").await;

    // Without a configured secret the endpoint does not exist.
    let plain = TestApp::spawn().await;
    problem(signed(&plain, &event, 0).send().await.unwrap(), 404, "not_found").await;
}
