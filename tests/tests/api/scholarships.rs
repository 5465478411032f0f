//! Scholarships: an award credited to what the person owes settles it like a payment
//! would; a fund's budget is never overspent, even by racing approvals.
use api::domain::roles::Role;
use endorse_tests::{TestApp, code_in, problem};
use serde_json::{Value, json};

async fn fund(app: &TestApp, coordinator: &str, budget: i64, covers: Value) -> String {
    let res = app
        .post("/v1/affiliates/wa/scholarship-funds")
        .bearer_auth(coordinator)
        .json(&json!({"name": "Access fund", "sponsor": "A foundation", "budget": {"amount_cents": budget, "currency": "USD"}, "starts_on": "2000-01-01", "ends_on": "2099-12-31", "covers": covers}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_scholarship_for_the_registration_fee_sends_the_temporary_login_without_payment() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let fund_id = fund(&app, &coordinator, 10_000, json!(["registration", "processing"])).await;
    let reg = app.register("covered@example.org").await;
    let body = json!({"fund_id": fund_id, "amount": {"amount_cents": 2500, "currency": "USD"}, "purpose": "registration", "statement": "I work in a rural program.", "invoice_id": reg["invoice"]["id"], "person_id": reg["person_id"]});
    let res = app.post("/v1/scholarship-requests").bearer_auth(&coordinator).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let req: Value = res.json().await.unwrap();
    assert_eq!(req["status"], "pending");
    assert!(app.logins_to("covered@").await.is_empty());
    let res = app
        .post(&format!("/v1/scholarship-requests/{}/decision", req["id"].as_str().unwrap()))
        .bearer_auth(&coordinator)
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let decided: Value = res.json().await.unwrap();
    assert_eq!(
        (decided["awarded"]["amount_cents"].as_i64(), decided["applied"]["amount_cents"].as_i64()),
        (Some(2500), Some(2500))
    );
    let invoice: Value = app
        .get(&format!("/v1/invoices/{}", reg["invoice"]["id"].as_str().unwrap()))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(invoice["status"], "settled");
    assert_eq!(invoice["credited"]["amount_cents"], 2500);
    assert_eq!(invoice["paid"]["amount_cents"], 0, "no payment");
    let email = app
        .emails_to("covered@")
        .await
        .into_iter()
        .find(|e| e.subject.contains("temporary login"))
        .expect("temporary login sent");
    assert!(!code_in(&email.text).is_empty());
    let funds: Value = app.get("/v1/affiliates/wa/scholarship-funds").send().await.unwrap().json().await.unwrap();
    assert_eq!(funds["data"][0]["remaining"]["amount_cents"], 7500);
}

#[tokio::test]
async fn racing_approvals_never_exceed_the_budget() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let fund_id = fund(&app, &coordinator, 5000, json!(["processing"])).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let (_, token) = app.applicant(&format!("s{i}@example.org")).await;
        let res = app.post("/v1/scholarship-requests").bearer_auth(&token).json(&json!({"fund_id": fund_id, "amount": {"amount_cents": 2000, "currency": "USD"}, "purpose": "processing", "statement": "Please"})).send().await.unwrap();
        ids.push(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
    }
    let decisions = ids.iter().map(|id| {
        app.post(&format!("/v1/scholarship-requests/{id}/decision"))
            .bearer_auth(&coordinator)
            .json(&json!({"decision": "approve"}))
            .send()
    });
    let results = futures_util::future::join_all(decisions).await;
    let approved = results.iter().filter(|r| r.as_ref().unwrap().status() == 200).count();
    assert_eq!(approved, 2, "5000 covers two awards of 2000");
    assert_eq!(results.iter().filter(|r| r.as_ref().unwrap().status() == 409).count(), 3);
    let funds: Value = app.get("/v1/affiliates/wa/scholarship-funds").send().await.unwrap().json().await.unwrap();
    assert_eq!(funds["data"][0]["remaining"]["amount_cents"], 1000);
    // A partial award fits what remains.
    let pending: Value = app
        .get("/v1/scholarship-requests?status=pending")
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = pending["data"][0]["id"].as_str().unwrap();
    let res = app
        .post(&format!("/v1/scholarship-requests/{id}/decision"))
        .bearer_auth(&coordinator)
        .json(&json!({"decision": "approve", "amount": {"amount_cents": 1000, "currency": "USD"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["awarded"]["amount_cents"], 1000);
    let res = app
        .post(&format!("/v1/scholarship-requests/{}/decision", pending["data"][1]["id"].as_str().unwrap()))
        .bearer_auth(&coordinator)
        .json(&json!({"decision": "deny"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], "reason");
}

#[tokio::test]
async fn an_award_waits_for_the_next_matching_invoice_and_requests_are_private() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let fund_id = fund(&app, &coordinator, 10_000, json!(["membership"])).await;
    let (_, token) = app.applicant("later@example.org").await;
    let (_, other) = app.applicant("other.s@example.org").await;
    let res = app.post("/v1/scholarship-requests").bearer_auth(&token).json(&json!({"fund_id": fund_id, "amount": {"amount_cents": 3000, "currency": "USD"}, "purpose": "membership", "statement": "Membership help"})).send().await.unwrap();
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let res = app.post("/v1/scholarship-requests").bearer_auth(&token).json(&json!({"fund_id": fund_id, "amount": {"amount_cents": 3000, "currency": "USD"}, "purpose": "exam", "statement": "x"})).send().await.unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["code"], "not_covered");
    problem(
        app.post(&format!("/v1/scholarship-requests/{id}/decision"))
            .bearer_auth(&token)
            .json(&json!({"decision": "approve"}))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    app.post(&format!("/v1/scholarship-requests/{id}/decision"))
        .bearer_auth(&coordinator)
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    // Joining a plan afterwards: the $80 invoice is credited $30 at once.
    let plans: Value =
        app.get("/v1/affiliates/wa/membership-plans").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    let joined: Value = app
        .post("/v1/me/memberships")
        .bearer_auth(&token)
        .json(&json!({"plan_id": plans[0]["id"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(joined["invoice"]["credited"]["amount_cents"], 3000);
    assert_eq!(joined["invoice"]["balance"]["amount_cents"], 5000);
    let mine: Value =
        app.get("/v1/me/scholarship-requests").bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine["data"][0]["applied"]["amount_cents"], 3000);
    let theirs: Value =
        app.get("/v1/me/scholarship-requests").bearer_auth(&other).send().await.unwrap().json().await.unwrap();
    assert_eq!(theirs["data"].as_array().unwrap().len(), 0);
    problem(app.get("/v1/scholarship-requests").bearer_auth(&token).send().await.unwrap(), 403, "forbidden").await;
}

/// RSC is bought from a consultant, not invoiced here: an award for it is disbursed on
/// approval (spending the budget) instead of waiting for an invoice that never comes.
#[tokio::test]
async fn an_rsc_award_is_disbursed_on_approval() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let fund_id = fund(&app, &coordinator, 10_000, json!(["rsc"])).await;
    // The applicant reads Spanish: the decision, its amount and its wording come in Spanish.
    let (_, token) = app.applicant_in("rsc@example.org", "es").await;
    let reg = app.register("someone-else@example.org").await;
    let mut body = json!({"fund_id": fund_id, "amount": {"amount_cents": 6000, "currency": "USD"}, "purpose": "rsc", "statement": "Monthly reflective supervision.", "invoice_id": reg["invoice"]["id"]});
    let res = app.post("/v1/scholarship-requests").bearer_auth(&token).json(&body).send().await.unwrap();
    let refused = problem(res, 422, "validation_failed").await;
    assert_eq!(refused["errors"][0]["field"], "invoice_id");
    assert!(refused["errors"][0].to_string().contains("not_invoiced"), "{refused}");
    body.as_object_mut().unwrap().remove("invoice_id");
    let res = app.post("/v1/scholarship-requests").bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let decided: Value = app
        .post(&format!("/v1/scholarship-requests/{id}/decision"))
        .bearer_auth(&coordinator)
        .json(&json!({"decision": "approve", "amount": {"amount_cents": 4000, "currency": "USD"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(decided["status"], "approved");
    assert_eq!(
        (decided["awarded"]["amount_cents"].as_i64(), decided["applied"]["amount_cents"].as_i64()),
        (Some(4000), Some(4000))
    );
    let funds: Value = app.get("/v1/affiliates/wa/scholarship-funds").send().await.unwrap().json().await.unwrap();
    assert_eq!(funds["data"][0]["remaining"]["amount_cents"], 6000);

    // A fund whose period is over takes no more requests.
    let res = app
        .post("/v1/affiliates/wa/scholarship-funds")
        .bearer_auth(&coordinator)
        .json(&json!({"name": "Last year's fund", "budget": {"amount_cents": 1000, "currency": "USD"}, "starts_on": "2020-01-01", "ends_on": "2020-12-31", "covers": ["rsc"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    body["fund_id"] = res.json::<Value>().await.unwrap()["id"].clone();
    let res = app.post("/v1/scholarship-requests").bearer_auth(&token).json(&body).send().await.unwrap();
    let refused = problem(res, 422, "validation_failed").await;
    assert!(refused["errors"][0].to_string().contains("fund_closed"), "{refused}");
    assert_eq!(app.count("invoice_entries", "method = 'scholarship'").await, 0, "nothing credited");
    let mail = app.emails_to("rsc@example.org").await;
    let decision =
        mail.iter().find(|m| m.template == Some(entity::mail_template::MailTemplateKey::ScholarshipDecision));
    let decision = decision.expect("a decision email");
    assert!(decision.text.starts_with("Hola Ana López:"), "{}", decision.text);
    assert!(decision.text.contains("El monto otorgado es de 40,00 US$."), "{}", decision.text);
    assert!(decision.text.contains("paga esta beca fuera de este servicio"), "{}", decision.text);
}
