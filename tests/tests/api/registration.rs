//! Registration → fee → temporary login → password → sign-in → membership → profile.
use api::{domain::affiliate::TimeZone, domain::membership::TermRule, domain::membership::term, domain::roles::Role};
use endorse_tests::{PASSWORD, TestApp, code_in, problem, registration_body};
use serde_json::{Value, json};

fn washington_today() -> chrono::NaiveDate {
    TimeZone::parse("America/Los_Angeles").unwrap().local_date(chrono::Utc::now())
}

#[tokio::test]
async fn the_whole_front_door() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;

    // Register: a pending account and a $25 registration invoice.
    let reg = app.register("Ana.Lopez@Example.org").await;
    assert_eq!(reg["status"], "awaiting_fee");
    let invoice = &reg["invoice"];
    assert_eq!(invoice["purpose"], "registration");
    assert_eq!(invoice["status"], "open");
    assert_eq!(invoice["total"], json!({"amount_cents": 2500, "currency": "USD"}));
    assert_eq!(invoice["balance"]["amount_cents"], 2500);
    assert!(invoice["number"].as_str().unwrap().starts_with("WA-"));
    let invoice_id = invoice["id"].as_str().unwrap();
    assert_eq!(
        app.count("people", "status = 'pending' AND password_hash IS NULL").await,
        1,
        "the new account is pending"
    );
    problem(app.login_with("ana.lopez@example.org", PASSWORD).await, 400, "invalid_grant").await;
    // What came instead says what the fee is and links to paying it, in the front end.
    let received = app.emails_to("Ana.Lopez").await;
    assert_eq!(received.len(), 1, "only the registration is acknowledged before the fee is settled");
    assert!(received[0].subject.contains("we received your registration"), "{}", received[0].subject);
    assert!(received[0].text.contains("$25.00") && received[0].text.contains(invoice["number"].as_str().unwrap()));
    let pay =
        format!("{}/invoices/{invoice_id}/pay", app.state.config.frontend_base_url.as_str().trim_end_matches('/'));
    assert!(received[0].text.contains(&pay), "{}", received[0].text);
    assert!(received[0].html.as_deref().is_some_and(|h| h.contains(&format!("<a href=\"{pay}\">"))));

    // A partial payment does not settle it.
    let partial = app.pay(&coordinator, invoice_id, 1000).await;
    assert_eq!(partial["status"], "open");
    assert_eq!(partial["balance"]["amount_cents"], 1500);
    assert_eq!(app.emails_to("Ana.Lopez").await.len(), 1, "still no login");

    // The rest settles it and the temporary login goes out, once.
    let settled = app.pay(&coordinator, invoice_id, 1500).await;
    assert_eq!(settled["status"], "settled");
    assert_eq!(settled["balance"]["amount_cents"], 0);
    assert_eq!(settled["entries"].as_array().unwrap().len(), 2);
    let emails = app.emails_to("Ana.Lopez@Example.org").await;
    assert_eq!(emails.len(), 2);
    assert!(emails[1].subject.contains("temporary login"));
    assert!(emails[1].text.contains("/activate?token="));
    let code = code_in(&emails[1].text);
    assert_eq!(app.count("login_tokens", &format!("token_hash = '{code}'")).await, 0, "only the hash is stored");

    // It is delivered by the worker to the mail folder.
    let mut delivered = false;
    for _ in 0..100 {
        if app.count("outbox_messages", "status = 'sent'").await >= 2 {
            delivered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(delivered);
    assert!(std::fs::read_dir(&app.mail_dir).unwrap().count() >= 1);

    // Setting the password activates the account; the code works once.
    let res = app.post("/v1/auth/activate").json(&json!({"token": code, "password": "short"})).send().await.unwrap();
    let body = problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "password");
    let res = app.post("/v1/auth/activate").json(&json!({"token": code, "password": PASSWORD})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "active");
    let res = app.post("/v1/auth/activate").json(&json!({"token": code, "password": PASSWORD})).send().await.unwrap();
    problem(res, 400, "invalid_token").await;

    // Sign in; no membership yet.
    let token = app.login("ana.lopez@example.org").await["access_token"].as_str().unwrap().to_string();
    let me: Value = app.get("/v1/me").bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["status"], "active");
    assert_eq!(me["address"]["city"], "Seattle");
    assert_eq!(me["membership"]["status"], "none");

    // Join Washington's individual plan: an $80 invoice; active once paid.
    let plans: Value =
        app.get("/v1/affiliates/wa/membership-plans").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    assert_eq!(plans[0]["dues"], json!({"amount_cents": 8000, "currency": "USD"}));
    assert_eq!(plans[0]["term"], json!({"kind": "calendar_year", "next_year_from": "10-01"}));
    let res = app
        .post("/v1/me/memberships")
        .bearer_auth(&token)
        .json(&json!({"plan_id": plans[0]["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let joined: Value = res.json().await.unwrap();
    assert_eq!(joined["membership"]["status"], "pending_payment");
    assert_eq!(joined["invoice"]["total"]["amount_cents"], 8000);
    let me: Value = app.get("/v1/me").bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["membership"]["status"], "pending_payment");

    app.pay(&coordinator, joined["invoice"]["id"].as_str().unwrap(), 8000).await;
    let today = washington_today();
    let (start, end) = term(TermRule::DEFAULT_CALENDAR_YEAR, today, None).unwrap();
    let me: Value = app.get("/v1/me").bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["membership"]["status"], "active");
    assert_eq!(me["membership"]["ends_on"], end.to_string());
    assert_eq!(me["membership"]["qualifies_for_endorsement"], true);
    let mine: Value = app.get("/v1/me/memberships").bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine["data"][0]["starts_on"], start.to_string());
    assert_eq!(mine["next_cursor"], Value::Null);
    let person = me["id"].as_str().unwrap();
    let status: Value = app
        .get(&format!("/v1/people/{person}/membership-status"))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["active"], true);
    let after = end.succ_opt().unwrap();
    let status: Value = app
        .get(&format!("/v1/people/{person}/membership-status?on={after}"))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["active"], false);
    assert!(app.emails_to("Ana.Lopez").await.iter().any(|e| e.subject.contains("membership is active")));
    assert_eq!(app.count("change_log", "kind = 'membership'").await, 2, "joined, then paid");
    assert!(app.count("audit_events", "action = 'membership.paid'").await == 1);
}

