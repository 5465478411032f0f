//! Fees, invoices and payments: exact money, no overpayment, effects exactly once, and
//! every invoice visible only to its owner and its affiliate's staff.
use api::domain::roles::Role;
use endorse_tests::{TestApp, problem};
use serde_json::{Value, json};

fn check(cents: i64) -> Value {
    json!({"kind": "payment", "method": "check", "amount": {"amount_cents": cents, "currency": "USD"}, "reference": "check #1"})
}

#[tokio::test]
async fn money_is_exact_and_never_overpaid() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let reg = app.register("money@example.org").await;
    let id = reg["invoice"]["id"].as_str().unwrap();

    let cases = [
        (
            json!({"kind": "payment", "method": "check", "amount": {"amount_cents": 2501, "currency": "USD"}}),
            "exceeds_balance",
        ),
        (
            json!({"kind": "payment", "method": "check", "amount": {"amount_cents": -5, "currency": "USD"}}),
            "invalid_amount",
        ),
        (
            json!({"kind": "payment", "method": "check", "amount": {"amount_cents": 0, "currency": "USD"}}),
            "invalid_amount",
        ),
        (
            json!({"kind": "payment", "method": "check", "amount": {"amount_cents": 10, "currency": "EUR"}}),
            "invalid_amount",
        ),
        (
            json!({"kind": "payment", "method": "check", "amount": {"amount_cents": 999999999999i64, "currency": "USD"}}),
            "invalid_amount",
        ),
        (json!({"kind": "payment", "amount": {"amount_cents": 10, "currency": "USD"}}), "required"),
        (json!({"kind": "waiver", "amount": {"amount_cents": 10, "currency": "USD"}}), "required"),
        (
            json!({"kind": "refund", "method": "card", "reason": "duplicate", "amount": {"amount_cents": 10, "currency": "USD"}}),
            "refund_exceeds_payments",
        ),
        (json!({"kind": "payment", "method": "check", "amount": {"amount_cents": 10.5, "currency": "USD"}}), "invalid"),
    ];
    for (body, code) in cases {
        let res = app.entry(&coordinator, id, body.clone()).await;
        let p = problem(res, 422, "validation_failed").await;
        assert_eq!(p["errors"][0]["code"], code, "{body}: {p}");
    }
    assert_eq!(app.count("invoice_entries", "").await, 0, "nothing half-written");

    app.pay(&coordinator, id, 1).await;
    app.pay(&coordinator, id, 2498).await;
    let last = app.pay(&coordinator, id, 1).await;
    assert_eq!(last["status"], "settled");
    assert_eq!(last["paid"]["amount_cents"], 2500);
    let res = app.entry(&coordinator, id, check(1)).await;
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["code"], "exceeds_balance");

    let res = app
        .entry(&coordinator, id, json!({"kind": "refund", "method": "check", "reason": "paid twice by mistake", "amount": {"amount_cents": 1, "currency": "USD"}}))
        .await;
    assert_eq!(res.status(), 201);
    let refunded: Value = res.json().await.unwrap();
    assert_eq!(refunded["refunded"]["amount_cents"], 1);
    assert_eq!(refunded["balance"]["amount_cents"], 1);
    assert_eq!(refunded["status"], "settled", "a refund after settlement does not undo what settlement started");
    assert_eq!(app.logins_to("money@").await.len(), 1, "the temporary login went out once");
}

#[tokio::test]
async fn a_waiver_settles_and_fires_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let reg = app.register("waived@example.org").await;
    let id = reg["invoice"]["id"].as_str().unwrap();
    let res = app
        .entry(&coordinator, id, json!({"kind": "waiver", "reason": "scholarship from the board", "amount": {"amount_cents": 2500, "currency": "USD"}}))
        .await;
    assert_eq!(res.status(), 201);
    let inv: Value = res.json().await.unwrap();
    assert_eq!(inv["status"], "settled");
    assert_eq!(inv["waived"]["amount_cents"], 2500);
    assert_eq!(inv["entries"][0]["reason"], "scholarship from the board");
    assert_eq!(app.logins_to("waived@").await.len(), 1);
    assert_eq!(app.count("audit_events", "action = 'invoice.waived'").await, 1);
}

#[tokio::test]
async fn settlement_fires_exactly_once_under_retries_and_races() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let reg = app.register("race@example.org").await;
    let id = reg["invoice"]["id"].as_str().unwrap().to_string();
    let url = format!("/v1/invoices/{id}/entries");

    // The same payment retried with one key: one entry, the same answer.
    let send = || app.post(&url).bearer_auth(&coordinator).header("idempotency-key", "pay-1").json(&check(2500)).send();
    let first = send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first = first.bytes().await.unwrap();
    let second = send().await.unwrap();
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    assert_eq!(second.bytes().await.unwrap(), first);

    // Two other payments racing for a settled invoice: both refused.
    let a = app.entry(&coordinator, &id, check(2500));
    let b = app.entry(&coordinator, &id, check(2500));
    let (a, b) = tokio::join!(a, b);
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (422, 422));
    assert_eq!(app.count("invoice_entries", "").await, 1);
    assert_eq!(app.logins_to("race@").await.len(), 1);
    assert_eq!(app.count("login_tokens", "purpose = 'activation'").await, 1);

    // And on an open invoice, two full payments at once: exactly one wins.
    let reg = app.register("race2@example.org").await;
    let id = reg["invoice"]["id"].as_str().unwrap().to_string();
    let (a, b) = tokio::join!(app.entry(&coordinator, &id, check(2500)), app.entry(&coordinator, &id, check(2500)));
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![201, 422]);
    assert_eq!(app.logins_to("race2@").await.len(), 1);
}

