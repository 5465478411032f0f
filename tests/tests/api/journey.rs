//! The whole journey: register → pay → activate → member → apply → portfolio → three
//! raters → submit → two reviews → decision → exam → endorsed → verified publicly.
use api::{domain::affiliate::TimeZone, domain::roles::Role};
use chrono::Duration;
use endorse_tests::{TestApp, code_in, problem};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

const FRONT_END: &str = "https://portal.wa-aimh.org";

/// Every email to `to` greets in Spanish, and each of its links opens the front end.
async fn all_in_spanish(app: &TestApp, to: &str) -> Vec<entity::mail_template::MailTemplateKey> {
    let mails = app.emails_to(to).await;
    for m in &mails {
        assert!(m.text.starts_with("Hola "), "{}: {}", m.subject, m.text);
        for link in m.text.split_whitespace().filter(|w| w.starts_with("http")) {
            assert!(link.starts_with(&format!("{FRONT_END}/")), "{}: {link}", m.subject);
        }
        assert!(!m.text.contains("Hello") && !m.subject.contains(" your "), "{}: {}", m.subject, m.text);
    }
    mails.iter().filter_map(|m| m.template).collect()
}

fn today() -> chrono::NaiveDate {
    TimeZone::parse("America/Los_Angeles").unwrap().local_date(chrono::Utc::now())
}

struct Applicant {
    token: String,
    coordinator: String,
}

async fn member(app: &TestApp, email: &str) -> Applicant {
    member_in(app, email, "en").await
}

async fn member_in(app: &TestApp, email: &str, language: &str) -> Applicant {
    let (_, token) = app.applicant_in(email, language).await;
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
    Applicant { token, coordinator }
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let res = app.post(path).bearer_auth(token).json(&body).send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() }
}

/// A reviewer of Washington holding an active endorsement in `category`.
async fn reviewer(app: &TestApp, email: &str, category: &str) -> (String, String) {
    let id = app.staff(email, "wa", &[Role::Reviewer]).await;
    entity::endorsement::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        affiliate_id: Set(uuid::Uuid::parse_str(migration::WASHINGTON_ID).unwrap()),
        person_id: Set(id),
        application_id: Set(None),
        category_code: Set(category.into()),
        number: Set(format!("WA-{}-R{}", category.replace('/', ""), &id.simple().to_string()[20..])),
        issued_on: Set(today() - Duration::days(400)),
        expires_on: Set(today() + Duration::days(400)),
        status: Set(entity::endorsement::EndorsementStatus::Active),
        emerging: Set(false),
        listed: Set(true),
        created_at: Set(chrono::Utc::now()),
        updated_at: Set(chrono::Utc::now()),
        version: Set(1),
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    (id.to_string(), app.login(email).await["access_token"].as_str().unwrap().to_string())
}

async fn start(app: &TestApp, a: &Applicant, category: &str) -> String {
    post(app, &a.token, "/v1/applications", json!({"category": category})).await["id"].as_str().unwrap().to_string()
}

