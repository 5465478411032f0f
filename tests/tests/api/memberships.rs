//! Plans, memberships bought elsewhere, and "is this person a member on day D".
use api::domain::roles::Role;
use endorse_tests::{TestApp, problem};
use serde_json::{Value, json};

#[tokio::test]
async fn coordinators_manage_plans() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let body = json!({"name": "Organizational", "dues": {"amount_cents": 25000, "currency": "USD"}, "term": {"kind": "fixed_months", "months": 12}, "qualifies_for_endorsement": false});
    let res =
        app.post("/v1/affiliates/wa/membership-plans").bearer_auth(&coordinator).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let plan: Value = res.json().await.unwrap();
    assert_eq!(plan["term"], json!({"kind": "fixed_months", "months": 12}));
    for term in [
        json!({"kind": "fixed_months", "months": 0}),
        json!({"kind": "calendar_year", "next_year_from": "02-30"}),
        json!({"kind": "weekly"}),
    ] {
        let mut bad = body.clone();
        bad["term"] = term.clone();
        let res =
            app.post("/v1/affiliates/wa/membership-plans").bearer_auth(&coordinator).json(&bad).send().await.unwrap();
        problem(res, 422, "validation_failed").await;
    }
    let applicant = app.token("wa", &[]).await;
    problem(
        app.post("/v1/affiliates/wa/membership-plans").bearer_auth(&applicant).json(&body).send().await.unwrap(),
        403,
        "forbidden",
    )
    .await;
    let id = plan["id"].as_str().unwrap();
    let res = app
        .patch(&format!("/v1/membership-plans/{id}"))
        .bearer_auth(&coordinator)
        .header("if-match", "\"1\"")
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res =
        app.post("/v1/me/memberships").bearer_auth(&applicant).json(&json!({"plan_id": id})).send().await.unwrap();
    problem(res, 409, "plan_inactive").await;
    app.create_affiliate("mi").await;
    let michigan = app.token("mi", &[]).await;
    let wa_plan = api_plan(&app).await;
    let res =
        app.post("/v1/me/memberships").bearer_auth(&michigan).json(&json!({"plan_id": wa_plan})).send().await.unwrap();
    problem(res, 404, "not_found").await;
}

async fn api_plan(app: &TestApp) -> String {
    let plans: Value =
        app.get("/v1/affiliates/wa/membership-plans").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    plans.as_array().unwrap().iter().find(|p| p["name"] == "Individual membership").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn memberships_bought_elsewhere_and_status_on_a_day() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let (person, own) = app.applicant("member@example.org").await;
    let plan = api_plan(&app).await;
    let url = format!("/v1/people/{person}/memberships");
    let res = app
        .post(&url)
        .bearer_auth(&own)
        .json(&json!({"plan_id": plan, "bought_on": "2025-10-01"}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "forbidden").await;
    let res = app
        .post(&url)
        .bearer_auth(&coordinator)
        .json(&json!({"plan_id": plan, "bought_on": "2025-10-01", "reference": "order 5531"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let m: Value = res.json().await.unwrap();
    assert_eq!(
        (m["starts_on"].as_str(), m["ends_on"].as_str()),
        (Some("2025-10-01"), Some("2026-12-31")),
        "bought in October: to the end of next year"
    );
    assert_eq!(m["source"], "external");
    let res = app
        .post(&url)
        .bearer_auth(&coordinator)
        .json(&json!({"plan_id": plan, "bought_on": "2025-10-01", "ends_on": "2025-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], "ends_on");

    let status = |day: &'static str| {
        let path = format!("/v1/people/{person}/membership-status?on={day}");
        let req = app.get(&path).bearer_auth(&own);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(status("2025-09-30").await["active"], false);
    assert_eq!(status("2025-10-01").await["active"], true);
    assert_eq!(status("2026-12-31").await["qualifies_for_endorsement"], true);
    assert_eq!(status("2027-01-01").await["active"], false);

    let active: Value = app
        .get("/v1/memberships?status=active&on=2026-06-01")
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(active["data"].as_array().unwrap().len(), 1);
    let expired: Value = app
        .get("/v1/memberships?status=expired&on=2027-06-01")
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(expired["data"][0]["status"], "expired");
    problem(
        app.get("/v1/memberships?status=asleep").bearer_auth(&coordinator).send().await.unwrap(),
        400,
        "invalid_query",
    )
    .await;
    problem(app.get("/v1/memberships").bearer_auth(&own).send().await.unwrap(), 403, "forbidden").await;

    let (_, other) = app.applicant("other@example.org").await;
    problem(
        app.get(&format!("/v1/people/{person}/membership-status")).bearer_auth(&other).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    problem(
        app.get(&format!("/v1/people/{person}/memberships")).bearer_auth(&other).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_plan_has_a_spanish_name_that_spanish_members_read() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let body = json!({"name": "Student membership", "name_es": "  Membresía estudiantil ", "dues": {"amount_cents": 3000, "currency": "USD"}, "term": {"kind": "fixed_months", "months": 12}, "qualifies_for_endorsement": true});
    let res =
        app.post("/v1/affiliates/wa/membership-plans").bearer_auth(&coordinator).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let plan: Value = res.json().await.unwrap();
    assert_eq!(plan["name_es"], "Membresía estudiantil");
    let mut blank = body.clone();
    blank["name_es"] = json!(" ");
    let res =
        app.post("/v1/affiliates/wa/membership-plans").bearer_auth(&coordinator).json(&blank).send().await.unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], "name_es");

    // A Spanish-speaking member's confirmation names the plan in Spanish.
    let mut registration = endorse_tests::registration_body("estudiante@example.org");
    registration["preferred_language"] = json!("es");
    let reg: Value =
        app.post("/v1/affiliates/wa/registrations").json(&registration).send().await.unwrap().json().await.unwrap();
    app.pay(&coordinator, reg["invoice"]["id"].as_str().unwrap(), 2500).await;
    let code = endorse_tests::code_in(&app.logins_to("estudiante@").await[0].text);
    let res = app
        .post("/v1/auth/activate")
        .json(&json!({"token": code, "password": endorse_tests::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let token = app.login("estudiante@example.org").await["access_token"].as_str().unwrap().to_string();
    let joined: Value = app
        .post("/v1/me/memberships")
        .bearer_auth(&token)
        .json(&json!({"plan_id": plan["id"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    app.pay(&coordinator, joined["invoice"]["id"].as_str().unwrap(), 3000).await;
    let active = app.wait_for_email("estudiante@", "membresía").await;
    assert!(active.text.contains("Membresía estudiantil"), "{}", active.text);

    // `null` removes the Spanish name.
    let res = app
        .patch(&format!("/v1/membership-plans/{}", plan["id"].as_str().unwrap()))
        .bearer_auth(&coordinator)
        .header("if-match", "\"1\"")
        .json(&json!({"name_es": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["name_es"], Value::Null);
}
