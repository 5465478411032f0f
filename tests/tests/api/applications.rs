//! Applications up to submission: the schedule, the portfolio, references through
//! single-use links, readiness against the pinned policy, and every refusal of submit.
use api::{domain::affiliate::TimeZone, domain::roles::Role};
use endorse_tests::{TestApp, code_in, problem};
use serde_json::{Value, json};

fn today() -> chrono::NaiveDate {
    TimeZone::parse("America/Los_Angeles").unwrap().local_date(chrono::Utc::now())
}

/// An active member of Washington, signed in: (token, coordinator token).
async fn member(app: &TestApp, email: &str) -> (String, String) {
    let (_, token) = app.applicant(email).await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
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
    app.pay(&coordinator, joined["invoice"]["id"].as_str().unwrap(), 8000).await;
    (token, coordinator)
}

async fn add(app: &TestApp, token: &str, id: &str, kind: &str, body: Value) -> Value {
    let res = app
        .post(&format!("/v1/applications/{id}/portfolio/{kind}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{kind}: {}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// Fills an IFS portfolio to exactly the seed's requirements (training hours as given).
async fn ifs_portfolio(app: &TestApp, token: &str, id: &str, training_hours: f64) {
    let start = today() - chrono::Duration::days(729);
    add(app, token, id, "work", json!({"role": "Home visitor", "employer": "Family Partners", "kind": "prevention_early_intervention", "ages_served": ["infant_toddler"], "paid": true, "hours_per_week": 40, "families_served": 10, "start_date": start, "end_date": null})).await;
    add(app, token, id, "trainings", json!({"title": "Infant mental health foundations", "provider": "WA-AIMH", "date": "2025-03-01", "hours": training_hours, "tags": ["dei"], "age_focus": "infant_toddler", "competency_domains": ["theoretical_foundations"]})).await;
    add(app, token, id, "rsc", json!({"provider_name": "Dana Reyes", "provider_endorsement_number": "WA-IMHM-C-0007", "format": "individual", "start_date": "2025-01-01", "end_date": "2025-12-31", "hours": 24})).await;
}

/// Invites three raters and has them all submit: returns their codes.
async fn three_ratings(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for (i, kind) in ["supervisor", "reflective_supervisor", "colleague"].iter().enumerate() {
        let email = format!("rater{i}.{}@example.org", &id[..8]);
        let res = app.post(&format!("/v1/applications/{id}/references")).bearer_auth(token).json(&json!({"name": format!("Rater {i}"), "email": email, "relationship": "Supervisor 2022-2025", "kind": kind})).send().await.unwrap();
        assert_eq!(res.status(), 201);
        let code = code_in(&app.emails_to(&email).await.last().unwrap().text);
        let res = app.post("/v1/reference-requests/rating").json(&json!({"token": code, "ratings": [{"domain": "reflection", "rating": 4, "comment": "Thoughtful"}, {"domain": "working_with_others", "rating": 5}], "comments": "Highly recommended"})).send().await.unwrap();
        assert_eq!(res.status(), 204);
        codes.push(code);
    }
    codes
}

#[tokio::test]
async fn the_seed_schedule_and_publishing_deadlines() {
    let app = TestApp::spawn().await;
    let page: Value = app.get("/v1/affiliates/wa/schedule").send().await.unwrap().json().await.unwrap();
    assert_eq!(page["next_cursor"], Value::Null);
    let all = page["data"].as_array().unwrap();
    assert_eq!(all.len(), 10);
    // Pages of four, by date then id, join up to the same list (keyset on both).
    let mut paged = Vec::new();
    let mut url = "/v1/affiliates/wa/schedule?limit=4".to_string();
    loop {
        let page: Value = app.get(&url).send().await.unwrap().json().await.unwrap();
        assert!(page["data"].as_array().unwrap().len() <= 4);
        paged.extend(page["data"].as_array().unwrap().iter().map(|e| e["id"].clone()));
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("/v1/affiliates/wa/schedule?limit=4&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged, all.iter().map(|e| e["id"].clone()).collect::<Vec<_>>());
    let first: Value = app.get("/v1/affiliates/wa/schedule?limit=4").send().await.unwrap().json().await.unwrap();
    let cursor = first["next_cursor"].as_str().unwrap();
    let res = app.get(&format!("/v1/affiliates/wa/exam-sittings?cursor={cursor}")).send().await.unwrap();
    problem(res, 400, "invalid_query").await;
    assert_eq!(
        (all[0]["starts_on"].as_str(), all[0]["title"].as_str()),
        (Some("2022-09-30"), Some("Submission deadline for IFA and IFS"))
    );
    assert_eq!(all[0]["categories"], json!(["IFA", "IFS"]));
    assert_eq!(all[0]["time_zone"], "America/Los_Angeles");
    let deadlines: Value =
        app.get("/v1/affiliates/wa/schedule?kind=submission_deadline").send().await.unwrap().json().await.unwrap();
    let days: Vec<&str> =
        deadlines["data"].as_array().unwrap().iter().map(|d| d["starts_on"].as_str().unwrap()).collect();
    assert_eq!(days, vec!["2022-09-30", "2023-01-13", "2023-03-24", "2023-06-09", "2023-09-29"]);
    let info: Value =
        app.get("/v1/affiliates/wa/schedule?kind=informational_session").send().await.unwrap().json().await.unwrap();
    assert_eq!(
        (info["data"][0]["start_time"].as_str(), info["data"][0]["end_time"].as_str()),
        (Some("09:00"), Some("10:00"))
    );
    let exams: Value = app
        .get("/v1/affiliates/wa/schedule?kind=exam_week&from=2023-06-01")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(exams["data"][0]["title"], "Endorsement® Exam (week of Sept. 1)");

    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let body = json!({"kind": "submission_deadline", "title": "Monthly deadline", "starts_on": "2030-01-31", "categories": ["ifs", "IMHS"]});
    let res = app.post("/v1/affiliates/wa/schedule").bearer_auth(&coordinator).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["categories"], json!(["IFS", "IMHS"]));
    let applicant = app.token("wa", &[]).await;
    problem(
        app.post("/v1/affiliates/wa/schedule").bearer_auth(&applicant).json(&body).send().await.unwrap(),
        403,
        "forbidden",
    )
    .await;
    let bad = json!({"kind": "submission_deadline", "title": "x", "starts_on": "2030-01-31", "categories": ["XYZ"]});
    problem(
        app.post("/v1/affiliates/wa/schedule").bearer_auth(&coordinator).json(&bad).send().await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    let bad = json!({"kind": "informational_session", "title": "x", "starts_on": "2030-01-31", "start_time": "9am"});
    problem(
        app.post("/v1/affiliates/wa/schedule").bearer_auth(&coordinator).json(&bad).send().await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn an_ifs_application_from_draft_to_submitted() {
    let app = TestApp::spawn().await;
    let (token, coordinator) = member(&app, "ifs.applicant@example.org").await;
    let res = app.post("/v1/applications").bearer_auth(&token).json(&json!({"category": "ifs"})).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let application: Value = res.json().await.unwrap();
    assert_eq!(application["status"], "draft");
    let id = application["id"].as_str().unwrap().to_string();
    let v1: Value = app.get("/v1/affiliates/wa/policies/ifs").send().await.unwrap().json().await.unwrap();
    assert_eq!(application["policy_version_id"], v1["id"]);
    problem(
        app.post("/v1/applications").bearer_auth(&token).json(&json!({"category": "IFS"})).send().await.unwrap(),
        409,
        "application_open",
    )
    .await;

    // Readiness lists what is missing.
    let ready: Value = app
        .get(&format!("/v1/applications/{id}/readiness"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["ready_to_submit"], false);
    let unmet: Vec<&str> = ready["evaluation"]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["met"] == false)
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(unmet, vec!["work", "work.families", "references", "training.hours", "rsc.hours", "code_of_ethics"]);

    ifs_portfolio(&app, &token, &id, 30.0).await;
    let codes = three_ratings(&app, &token, &id).await;

    // A rater's link works once.
    let res = app
        .post("/v1/reference-requests/rating")
        .json(&json!({"token": codes[0], "ratings": [{"domain": "reflection", "rating": 1}]}))
        .send()
        .await
        .unwrap();
    problem(res, 404, "not_found").await;
    problem(
        app.post("/v1/reference-requests/open").json(&json!({"token": codes[1]})).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;

    // The applicant sees statuses, never content; the coordinator sees the ratings.
    let mine: Value = app
        .get(&format!("/v1/applications/{id}/references"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "submitted" && r.get("ratings").is_none() && r.get("comments").is_none()),
        "{mine}"
    );
    let staff: Value = app
        .get(&format!("/v1/applications/{id}/references"))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    assert_eq!(staff[0]["ratings"][0]["rating"], 4);
    assert_eq!(staff[0]["comments"], "Highly recommended");

    let ready: Value = app
        .get(&format!("/v1/applications/{id}/readiness"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let unmet: Vec<&str> = ready["evaluation"]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["met"] == false)
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(unmet, vec!["code_of_ethics"]);
    let coe: Value = app.get("/v1/code-of-ethics").send().await.unwrap().json().await.unwrap();
    problem(
        app.post(&format!("/v1/applications/{id}/attestations"))
            .bearer_auth(&token)
            .json(&json!({"text_version": "1999"}))
            .send()
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    let res = app
        .post(&format!("/v1/applications/{id}/attestations"))
        .bearer_auth(&token)
        .json(&json!({"text_version": coe["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    // No deadline accepts IFS after today: refused, naming it.
    let res = app.post(&format!("/v1/applications/{id}/submission")).bearer_auth(&token).send().await.unwrap();
    let body = problem(res, 409, "submission_blocked").await;
    assert_eq!(
        body["errors"],
        json!([{"field": "deadline", "code": "no_deadline", "message": "No submission deadline accepting IFS is scheduled; watch the affiliate's schedule."}])
    );

    // A deadline for IFS, and a processing fee of $100: the first attempt invoices it.
    let deadline = today() + chrono::Duration::days(30);
    let res = app.post("/v1/affiliates/wa/schedule").bearer_auth(&coordinator).json(&json!({"kind": "submission_deadline", "title": "Next deadline", "starts_on": deadline, "categories": ["IFS"]})).send().await.unwrap();
    let deadline_id = res.json::<Value>().await.unwrap()["id"].clone();
    let res = app.post("/v1/affiliates/wa/fees").bearer_auth(&coordinator).json(&json!({"kind": "processing", "category": "IFS", "amount": {"amount_cents": 10000, "currency": "USD"}, "effective_from": today()})).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let res = app.post(&format!("/v1/applications/{id}/submission")).bearer_auth(&token).send().await.unwrap();
    let body = problem(res, 409, "submission_blocked").await;
    assert_eq!(body["errors"][0]["field"], "processing_fee");
    let current: Value =
        app.get(&format!("/v1/applications/{id}")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let invoice_id = current["processing_invoice_id"].as_str().unwrap().to_string();
    app.pay(&coordinator, &invoice_id, 10000).await;

    let res = app.post(&format!("/v1/applications/{id}/submission")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let submitted: Value = res.json().await.unwrap();
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["deadline_id"], deadline_id);
    assert!(submitted["submitted_at"].is_string());
    assert_eq!(app.count("invoices", "purpose = 'processing'").await, 1, "invoiced once");

    // Submitted: the portfolio is frozen; submitting again is a state error.
    let res = app
        .post(&format!("/v1/applications/{id}/portfolio/trainings"))
        .bearer_auth(&token)
        .json(&json!({"title": "More", "provider": "X", "date": "2025-01-01", "hours": 1}))
        .send()
        .await
        .unwrap();
    let body = problem(res, 409, "application_not_editable").await;
    assert_eq!(body["current_status"], "submitted");
    let res = app.post(&format!("/v1/applications/{id}/submission")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(problem(res, 409, "invalid_state").await["current_status"], "submitted");

    let history: Value = app
        .get(&format!("/v1/applications/{id}/history"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    let states: Vec<&str> = history.as_array().unwrap().iter().map(|h| h["to_status"].as_str().unwrap()).collect();
    assert_eq!(states, vec!["draft", "submitted"]);
    assert_eq!(app.count("change_log", "kind = 'application'").await, 3, "started, invoiced, submitted");

    // Withdrawal before a decision; then a new IFS application may start.
    let res = app
        .post(&format!("/v1/applications/{id}/withdrawal"))
        .bearer_auth(&token)
        .json(&json!({"reason": "Moving states"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "withdrawn");
    assert_eq!(
        app.post("/v1/applications")
            .bearer_auth(&token)
            .json(&json!({"category": "IFS"}))
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
}

#[tokio::test]
async fn submission_refusals_list_every_unmet_condition() {
    let app = TestApp::spawn().await;
    let (_, token) = app.applicant("short@example.org").await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    // A deadline that accepts only IFA: not IFS.
    let deadline = today() + chrono::Duration::days(30);
    app.post("/v1/affiliates/wa/schedule")
        .bearer_auth(&coordinator)
        .json(
            &json!({"kind": "submission_deadline", "title": "IFA only", "starts_on": deadline, "categories": ["IFA"]}),
        )
        .send()
        .await
        .unwrap();
    let id = app
        .post("/v1/applications")
        .bearer_auth(&token)
        .json(&json!({"category": "IFS"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    ifs_portfolio(&app, &token, &id, 29.0).await;
    three_ratings(&app, &token, &id).await;
    // No membership, no signature, 29 training hours, no IFS deadline.
    let res = app.post(&format!("/v1/applications/{id}/submission")).bearer_auth(&token).send().await.unwrap();
    let body = problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["training.hours", "membership", "code_of_ethics", "deadline"]);
    assert_eq!(
        body["errors"][0]["message"],
        "1 more hour of specialized training focused on infants and toddlers (0-3)"
    );
    assert_eq!(app.count("invoices", "purpose = 'processing'").await, 0, "no invoice for an incomplete application");
}

#[tokio::test]
async fn an_expired_membership_blocks_submission() {
    let app = TestApp::spawn().await;
    let (person, token) = app.applicant("expired@example.org").await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let plans: Value =
        app.get("/v1/affiliates/wa/membership-plans").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    // Bought in March two years ago: it ended on 31 December of that year.
    let year = chrono::Datelike::year(&today()) - 2;
    let res = app
        .post(&format!("/v1/people/{person}/memberships"))
        .bearer_auth(&coordinator)
        .json(&json!({"plan_id": plans[0]["id"], "bought_on": format!("{year}-03-01")}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "expired");
    let id = app
        .post("/v1/applications")
        .bearer_auth(&token)
        .json(&json!({"category": "IFS"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    ifs_portfolio(&app, &token, &id, 30.0).await;
    three_ratings(&app, &token, &id).await;
    app.post(&format!("/v1/applications/{id}/attestations"))
        .bearer_auth(&token)
        .json(&json!({"text_version": "2026-1"}))
        .send()
        .await
        .unwrap();
    app.post("/v1/affiliates/wa/schedule").bearer_auth(&coordinator).json(&json!({"kind": "submission_deadline", "title": "Next", "starts_on": today() + chrono::Duration::days(9), "categories": ["IFS"]})).send().await.unwrap();
    let res = app.post(&format!("/v1/applications/{id}/submission")).bearer_auth(&token).send().await.unwrap();
    let body = problem(res, 422, "validation_failed").await;
    assert_eq!(
        body["errors"],
        json!([{"field": "membership", "code": "unmet_requirement", "message": "An active membership of the affiliate"}])
    );
}

#[tokio::test]
async fn coordinators_schedule_sittings_with_seats() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    app.post("/v1/affiliates/wa/schedule").bearer_auth(&coordinator).json(&json!({"kind": "exam_week", "title": "Exam week", "starts_on": today() + chrono::Duration::days(5), "ends_on": today() + chrono::Duration::days(9)})).send().await.unwrap();
    let res = app
        .post("/v1/affiliates/wa/exam-sittings")
        .bearer_auth(&coordinator)
        .json(&json!({"sitting_on": today() + chrono::Duration::days(6), "location": "Online", "capacity": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let sittings: Value = app.get("/v1/affiliates/wa/exam-sittings").send().await.unwrap().json().await.unwrap();
    assert_eq!(sittings["data"][0]["seats_left"], 1);
    let applicant = app.token("wa", &[]).await;
    let res = app
        .post("/v1/affiliates/wa/exam-sittings")
        .bearer_auth(&applicant)
        .json(&json!({"sitting_on": today() + chrono::Duration::days(6), "location": "Online", "capacity": 1}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "forbidden").await;
}

#[tokio::test]
async fn portfolio_entries_are_versioned_validated_and_scoped() {
    let app = TestApp::spawn().await;
    let (_, token) = app.applicant("folio@example.org").await;
    let (_, other) = app.applicant("other.folio@example.org").await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let id = app
        .post("/v1/applications")
        .bearer_auth(&token)
        .json(&json!({"category": "imhs"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let edu = add(&app, &token, &id, "education", json!({"level": "master", "field": "Social work", "institution": "UW", "start_date": "2016-09-01", "completed_on": "2018-06-15"})).await;
    let entry = edu["id"].as_str().unwrap();
    let url = format!("/v1/applications/{id}/portfolio/education/{entry}");
    let changed = json!({"level": "doctorate", "field": "Psychology", "institution": "UW", "start_date": "2016-09-01", "completed_on": "2021-06-15"});
    problem(
        app.client.put(app.url(&url)).bearer_auth(&token).json(&changed).send().await.unwrap(),
        428,
        "precondition_required",
    )
    .await;
    let res = app
        .client
        .put(app.url(&url))
        .bearer_auth(&token)
        .header("if-match", "\"1\"")
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    problem(
        app.client
            .put(app.url(&url))
            .bearer_auth(&token)
            .header("if-match", "\"1\"")
            .json(&changed)
            .send()
            .await
            .unwrap(),
        412,
        "precondition_failed",
    )
    .await;

    // Bad entries name the field; another kind's fields are refused.
    let cases = [
        ("trainings", json!({"title": "T", "provider": "P", "date": "2025-01-01", "hours": 2.1}), "hours"),
        (
            "trainings",
            json!({"title": "T", "provider": "P", "date": "2025-01-01", "hours": 2, "tags": ["knitting"]}),
            "tags[0]",
        ),
        (
            "rsc",
            json!({"provider_name": "X", "format": "individual", "start_date": "2025-05-01", "end_date": "2025-01-01", "hours": 2}),
            "end_date",
        ),
        (
            "work",
            json!({"role": "R", "employer": "E", "kind": "prevention_early_intervention", "paid": true, "start_date": "2024-01-01", "level": "master"}),
            "level",
        ),
        ("education", json!({"level": "wizard", "institution": "Hogwarts"}), "level"),
    ];
    for (kind, body, field) in cases {
        let res = app
            .post(&format!("/v1/applications/{id}/portfolio/{kind}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], field, "{kind}");
    }
    problem(
        app.post(&format!("/v1/applications/{id}/portfolio/pets"))
            .bearer_auth(&token)
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
        400,
        "invalid_path_parameter",
    )
    .await;

    // Another applicant sees nothing; the coordinator reads and verifies.
    problem(app.get(&url).bearer_auth(&other).send().await.unwrap(), 404, "not_found").await;
    problem(app.get(&format!("/v1/applications/{id}")).bearer_auth(&other).send().await.unwrap(), 404, "not_found")
        .await;
    problem(
        app.client.delete(app.url(&url)).bearer_auth(&other).header("if-match", "*").send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    problem(app.post(&format!("{url}/verification")).bearer_auth(&token).send().await.unwrap(), 403, "forbidden").await;
    let res = app.post(&format!("{url}/verification")).bearer_auth(&coordinator).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["verified"], true);
    problem(
        app.post(&format!("/v1/applications/{id}/portfolio/trainings"))
            .bearer_auth(&coordinator)
            .json(&json!({"title": "T", "provider": "P", "date": "2025-01-01", "hours": 2}))
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
    app.create_affiliate("mi").await;
    let michigan = app.token("mi", &[Role::Coordinator]).await;
    problem(app.get(&format!("/v1/applications/{id}")).bearer_auth(&michigan).send().await.unwrap(), 404, "not_found")
        .await;

    let res = app.client.delete(app.url(&url)).bearer_auth(&token).header("if-match", "\"3\"").send().await.unwrap();
    assert_eq!(res.status(), 204);
    problem(app.get(&url).bearer_auth(&token).send().await.unwrap(), 404, "not_found").await;
}

#[tokio::test]
async fn raters_can_decline_and_links_can_be_resent() {
    let app = TestApp::spawn().await;
    let (_, token) = app.applicant("refs@example.org").await;
    let id = app
        .post("/v1/applications")
        .bearer_auth(&token)
        .json(&json!({"category": "ifa"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post(&format!("/v1/applications/{id}/references"))
        .bearer_auth(&token)
        .json(
            &json!({"name": "Sam Ortiz", "email": "sam@example.org", "relationship": "Colleague", "kind": "colleague"}),
        )
        .send()
        .await
        .unwrap();
    let reference: Value = res.json().await.unwrap();
    assert_eq!(reference["status"], "invited");
    let first = code_in(&app.emails_to("sam@example.org").await[0].text);
    let opened: Value = app
        .post("/v1/reference-requests/open")
        .json(&json!({"token": first}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(opened["applicant_name"], "Ana López");
    assert_eq!(opened["category"], "IFA");
    assert_eq!(opened["domains"].as_array().unwrap().len(), 8);

    let res = app
        .post(&format!("/v1/applications/{id}/references/{}/resend", reference["id"].as_str().unwrap()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let second = code_in(&app.emails_to("sam@example.org").await[1].text);
    problem(
        app.post("/v1/reference-requests/open").json(&json!({"token": first})).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    let res = app
        .post("/v1/reference-requests/rating")
        .json(&json!({"token": second, "ratings": [{"domain": "reflection", "rating": 9}]}))
        .send()
        .await
        .unwrap();
    problem(res, 422, "validation_failed").await;
    let res = app
        .post("/v1/reference-requests/decline")
        .json(&json!({"token": second, "reason": "I do not know her work well enough"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let mine: Value = app
        .get(&format!("/v1/applications/{id}/references"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    assert_eq!(mine[0]["status"], "declined");
    let res = app
        .post(&format!("/v1/applications/{id}/references"))
        .bearer_auth(&token)
        .json(&json!({"name": "X", "email": "not-an-email", "relationship": "Colleague", "kind": "colleague"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], "email");
}