#[tokio::test]
async fn invoices_are_visible_to_their_owner_and_staff_only() {
    let app = TestApp::spawn().await;
    let (_, ana) = app.applicant("ana@example.org").await;
    let (_, ben) = app.applicant("ben@example.org").await;
    let mine: Value = app.get("/v1/me/invoices").bearer_auth(&ana).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine["data"].as_array().unwrap().len(), 1);
    let ana_invoice = mine["data"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(mine["data"][0]["status"], "settled");

    let res = app.get(&format!("/v1/invoices/{ana_invoice}")).bearer_auth(&ana).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = app.get(&format!("/v1/invoices/{ana_invoice}")).bearer_auth(&ben).send().await.unwrap();
    problem(res, 404, "not_found").await;
    let res = app.get("/v1/invoices").bearer_auth(&ana).send().await.unwrap();
    problem(res, 403, "forbidden").await;
    let res = app.entry(&ana, &ana_invoice, check(1)).await;
    problem(res, 403, "forbidden").await;

    app.create_affiliate("mi").await;
    let michigan = app.token("mi", &[Role::Coordinator]).await;
    let res = app.get(&format!("/v1/invoices/{ana_invoice}")).bearer_auth(&michigan).send().await.unwrap();
    problem(res, 404, "not_found").await;
    let res = app.entry(&michigan, &ana_invoice, check(1)).await;
    problem(res, 404, "not_found").await;
    let theirs: Value = app.get("/v1/invoices").bearer_auth(&michigan).send().await.unwrap().json().await.unwrap();
    assert_eq!(theirs["data"].as_array().unwrap().len(), 0);

    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let all: Value = app
        .get("/v1/invoices?status=settled&limit=1")
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["data"].as_array().unwrap().len(), 1);
    let next = all["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get(&format!("/v1/invoices?status=settled&limit=1&cursor={next}"))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert_ne!(rest["data"][0]["id"], all["data"][0]["id"]);
    let res = app.get("/v1/invoices?status=paid").bearer_auth(&coordinator).send().await.unwrap();
    problem(res, 400, "invalid_query").await;
    let res =
        app.get(&format!("/v1/invoices/{}", uuid::Uuid::now_v7())).bearer_auth(&coordinator).send().await.unwrap();
    problem(res, 404, "not_found").await;
}

#[tokio::test]
async fn fee_schedules_are_versioned_by_date() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let fees: Value =
        app.get("/v1/affiliates/wa/fees").send().await.unwrap().json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(
        fees,
        json!([{"id": fees[0]["id"], "kind": "registration", "category": null, "amount": {"amount_cents": 2500, "currency": "USD"}, "effective_from": "2015-01-01"}])
    );

    let publish = |body: Value| app.post("/v1/affiliates/wa/fees").bearer_auth(&coordinator).json(&body).send();
    let res = publish(json!({"kind": "registration", "amount": {"amount_cents": 3000, "currency": "USD"}, "effective_from": "2030-01-01"})).await.unwrap();
    assert_eq!(res.status(), 201);
    let res = publish(json!({"kind": "registration", "amount": {"amount_cents": 3500, "currency": "USD"}, "effective_from": "2030-01-01"})).await.unwrap();
    problem(res, 409, "fee_version_exists").await;
    let res = publish(json!({"kind": "processing", "amount": {"amount_cents": 20000, "currency": "USD"}, "effective_from": "2026-01-01"})).await.unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], "category");
    let res = publish(json!({"kind": "processing", "category": "IMHS", "amount": {"amount_cents": 20000, "currency": "USD"}, "effective_from": "2026-01-01"})).await.unwrap();
    assert_eq!(res.status(), 201);
    let res = publish(
        json!({"kind": "tips", "amount": {"amount_cents": 1, "currency": "USD"}, "effective_from": "2026-01-01"}),
    )
    .await
    .unwrap();
    problem(res, 422, "validation_failed").await;

    let now: Value =
        app.get("/v1/affiliates/wa/fees?on=2029-12-31").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    let later: Value =
        app.get("/v1/affiliates/wa/fees?on=2030-01-01").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    let registration = |v: &Value| {
        v.as_array().unwrap().iter().find(|f| f["kind"] == "registration").unwrap()["amount"]["amount_cents"].clone()
    };
    assert_eq!(registration(&now), 2500);
    assert_eq!(registration(&later), 3000);
    assert!(now.as_array().unwrap().iter().any(|f| f["category"] == "IMHS"));
    let res = app.get("/v1/affiliates/wa/fees?on=someday").send().await.unwrap();
    problem(res, 400, "invalid_query").await;

    let applicant = app.token("wa", &[]).await;
    let res = app
        .post("/v1/affiliates/wa/fees")
        .bearer_auth(&applicant)
        .json(
            &json!({"kind": "exam", "amount": {"amount_cents": 1, "currency": "USD"}, "effective_from": "2026-01-01"}),
        )
        .send()
        .await
        .unwrap();
    problem(res, 403, "forbidden").await;
}