#[tokio::test]
async fn a_registered_email_whatever_its_case_answers_like_a_new_one_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let first = app.register("dup@example.org").await;
    let res =
        app.post("/v1/affiliates/wa/registrations").json(&registration_body("DUP@Example.ORG ")).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let again: Value = res.json().await.unwrap();
    assert_ne!(again["id"], first["id"]);
    assert_eq!(again["invoice"]["total"], first["invoice"]["total"]);
    assert_eq!(app.count("people", "").await, 1);
    assert_eq!(app.count("invoices", "").await, 1);
    assert_eq!(app.count("registrations", "").await, 1);
    assert!(app.emails_to("dup@example.org").await.iter().any(|e| e.subject.contains("already have an account")));
}

#[tokio::test]
async fn bad_registrations_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let mut body = registration_body("x@example.org");
    body["email"] = json!("not-an-email");
    body["rsc_hours_received"] = json!(-3);
    body["target_category"] = json!("XYZ");
    body["years_of_experience"] = json!(200);
    let res = app.post("/v1/affiliates/wa/registrations").json(&body).send().await.unwrap();
    let problem_body = problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> =
        problem_body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["email", "rsc_hours_received", "target_category", "years_of_experience"]);

    let mut body = registration_body("x@example.org");
    body["rsc_hours_received"] = json!(1.1);
    let res = app.post("/v1/affiliates/wa/registrations").json(&body).send().await.unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["code"], "quarter_hours");
    // Above the documented ceiling of 10 000 hours.
    let mut body = registration_body("x@example.org");
    body["rsc_hours_received"] = json!(10_000.25);
    let res = app.post("/v1/affiliates/wa/registrations").json(&body).send().await.unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], "rsc_hours_received");

    for field in ["status", "roles", "affiliate_id"] {
        let mut body = registration_body("x@example.org");
        body[field] = json!("active");
        let res = app.post("/v1/affiliates/wa/registrations").json(&body).send().await.unwrap();
        let p = problem(res, 422, "validation_failed").await;
        assert_eq!(p["errors"][0]["field"], field, "mass assignment of {field}");
    }
    let mut body = registration_body("x@example.org");
    body.as_object_mut().unwrap().remove("given_name");
    let res = app.post("/v1/affiliates/wa/registrations").json(&body).send().await.unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], "given_name");

    let res = app
        .post("/v1/affiliates/nowhere/registrations")
        .json(&registration_body("x@example.org"))
        .send()
        .await
        .unwrap();
    problem(res, 404, "not_found").await;
    assert_eq!(app.count("people", "").await, 0);

    // The ceiling itself is accepted.
    let mut body = registration_body("ceiling@example.org");
    body["rsc_hours_received"] = json!(10_000.0);
    let res = app.post("/v1/affiliates/wa/registrations").json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn without_a_registration_fee_the_temporary_login_goes_out_at_once() {
    let app = TestApp::spawn().await;
    app.create_affiliate("mi").await;
    let res =
        app.post("/v1/affiliates/mi/registrations").json(&registration_body("free@example.org")).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let reg: Value = res.json().await.unwrap();
    assert_eq!(reg["invoice"]["status"], "settled");
    assert_eq!(reg["invoice"]["total"]["amount_cents"], 0);
    assert_eq!(reg["status"], "fee_settled");
    assert_eq!(app.logins_to("free@example.org").await.len(), 1);
}