async fn raters_and_ethics(app: &TestApp, a: &Applicant, id: &str) {
    for i in 0..3 {
        let email = format!("r{i}.{}@raters.example", &id[id.len() - 8..]);
        post(
            app,
            &a.token,
            &format!("/v1/applications/{id}/references"),
            json!({"name": format!("Rater {i}"), "email": email, "relationship": "Supervisor", "kind": "supervisor"}),
        )
        .await;
        let code = code_in(&app.emails_to(&email).await[0].text);
        let res = app
            .post("/v1/reference-requests/rating")
            .json(&json!({"token": code, "ratings": [{"domain": "reflection", "rating": 5}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
    }
    post(app, &a.token, &format!("/v1/applications/{id}/attestations"), json!({"text_version": "2026-1"})).await;
}

async fn deadline(app: &TestApp, a: &Applicant, category: &str) {
    post(app, &a.coordinator, "/v1/affiliates/wa/schedule", json!({"kind": "submission_deadline", "title": "Next", "starts_on": today() + Duration::days(20), "categories": [category]})).await;
}

async fn review_and_decide(app: &TestApp, a: &Applicant, id: &str, category: &str, decision: &str) -> Value {
    let (r1, t1) = reviewer(app, &format!("rev1.{}@example.org", &id[id.len() - 8..]), category).await;
    let (r2, t2) = reviewer(app, &format!("rev2.{}@example.org", &id[id.len() - 8..]), category).await;
    post(app, &a.coordinator, &format!("/v1/applications/{id}/reviews"), json!({"reviewer_id": r1})).await;
    post(app, &a.coordinator, &format!("/v1/applications/{id}/reviews"), json!({"reviewer_id": r2})).await;
    for t in [&t1, &t2] {
        post(
            app,
            t,
            &format!("/v1/applications/{id}/reviews/mine"),
            json!({"recommendation": "approve", "comments": "Meets every competency"}),
        )
        .await;
    }
    post(app, &a.coordinator, &format!("/v1/applications/{id}/decision"), json!({"decision": decision})).await
}

#[tokio::test]
async fn imhs_from_registration_to_a_verified_endorsement() {
    // A Spanish-speaking applicant: every email they get is in Spanish, linking to the front end.
    let app = TestApp::spawn_with(&[("FRONTEND_BASE_URL", FRONT_END)]).await;
    let a = member_in(&app, "imhs.journey@example.org", "es").await;
    let id = start(&app, &a, "imhs").await;
    let base = format!("/v1/applications/{id}/portfolio");
    post(
        &app,
        &a.token,
        &format!("{base}/education"),
        json!({"level": "master", "field": "Counseling", "institution": "Seattle U", "completed_on": "2018-06-15"}),
    )
    .await;
    post(&app, &a.token, &format!("{base}/work"), json!({"role": "Infant-parent psychotherapist", "employer": "Clinic", "kind": "clinical_intervention", "ages_served": ["infant_toddler"], "paid": true, "start_date": today() - Duration::days(729), "end_date": null})).await;
    post(&app, &a.token, &format!("{base}/trainings"), json!({"title": "Infant-parent psychotherapy", "provider": "WA-AIMH", "date": "2025-02-01", "hours": 30, "age_focus": "infant_toddler"})).await;
    post(&app, &a.token, &format!("{base}/rsc"), json!({"provider_name": "Dr. Reyes", "provider_endorsement_number": "WA-IMHM-C-000001", "format": "individual", "start_date": "2025-01-01", "end_date": "2025-12-31", "hours": 25})).await;
    post(&app, &a.token, &format!("{base}/rsc"), json!({"provider_name": "Dr. Reyes", "provider_endorsement_number": "WA-IMHM-C-000001", "format": "group", "start_date": "2026-01-01", "end_date": "2026-06-30", "hours": 25})).await;
    raters_and_ethics(&app, &a, &id).await;
    let ready: Value = app
        .get(&format!("/v1/applications/{id}/readiness"))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["ready_to_submit"], true, "{ready}");
    assert_eq!(ready["evaluation"]["met"], false, "the exam is still to come");
    deadline(&app, &a, "IMHS").await;
    let submitted = post(&app, &a.token, &format!("/v1/applications/{id}/submission"), json!({})).await;
    assert_eq!(submitted["status"], "submitted");

    // Reviewers: an unassigned one sees nothing; ineligible ones are refused.
    let (_, outsider) = reviewer(&app, "outsider@example.org", "IMHM-C").await;
    problem(app.get(&format!("/v1/applications/{id}")).bearer_auth(&outsider).send().await.unwrap(), 404, "not_found")
        .await;
    let (ifa_reviewer, _) = reviewer(&app, "junior@example.org", "IFA").await;
    let res = app
        .post(&format!("/v1/applications/{id}/reviews"))
        .bearer_auth(&a.coordinator)
        .json(&json!({"reviewer_id": ifa_reviewer}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["code"], "ineligible_reviewer");
    let me: Value = app.get("/v1/me").bearer_auth(&a.token).send().await.unwrap().json().await.unwrap();
    let res = app
        .post(&format!("/v1/applications/{id}/reviews"))
        .bearer_auth(&a.coordinator)
        .json(&json!({"reviewer_id": me["id"]}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "conflict_of_interest").await;
    let res = app
        .post(&format!("/v1/applications/{id}/decision"))
        .bearer_auth(&a.coordinator)
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    problem(res, 409, "invalid_state").await;

    let (r1, t1) = reviewer(&app, "rev.one@example.org", "IMHM-C").await;
    let (r2, t2) = reviewer(&app, "rev.two@example.org", "IMHS").await;
    post(&app, &a.coordinator, &format!("/v1/applications/{id}/reviews"), json!({"reviewer_id": r1})).await;
    let current: Value =
        app.get(&format!("/v1/applications/{id}")).bearer_auth(&a.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(current["status"], "in_review");
    post(&app, &a.coordinator, &format!("/v1/applications/{id}/reviews"), json!({"reviewer_id": r2})).await;
    // An assigned reviewer reads the application and the raters' content.
    let refs: Value = app
        .get(&format!("/v1/applications/{id}/references"))
        .bearer_auth(&t1)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    assert_eq!(refs[0]["ratings"][0]["rating"], 5);
    problem(
        app.get(&format!("/v1/applications/{id}/reviews")).bearer_auth(&a.token).send().await.unwrap(),
        403,
        "forbidden",
    )
    .await;
    post(&app, &t1, &format!("/v1/applications/{id}/reviews/mine"), json!({"recommendation": "approve"})).await;
    let res = app
        .post(&format!("/v1/applications/{id}/decision"))
        .bearer_auth(&a.coordinator)
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    problem(res, 409, "reviews_incomplete").await;
    post(&app, &t2, &format!("/v1/applications/{id}/reviews/mine"), json!({"recommendation": "approve"})).await;
    let decided =
        post(&app, &a.coordinator, &format!("/v1/applications/{id}/decision"), json!({"decision": "approve"})).await;
    assert_eq!(decided["status"], "exam_pending");

    // Exam: a week, a sitting, an exam fee; a failed part 1, a retake after the wait.
    post(&app, &a.coordinator, "/v1/affiliates/wa/schedule", json!({"kind": "exam_week", "title": "Exam week", "starts_on": today() + Duration::days(10), "ends_on": today() + Duration::days(16)})).await;
    post(&app, &a.coordinator, "/v1/affiliates/wa/schedule", json!({"kind": "exam_week", "title": "Exam week", "starts_on": today() + Duration::days(110), "ends_on": today() + Duration::days(116)})).await;
    let res = app
        .post("/v1/affiliates/wa/exam-sittings")
        .bearer_auth(&a.coordinator)
        .json(&json!({"sitting_on": today() + Duration::days(30), "location": "Seattle", "capacity": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["code"], "not_in_exam_week");
    let first = post(
        &app,
        &a.coordinator,
        "/v1/affiliates/wa/exam-sittings",
        json!({"sitting_on": today() + Duration::days(12), "location": "Seattle", "capacity": 10}),
    )
    .await;
    let second = post(
        &app,
        &a.coordinator,
        "/v1/affiliates/wa/exam-sittings",
        json!({"sitting_on": today() + Duration::days(112), "location": "Seattle", "capacity": 1}),
    )
    .await;
    post(
        &app,
        &a.coordinator,
        "/v1/affiliates/wa/fees",
        json!({"kind": "exam", "amount": {"amount_cents": 20000, "currency": "USD"}, "effective_from": today()}),
    )
    .await;
    let reg =
        post(&app, &a.token, &format!("/v1/applications/{id}/exam-registrations"), json!({"sitting_id": first["id"]}))
            .await;

    // A week ahead the candidate is reminded of the sitting, once, at the reminder address
    // they gave (their employer blocks this kind of mail).
    let exam_job = "/v1/affiliates/wa/application-jobs/exam-reminders";
    let eight_days_before = json!({"today": today() + Duration::days(4)});
    assert_eq!(post(&app, &a.coordinator, exam_job, eight_days_before).await["changed"], 0);
    let me: Value = app.get("/v1/me").bearer_auth(&a.token).send().await.unwrap().json().await.unwrap();
    let version = format!("\"{}\"", me["version"]);
    let res = app
        .patch("/v1/me")
        .bearer_auth(&a.token)
        .header("If-Match", &version)
        .json(&json!({"reminder_email": "ana.home@example.net"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["mail"]["reminder_email"], "ana.home@example.net");
    let week_before = json!({"today": today() + Duration::days(5)});
    assert_eq!(post(&app, &a.coordinator, exam_job, week_before.clone()).await["changed"], 1);
    let reminders = app.emails_to("ana.home@example.net").await;
    assert_eq!(reminders.len(), 1);
    assert!(reminders[0].subject.contains("su examen de Endorsement es el"), "{}", reminders[0].subject);
    assert!(reminders[0].text.contains("(en 7 días), en Seattle"), "{}", reminders[0].text);
    assert!(reminders[0].text.contains(&format!("/applications/{id}")), "{}", reminders[0].text);
    assert_eq!(post(&app, &a.coordinator, exam_job, week_before).await["changed"], 0, "once only");
    let res = app
        .post(&format!("/v1/exam-registrations/{}/result", reg["id"].as_str().unwrap()))
        .bearer_auth(&a.coordinator)
        .json(&json!({"part1_score": 90, "part2_passed": true}))
        .send()
        .await
        .unwrap();
    problem(res, 409, "exam_fee_unpaid").await;
    app.pay(&a.coordinator, reg["invoice_id"].as_str().unwrap(), 20000).await;
    let failed = post(
        &app,
        &a.coordinator,
        &format!("/v1/exam-registrations/{}/result", reg["id"].as_str().unwrap()),
        json!({"part1_score": 79, "part2_passed": true}),
    )
    .await;
    assert_eq!(failed["status"], "failed");
    let reg2 =
        post(&app, &a.token, &format!("/v1/applications/{id}/exam-registrations"), json!({"sitting_id": second["id"]}))
            .await;
    // Reminders turned off: the retake's sitting comes with none.
    let me: Value = app.get("/v1/me").bearer_auth(&a.token).send().await.unwrap().json().await.unwrap();
    let res = app
        .patch("/v1/me")
        .bearer_auth(&a.token)
        .header("If-Match", format!("\"{}\"", me["version"]))
        .json(&json!({"reminders": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["mail"]["reminders"], false);
    let days_before = json!({"today": today() + Duration::days(110)});
    assert_eq!(post(&app, &a.coordinator, exam_job, days_before).await["changed"], 0);
    assert_eq!(app.emails_to("ana.home@example.net").await.len(), 1);
    app.pay(&a.coordinator, reg2["invoice_id"].as_str().unwrap(), 20000).await;
    let passed = post(
        &app,
        &a.coordinator,
        &format!("/v1/exam-registrations/{}/result", reg2["id"].as_str().unwrap()),
        json!({"part1_score": 85, "part2_passed": true}),
    )
    .await;
    assert_eq!(passed["status"], "passed");

    // Endorsed: a number, an expiry at the end of next year, publicly verifiable.
    let current: Value =
        app.get(&format!("/v1/applications/{id}")).bearer_auth(&a.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(current["status"], "endorsed");
    let mine: Value = app
        .get("/v1/me/endorsements")
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    let number = mine[0]["number"].as_str().unwrap().to_string();
    assert_eq!(number, "WA-IMHS-000001");
    assert_eq!(mine[0]["expires_on"], format!("{}-12-31", chrono::Datelike::year(&today()) + 1));
    let verified: Value = app.get(&format!("/v1/registry/{number}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        verified,
        json!({"number": number, "holder_name": "Ana López", "listed": true, "category": "IMHS", "status": "active", "emerging": false, "valid_through": mine[0]["expires_on"]})
    );
    let listed: Value =
        app.get("/v1/registry?name=l%C3%B3pez&category=imhs").send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);

    // The signed credential verifies against the JWKS, and is no access token.
    let vc: Value = app.get(&format!("/v1/registry/{number}/credential")).send().await.unwrap().json().await.unwrap();
    let jwt = vc["credential"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    assert_eq!(header.typ.as_deref(), Some("vc+jwt"));
    let jwks: jsonwebtoken::jwk::JwkSet = app.get("/.well-known/jwks.json").send().await.unwrap().json().await.unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(jwks.find(header.kid.as_deref().unwrap()).unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<Value>(jwt, &key, &validation).unwrap().claims;
    assert_eq!(claims["vc"]["credentialSubject"]["number"], number);
    assert_eq!(claims["vc"]["credentialSubject"]["category"], "IMHS");
    problem(app.get("/v1/me").bearer_auth(jwt).send().await.unwrap(), 401, "invalid_token").await;

    // Opting out of the directory keeps verification by number.
    let res = app
        .patch(&format!("/v1/me/endorsements/{}", mine[0]["id"].as_str().unwrap()))
        .bearer_auth(&a.token)
        .header("if-match", "\"1\"")
        .json(&json!({"listed": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let listed: Value = app.get("/v1/registry?name=l%C3%B3pez").send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 0);
    assert_eq!(app.get(&format!("/v1/registry/{number}")).send().await.unwrap().status(), 200);
    problem(app.get("/v1/registry/WA-IMHS-999999").send().await.unwrap(), 404, "not_found").await;
    let history: Value = app
        .get(&format!("/v1/applications/{id}/history"))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    let states: Vec<&str> = history.as_array().unwrap().iter().map(|h| h["to_status"].as_str().unwrap()).collect();
    assert_eq!(states, vec!["draft", "submitted", "in_review", "exam_pending", "endorsed"]);

    // Every email of the journey came in Spanish, each link into the front end.
    use entity::mail_template::MailTemplateKey as K;
    let got = all_in_spanish(&app, "imhs.journey@example.org").await;
    for expected in [
        K::RegistrationReceived,
        K::TemporaryLogin,
        K::MembershipActive,
        K::ApplicationSubmitted,
        K::ApplicationApprovedForExam,
        K::ExamResult,
        K::EndorsementIssued,
    ] {
        assert!(got.contains(&expected), "{expected} missing from {got:?}");
    }
    assert_eq!(all_in_spanish(&app, "ana.home@example.net").await, [K::ExamReminder]);
    // The raters were asked in the applicant's language.
    assert_eq!(all_in_spanish(&app, "@raters.example").await.len(), 3);
    let issued =
        app.emails_to("imhs.journey@example.org").await.into_iter().find(|m| m.template == Some(K::EndorsementIssued));
    let issued = issued.unwrap();
    let active =
        app.emails_to("imhs.journey@example.org").await.into_iter().find(|m| m.template == Some(K::MembershipActive));
    assert!(active.unwrap().text.contains("Membresía individual"), "the plan's Spanish name");
    assert!(issued.text.contains("Especialista en Salud Mental Infantil (IMHS)"), "{}", issued.text);
    assert!(issued.text.contains(&format!("{FRONT_END}/verify/{number}")), "{}", issued.text);
}

async fn ifa_ready(app: &TestApp, a: &Applicant) -> String {
    let id = start(app, a, "ifa").await;
    post(
        app,
        &a.token,
        &format!("/v1/applications/{id}/portfolio/education"),
        json!({"level": "associate", "institution": "Community college"}),
    )
    .await;
    post(app, &a.token, &format!("/v1/applications/{id}/portfolio/trainings"), json!({"title": "Play and learn", "provider": "WA-AIMH", "date": "2025-02-01", "hours": 30, "age_focus": "infant_toddler"})).await;
    raters_and_ethics(app, a, &id).await;
    id
}

#[tokio::test]
async fn ifa_is_endorsed_on_approval_without_an_exam() {
    let app = TestApp::spawn().await;
    let a = member(&app, "ifa.journey@example.org").await;
    let id = ifa_ready(&app, &a).await;
    deadline(&app, &a, "IFA").await;
    post(&app, &a.token, &format!("/v1/applications/{id}/submission"), json!({})).await;
    let decided = review_and_decide(&app, &a, &id, "IFS", "approve").await;
    assert_eq!(decided["status"], "endorsed");
    let mine: Value = app
        .get("/v1/me/endorsements")
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    assert_eq!(mine[0]["number"], "WA-IFA-000001");
    assert_eq!(mine[0]["emerging"], false);
    assert!(app.emails_to("ifa.journey@").await.iter().any(|e| e.subject.contains("you are endorsed")));
}

#[tokio::test]
async fn ifrs_can_end_as_emerging_and_others_cannot() {
    let app = TestApp::spawn().await;
    let a = member(&app, "ifrs.journey@example.org").await;
    let id = start(&app, &a, "ifrs").await;
    post(&app, &a.token, &format!("/v1/applications/{id}/portfolio/work"), json!({"role": "Supervisor", "employer": "EI program", "kind": "prevention_early_intervention", "paid": true, "start_date": today() - Duration::days(729), "end_date": null})).await;
    post(
        &app,
        &a.token,
        &format!("/v1/applications/{id}/portfolio/trainings"),
        json!({"title": "In-service", "provider": "Agency", "date": "2025-02-01", "hours": 48, "tags": ["in_service"]}),
    )
    .await;
    post(&app, &a.token, &format!("/v1/applications/{id}/portfolio/rsc"), json!({"provider_name": "Dana", "provider_endorsement_number": "WA-IMHM-C-000002", "format": "group", "start_date": "2025-01-01", "end_date": "2025-12-31", "hours": 24})).await;
    raters_and_ethics(&app, &a, &id).await;
    deadline(&app, &a, "IFRS").await;
    post(&app, &a.token, &format!("/v1/applications/{id}/submission"), json!({})).await;
    let decided = review_and_decide(&app, &a, &id, "IMHM-C", "emerging").await;
    assert_eq!(decided["status"], "emerging");
    let mine: Value = app
        .get("/v1/me/endorsements")
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    assert_eq!(mine[0]["emerging"], true);
    let verified: Value = app
        .get(&format!("/v1/registry/{}", mine[0]["number"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verified["emerging"], true);

    let b = member(&app, "ifa.notemerging@example.org").await;
    let id = ifa_ready(&app, &b).await;
    deadline(&app, &b, "IFA").await;
    post(&app, &b.token, &format!("/v1/applications/{id}/submission"), json!({})).await;
    let (r1, t1) = reviewer(&app, "e1@example.org", "IFS").await;
    let (r2, t2) = reviewer(&app, "e2@example.org", "IFS").await;
    post(&app, &b.coordinator, &format!("/v1/applications/{id}/reviews"), json!({"reviewer_id": r1})).await;
    post(&app, &b.coordinator, &format!("/v1/applications/{id}/reviews"), json!({"reviewer_id": r2})).await;
    for t in [&t1, &t2] {
        post(&app, t, &format!("/v1/applications/{id}/reviews/mine"), json!({"recommendation": "approve"})).await;
    }
    let res = app
        .post(&format!("/v1/applications/{id}/decision"))
        .bearer_auth(&b.coordinator)
        .json(&json!({"decision": "emerging"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 409, "invalid_state").await["current_status"], "in_review");
}

#[tokio::test]
async fn deferral_returns_the_application_for_amendment_and_keeps_history() {
    let app = TestApp::spawn().await;
    let a = member(&app, "defer.journey@example.org").await;
    let id = ifa_ready(&app, &a).await;
    deadline(&app, &a, "IFA").await;
    post(&app, &a.token, &format!("/v1/applications/{id}/submission"), json!({})).await;
    let (r1, _) = reviewer(&app, "d1@example.org", "IFS").await;
    post(&app, &a.coordinator, &format!("/v1/applications/{id}/reviews"), json!({"reviewer_id": r1})).await;
    let res = app
        .post(&format!("/v1/applications/{id}/decision"))
        .bearer_auth(&a.coordinator)
        .json(&json!({"decision": "defer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], "reasons");
    let deferred = post(
        &app,
        &a.coordinator,
        &format!("/v1/applications/{id}/decision"),
        json!({"decision": "defer", "reasons": "Describe your training in the Reflection domain."}),
    )
    .await;
    assert_eq!(deferred["status"], "deferred");
    assert!(app.emails_to("defer.journey@").await.iter().any(|e| e.text.contains("Reflection domain")));
    post(&app, &a.token, &format!("/v1/applications/{id}/portfolio/trainings"), json!({"title": "Reflective practice", "provider": "WA-AIMH", "date": "2025-05-01", "hours": 6, "age_focus": "infant_toddler", "competency_domains": ["reflection"]})).await;
    let again = post(&app, &a.token, &format!("/v1/applications/{id}/submission"), json!({})).await;
    assert_eq!(again["status"], "resubmitted");
    let history: Value = app
        .get(&format!("/v1/applications/{id}/history"))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    let states: Vec<&str> = history.as_array().unwrap().iter().map(|h| h["to_status"].as_str().unwrap()).collect();
    assert_eq!(states, vec!["draft", "submitted", "in_review", "deferred", "resubmitted"]);
    assert_eq!(history[3]["reason"], "Describe your training in the Reflection domain.");
}

#[tokio::test]
async fn an_advisory_review_before_submission_gives_feedback_only() {
    let app = TestApp::spawn().await;
    let a = member(&app, "advice@example.org").await;
    let id = ifa_ready(&app, &a).await;
    let (r, t) = reviewer(&app, "adviser@example.org", "IFS").await;
    let review = post(
        &app,
        &a.coordinator,
        &format!("/v1/applications/{id}/reviews"),
        json!({"reviewer_id": r, "advisory": true}),
    )
    .await;
    assert_eq!(review["advisory"], true);
    let current: Value =
        app.get(&format!("/v1/applications/{id}")).bearer_auth(&a.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(current["status"], "draft", "an advisory review does not start the review");
    // The adviser reads the draft and advises.
    assert_eq!(app.get(&format!("/v1/applications/{id}")).bearer_auth(&t).send().await.unwrap().status(), 200);
    post(&app, &t, &format!("/v1/applications/{id}/reviews/mine"), json!({"recommendation": "defer", "reasons": "Add the Reflection domain to a training.", "comments": "Otherwise strong."})).await;
    let feedback: Value = app
        .get(&format!("/v1/applications/{id}/advisory-feedback"))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    assert_eq!(feedback[0]["reasons"], "Add the Reflection domain to a training.");
    assert!(feedback[0].get("reviewer_id").is_none());
    // It takes no part in the decision: the review still needs two reviewers.
    deadline(&app, &a, "IFA").await;
    post(&app, &a.token, &format!("/v1/applications/{id}/submission"), json!({})).await;
    let res = app
        .post(&format!("/v1/applications/{id}/reviews"))
        .bearer_auth(&a.coordinator)
        .json(&json!({"reviewer_id": r, "advisory": true}))
        .send()
        .await
        .unwrap();
    problem(res, 409, "invalid_state").await;
}

#[tokio::test]
async fn a_rater_who_has_not_answered_gets_a_fresh_link_a_week_before_it_expires() {
    let app = TestApp::spawn_with(&[("FRONTEND_BASE_URL", "https://portal.wa-aimh.org")]).await;
    let a = member(&app, "waiting.applicant@example.org").await;
    let id = start(&app, &a, "IFS").await;
    let rater = "slow.rater@raters.example";
    post(
        &app,
        &a.token,
        &format!("/v1/applications/{id}/references"),
        json!({"name": "Sam Ortiz", "email": rater, "relationship": "Supervisor", "kind": "supervisor"}),
    )
    .await;
    let first = code_in(&app.emails_to(rater).await[0].text);
    let job = "/v1/affiliates/wa/application-jobs/reference-reminders";

    // The link lasts 30 days: nothing is due today, one reminder a week before the end.
    assert_eq!(post(&app, &a.coordinator, job, json!({})).await["changed"], 0);
    let week_before = json!({"today": today() + Duration::days(23)});
    assert_eq!(post(&app, &a.coordinator, job, week_before.clone()).await["changed"], 1);
    assert_eq!(post(&app, &a.coordinator, job, week_before).await["changed"], 0, "once only");
    let mails = app.emails_to(rater).await;
    assert_eq!(mails.len(), 2);
    let reminder = &mails[1];
    assert!(reminder.subject.starts_with("Reminder: Ana López is waiting for your reference"), "{}", reminder.subject);
    let fresh = code_in(&reminder.text);
    assert_ne!(fresh, first);
    assert!(
        reminder.text.contains(&format!("https://portal.wa-aimh.org/reference?token={fresh}")),
        "{}",
        reminder.text
    );
    assert_eq!(
        app.count("application_references", &format!("reminded_at IS NOT NULL AND rater_email = '{rater}'")).await,
        1
    );

    // The first link stops working; the fresh one opens the request.
    let open = |token: String| app.post("/v1/reference-requests/open").json(&json!({ "token": token })).send();
    problem(open(first).await.unwrap(), 404, "not_found").await;
    assert_eq!(open(fresh).await.unwrap().status(), 200);

    // Only coordinators run the job.
    problem(app.post(job).bearer_auth(&a.token).json(&json!({})).send().await.unwrap(), 403, "forbidden").await;
}