#[tokio::test]
async fn the_temporary_login_can_be_resent_a_few_times() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let reg = app.register("again@example.org").await;
    let resend = || app.post("/v1/auth/temporary-login/resend").json(&json!({"email": "again@example.org"})).send();
    assert_eq!(resend().await.unwrap().status(), 202);
    app.wait_for_jobs("temporary_login_resend", 1).await;
    assert!(app.logins_to("again@").await.is_empty(), "nothing to resend before the fee is settled");
    app.pay(&coordinator, reg["invoice"]["id"].as_str().unwrap(), 2500).await;
    let first = code_in(&app.logins_to("again@").await[0].text);
    assert_eq!(resend().await.unwrap().status(), 202);
    app.wait_for_jobs("temporary_login_resend", 2).await;
    let emails = app.logins_to("again@").await;
    assert_eq!(emails.len(), 2);
    let second = code_in(&emails[1].text);
    assert_ne!(first, second);
    let res = app.post("/v1/auth/activate").json(&json!({"token": first, "password": PASSWORD})).send().await.unwrap();
    problem(res, 400, "invalid_token").await;
    assert_eq!(resend().await.unwrap().status(), 202);
    let res = resend().await.unwrap();
    assert!(res.headers().get("retry-after").is_some());
    problem(res, 429, "rate_limited").await;
    let res =
        app.post("/v1/auth/temporary-login/resend").json(&json!({"email": "nobody@example.org"})).send().await.unwrap();
    assert_eq!(res.status(), 202, "unknown addresses look the same");
    app.wait_for_jobs("temporary_login_resend", 4).await;
    let emails = app.logins_to("again@").await;
    assert_eq!(emails.len(), 3, "three resends counted; the third sent a new code");
    let latest = code_in(&emails[2].text);
    let res = app.post("/v1/auth/activate").json(&json!({"token": second, "password": PASSWORD})).send().await.unwrap();
    problem(res, 400, "invalid_token").await;
    let res = app.post("/v1/auth/activate").json(&json!({"token": latest, "password": PASSWORD})).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn registration_is_rate_limited_per_address() {
    let app = TestApp::spawn_with(&[("REGISTRATION_RATE_LIMIT_PER_HOUR", "2")]).await;
    app.register("a1@example.org").await;
    app.register("a2@example.org").await;
    let res =
        app.post("/v1/affiliates/wa/registrations").json(&registration_body("a3@example.org")).send().await.unwrap();
    problem(res, 429, "rate_limited").await;
    assert_eq!(app.count("people", "").await, 2);
}
