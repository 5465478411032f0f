//! The yearly renewal: one renewal and one fee for all endorsements due, the engine's
//! evaluation per category, approval moving each expiry, and the idempotent jobs.
use api::{domain::affiliate::TimeZone, domain::roles::Role};
use chrono::{Datelike, NaiveDate};
use endorse_tests::{TestApp, problem};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

pub(super) fn today() -> NaiveDate {
    TimeZone::parse("America/Los_Angeles").unwrap().local_date(chrono::Utc::now())
}

pub(super) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub(super) async fn endorse(
    app: &TestApp,
    person: &str,
    category: &str,
    issued_on: NaiveDate,
    expires_on: NaiveDate,
) -> String {
    let number = format!("WA-{category}-T{}", &uuid::Uuid::new_v4().simple().to_string()[..8]).to_uppercase();
    entity::endorsement::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        affiliate_id: Set(uuid::Uuid::parse_str(migration::WASHINGTON_ID).unwrap()),
        person_id: Set(uuid::Uuid::parse_str(person).unwrap()),
        application_id: Set(None),
        category_code: Set(category.into()),
        number: Set(number.clone()),
        issued_on: Set(issued_on),
        expires_on: Set(expires_on),
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
    number
}

pub(super) async fn member(app: &TestApp, email: &str, coordinator: &str) -> (String, String) {
    member_in(app, email, "en", coordinator).await
}

pub(super) async fn member_in(app: &TestApp, email: &str, language: &str, coordinator: &str) -> (String, String) {
    let (person, token) = app.applicant_in(email, language).await;
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
    app.pay(coordinator, joined["invoice"]["id"].as_str().unwrap(), 8000).await;
    (person, token)
}

async fn training(app: &TestApp, token: &str, year: i32, hours: f64, tags: Value) {
    let res = app
        .post(&format!("/v1/me/renewals/{year}/entries/trainings"))
        .bearer_auth(token)
        .json(&json!({"title": "Relationship-based practice", "provider": "WA-AIMH", "date": d(year, 3, 1), "hours": hours, "tags": tags}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn a_full_renewal_year_for_ifs_and_imhs() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let year = today().year();
    // A Spanish-speaking endorsee: the renewal's emails come in Spanish.
    let (person, token) = member_in(&app, "renew@example.org", "es", &coordinator).await;
    endorse(&app, &person, "IFS", d(year - 1, 3, 1), d(year, 12, 31)).await;
    endorse(&app, &person, "IMHS", d(year - 2, 5, 1), d(year, 12, 31)).await;
    let res = app
        .post("/v1/affiliates/wa/fees")
        .bearer_auth(&coordinator)
        .json(
            &json!({"kind": "renewal", "amount": {"amount_cents": 5000, "currency": "USD"}, "effective_from": today()}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    let period: Value =
        app.get(&format!("/v1/affiliates/wa/renewal-periods/{year}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        (period["opens_on"].as_str(), period["closes_on"].as_str()),
        (Some(format!("{year}-10-01").as_str()), Some(format!("{year}-12-31").as_str()))
    );
    let opened: Value =
        app.post(&format!("/v1/me/renewals/{year}")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(opened["status"], "open");

    training(&app, &token, year, 14.25, json!([])).await;
    training(&app, &token, year, 0.75, json!(["dei"])).await;
    let res = app
        .post(&format!("/v1/me/renewals/{year}/entries/rsc"))
        .bearer_auth(&token)
        .json(&json!({"provider_name": "Dana", "provider_endorsement_number": "WA-IMHM-C-000001", "format": "group", "start_date": d(year, 1, 1), "end_date": d(year, 6, 30), "hours": 12}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .post(&format!("/v1/me/renewals/{year}/attestation"))
        .bearer_auth(&token)
        .json(&json!({"text_version": "2026-1", "provides_rsc": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Short by exactly 0.25 h of DEI, in both categories: shown exactly that.
    let ready: Value = app
        .get(&format!("/v1/me/renewals/{year}/readiness"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["ready"], false);
    let cats: Vec<&str> =
        ready["categories"].as_array().unwrap().iter().map(|c| c["category"].as_str().unwrap()).collect();
    assert_eq!(cats, vec!["IFS", "IMHS"]);
    for c in ready["categories"].as_array().unwrap() {
        let unmet: Vec<&Value> =
            c["evaluation"]["requirements"].as_array().unwrap().iter().filter(|r| r["met"] == false).collect();
        assert_eq!(unmet.len(), 1, "{c}");
        assert_eq!(unmet[0]["key"], "renewal.dei");
        assert_eq!(unmet[0]["figures"], "0.75 of 1 hours");
        assert_eq!(unmet[0]["missing"], "0.25 more hours of training about diversity, equity and inclusion");
    }
    let res = app.post(&format!("/v1/me/renewals/{year}/submission")).bearer_auth(&token).send().await.unwrap();
    let body = problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["IFS.renewal.dei", "IMHS.renewal.dei"]);

    training(&app, &token, year, 0.25, json!(["dei"])).await;
    let ready: Value = app
        .get(&format!("/v1/me/renewals/{year}/readiness"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["ready"], true, "{ready}");
    let submitted: Value = app
        .post(&format!("/v1/me/renewals/{year}/submission"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(submitted["status"], "submitted");
    let invoice = submitted["invoice_id"].as_str().unwrap().to_string();
    let inv: Value =
        app.get(&format!("/v1/invoices/{invoice}")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(inv["total"]["amount_cents"], 5000, "one fee for both categories");
    let res = app
        .post(&format!("/v1/me/renewals/{year}/entries/trainings"))
        .bearer_auth(&token)
        .json(&json!({"title": "x", "provider": "y", "date": d(year, 3, 1), "hours": 1}))
        .send()
        .await
        .unwrap();
    problem(res, 409, "renewal_not_editable").await;

    let id = submitted["id"].as_str().unwrap();
    problem(
        app.post(&format!("/v1/renewals/{id}/approval")).bearer_auth(&coordinator).send().await.unwrap(),
        409,
        "renewal_fee_unpaid",
    )
    .await;
    problem(
        app.post(&format!("/v1/renewals/{id}/approval")).bearer_auth(&token).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    app.pay(&coordinator, &invoice, 5000).await;
    let approved: Value = app
        .post(&format!("/v1/renewals/{id}/approval"))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(approved["status"], "approved");
    let mail = app.emails_to("renew@example.org").await;
    let notice = mail
        .iter()
        .find(|m| m.subject.ends_with(&format!("su renovación de {year} fue aprobada")))
        .expect("approval email");
    let through = format!("31 de diciembre de {}", year + 1);
    assert!(notice.text.contains(&through), "{}", notice.text);
    assert!(notice.text.contains("Especialista en Salud Mental Infantil (IMHS)"), "{}", notice.text);
    assert!(mail.iter().any(|m| m.template == Some(entity::mail_template::MailTemplateKey::RenewalSubmitted)));
    assert!(mail.iter().all(|m| m.text.starts_with("Hola ")), "every renewal email in Spanish");
    let mine: Value =
        app.get("/v1/me/endorsements").bearer_auth(&token).send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    assert!(mine.as_array().unwrap().iter().all(|e| e["expires_on"] == format!("{}-12-31", year + 1)), "{mine}");
    let statuses: Value = app
        .get(&format!("/v1/renewals?year={year}&status=approved"))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(statuses["data"][0]["person_id"], person);
    assert_eq!(statuses["data"][0]["endorsements"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn renewal_entries_are_listed_and_removed_by_their_owner_only() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let year = today().year();
    let (person, token) = member(&app, "entries@example.org", &coordinator).await;
    let (other, other_token) = member(&app, "other@example.org", &coordinator).await;
    for p in [&person, &other] {
        endorse(&app, p, "IFS", d(year - 1, 3, 1), d(year, 12, 31)).await;
    }
    for t in [&token, &other_token] {
        let res = app.post(&format!("/v1/me/renewals/{year}")).bearer_auth(t).send().await.unwrap();
        assert_eq!(res.status(), 200);
    }
    let res = app
        .post(&format!("/v1/me/renewals/{year}/entries/trainings"))
        .bearer_auth(&token)
        .json(&json!({"title": "Reflective practice", "provider": "WA-AIMH", "date": d(year, 3, 1), "hours": 2.5, "tags": ["dei"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let added: Value = res.json().await.unwrap();
    assert_eq!((added["kind"].as_str(), added["item"]["hours"].as_f64()), (Some("trainings"), Some(2.5)));
    training(&app, &token, year, 1.0, json!([])).await;

    let list =
        |t: &str, kind: &str| app.get(&format!("/v1/me/renewals/{year}/entries/{kind}")).bearer_auth(t.to_string());
    let trainings: Value =
        list(&token, "trainings").send().await.unwrap().json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(trainings.as_array().unwrap().len(), 2);
    assert_eq!(trainings[0]["id"], added["id"], "oldest first");
    let rsc: Value = list(&token, "rsc").send().await.unwrap().json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(rsc, json!([]));
    // A renewal has no education entries: the route only exists for trainings and rsc.
    problem(list(&token, "education").send().await.unwrap(), 404, "not_found").await;
    let theirs: Value =
        list(&other_token, "trainings").send().await.unwrap().json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(theirs, json!([]), "another person's entries are not listed");

    let url = app.url(&format!("/v1/me/renewals/{year}/entries/trainings/{}", added["id"].as_str().unwrap()));
    let delete = |t: &str| app.client.delete(&url).bearer_auth(t.to_string());
    problem(delete(&token).send().await.unwrap(), 428, "precondition_required").await;
    problem(delete(&token).header("If-Match", "\"7\"").send().await.unwrap(), 412, "precondition_failed").await;
    problem(delete(&other_token).header("If-Match", "\"1\"").send().await.unwrap(), 404, "not_found").await;
    let wrong_kind = app.url(&format!("/v1/me/renewals/{year}/entries/rsc/{}", added["id"].as_str().unwrap()));
    let res = app.client.delete(&wrong_kind).bearer_auth(&token).header("If-Match", "\"1\"").send().await.unwrap();
    problem(res, 404, "not_found").await;
    let res = delete(&token).header("If-Match", "\"1\"").send().await.unwrap();
    assert_eq!(res.status(), 204);
    let trainings: Value =
        list(&token, "trainings").send().await.unwrap().json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(trainings.as_array().unwrap().len(), 1);
    assert_eq!(trainings[0]["item"]["hours"].as_f64(), Some(1.0));
    assert_eq!(app.count("renewal_entries", "1 = 1").await, 1);
    assert_eq!(app.count("audit_events", "action = 'renewal.entry_removed'").await, 1);
    problem(delete(&token).header("If-Match", "\"1\"").send().await.unwrap(), 404, "not_found").await;
}

#[tokio::test]
async fn someone_endorsed_during_the_year_is_not_due() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let year = today().year();
    let (person, token) = member(&app, "fresh@example.org", &coordinator).await;
    endorse(&app, &person, "IFA", d(year, 2, 1), d(year + 1, 12, 31)).await;
    let res = app.post(&format!("/v1/me/renewals/{year}")).bearer_auth(&token).send().await.unwrap();
    problem(res, 409, "not_due").await;
    let due: Value = app
        .get(&format!("/v1/renewals?year={year}"))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(due["data"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_lapse_job_lapses_the_right_people_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let year = today().year();
    let (late, _) = app.applicant("late@example.org").await;
    let (current, _) = app.applicant("current@example.org").await;
    let lapsing = endorse(&app, &late, "IFS", d(year - 2, 3, 1), d(year - 1, 12, 31)).await;
    let fine = endorse(&app, &current, "IFS", d(year - 1, 3, 1), d(year, 12, 31)).await;
    let job = |day: NaiveDate| {
        app.post("/v1/affiliates/wa/renewal-jobs/lapse").bearer_auth(&coordinator).json(&json!({"today": day})).send()
    };
    let r: Value = job(d(year - 1, 12, 31)).await.unwrap().json().await.unwrap();
    assert_eq!(r["changed"], 0, "the last day of the period is still in it");
    // Scripts run the same job as a bulk action, one result per affiliate named.
    let bulk: Value = app
        .post("/v1/renewals/bulk")
        .bearer_auth(&coordinator)
        .json(&json!({"action": "run_lapse", "items": [{"affiliate": "wa", "today": d(year, 1, 1)}, {"affiliate": "nowhere"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((bulk["succeeded"].as_u64(), bulk["failed"].as_u64()), (Some(1), Some(1)), "{bulk}");
    assert_eq!(
        (bulk["results"][0]["affiliate"].as_str(), bulk["results"][0]["changed"].as_u64()),
        (Some("wa"), Some(1))
    );
    assert_eq!(bulk["results"][1]["problem"]["code"], "not_found");
    let r: Value = job(d(year, 1, 1)).await.unwrap().json().await.unwrap();
    assert_eq!(r["changed"], 0, "running it twice changes nothing more");
    let v: Value = app.get(&format!("/v1/registry/{lapsing}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "lapsed");
    let v: Value = app.get(&format!("/v1/registry/{fine}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "active");
    let listed: Value = app.get("/v1/registry?limit=200").send().await.unwrap().json().await.unwrap();
    assert!(
        listed["data"].as_array().unwrap().iter().all(|e| e["number"] != lapsing.as_str()),
        "lapsed endorsements leave the registry"
    );
    assert_eq!(app.count("audit_events", "action = 'endorsement.lapsed'").await, 1);

    // The status list: the lapsed person for last year; this year's due people, page by page.
    let lapsed: Value = app
        .get(&format!("/v1/renewals?year={}&status=lapsed", year - 1))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        lapsed["data"].as_array().unwrap().iter().map(|r| r["person_id"].clone()).collect::<Vec<_>>(),
        vec![json!(late)]
    );
    let (third, _) = app.applicant("third@example.org").await;
    endorse(&app, &third, "IFA", d(year - 1, 5, 1), d(year, 12, 31)).await;
    let first: Value = app
        .get(&format!("/v1/renewals?year={year}&status=due&limit=1"))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["data"].as_array().unwrap().len(), 1);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = app
        .get(&format!("/v1/renewals?year={year}&status=due&limit=1&cursor={cursor}"))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert!(second["next_cursor"].is_null());
    let mut both = vec![first["data"][0]["person_id"].clone(), second["data"][0]["person_id"].clone()];
    both.sort_by_key(|v| v.as_str().unwrap().to_string());
    let mut expected = vec![json!(current), json!(third)];
    expected.sort_by_key(|v| v.as_str().unwrap().to_string());
    assert_eq!(both, expected);

    // Scripts run it with a client holding renewals:write; without it, 403.
    let cron = app.client_token(&coordinator, &["renewals:write"]).await;
    let res =
        app.post("/v1/affiliates/wa/renewal-jobs/lapse").bearer_auth(&cron).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let applicant = app.token("wa", &[]).await;
    problem(
        app.post("/v1/affiliates/wa/renewal-jobs/lapse").bearer_auth(&applicant).json(&json!({})).send().await.unwrap(),
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn reminders_go_once_per_person_and_offset() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    // A fixed day, so that the period never straddles the new year whatever the date.
    let year = today().year();
    let day = d(year, 11, 1);
    let (due, _) = app.applicant("due@example.org").await;
    endorse(&app, &due, "IFA", d(year - 1, 3, 1), d(year, 12, 31)).await;
    let closes = day + chrono::Duration::days(7);
    let res = app
        .client
        .put(app.url(&format!("/v1/affiliates/wa/renewal-periods/{year}")))
        .bearer_auth(&coordinator)
        .json(&json!({"opens_on": d(year, 1, 1), "closes_on": closes, "reminder_offsets": [30, 7]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let run = || {
        app.post("/v1/affiliates/wa/renewal-jobs/reminders")
            .bearer_auth(&coordinator)
            .json(&json!({"today": day}))
            .send()
    };
    let r: Value = run().await.unwrap().json().await.unwrap();
    assert_eq!(r["changed"], 1, "one email although two offsets are due");
    let r: Value = run().await.unwrap().json().await.unwrap();
    assert_eq!(r["changed"], 0);
    let bulk: Value = app
        .post("/v1/renewals/bulk")
        .bearer_auth(&coordinator)
        .json(&json!({"action": "send_reminders", "items": [{"affiliate": "wa", "today": day}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bulk["results"][0]["changed"], 0, "the bulk action is the same once-only job: {bulk}");
    assert_eq!(
        app.emails_to("due@example.org").await.iter().filter(|e| e.subject.contains("renewal is due")).count(),
        1
    );
    assert_eq!(app.count("renewal_reminders", "").await, 2);
    let bad = json!({"opens_on": d(year, 1, 1), "closes_on": d(year, 1, 1), "late_until": d(year, 1, 1)});
    let res = app
        .client
        .put(app.url(&format!("/v1/affiliates/wa/renewal-periods/{year}")))
        .bearer_auth(&coordinator)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], "late_until");
}

/// A due member with a complete, submitted renewal for `year`: (renewal id, invoice id).
pub(super) async fn submitted_renewal(app: &TestApp, email: &str, coordinator: &str, year: i32) -> (String, String) {
    let (person, token) = member(app, email, coordinator).await;
    endorse(app, &person, "IFA", d(year - 1, 3, 1), d(year, 12, 31)).await;
    app.post(&format!("/v1/me/renewals/{year}")).bearer_auth(&token).send().await.unwrap();
    training(app, &token, year, 14.0, json!([])).await;
    training(app, &token, year, 1.0, json!(["dei"])).await;
    app.post(&format!("/v1/me/renewals/{year}/attestation"))
        .bearer_auth(&token)
        .json(&json!({"text_version": "2026-1", "provides_rsc": false}))
        .send()
        .await
        .unwrap();
    let r: Value = app
        .post(&format!("/v1/me/renewals/{year}/submission"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "submitted", "{r}");
    (r["id"].as_str().unwrap().to_string(), r["invoice_id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn scripts_run_bulk_actions_with_per_item_results() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let year = today().year();
    app.post("/v1/affiliates/wa/fees")
        .bearer_auth(&coordinator)
        .json(
            &json!({"kind": "renewal", "amount": {"amount_cents": 5000, "currency": "USD"}, "effective_from": today()}),
        )
        .send()
        .await
        .unwrap();
    let (a, _) = submitted_renewal(&app, "bulk.a@example.org", &coordinator, year).await;
    let (b, _) = submitted_renewal(&app, "bulk.b@example.org", &coordinator, year).await;
    let script = app.client_token(&coordinator, &["renewals:read", "renewals:write"]).await;

    let pay = json!({"action": "record_payment", "items": [
        {"renewal_id": a, "amount": {"amount_cents": 5000, "currency": "USD"}, "method": "card", "reference": "stripe ch_1"},
        {"renewal_id": b, "amount": {"amount_cents": 9999, "currency": "USD"}, "method": "card", "reference": "stripe ch_2"}
    ]});
    let send =
        || app.post("/v1/renewals/bulk").bearer_auth(&script).header("idempotency-key", "pay-run-1").json(&pay).send();
    let res = send().await.unwrap();
    assert_eq!(res.status(), 200);
    let first = res.bytes().await.unwrap();
    let body: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!((body["succeeded"].as_u64(), body["failed"].as_u64()), (Some(1), Some(1)));
    assert_eq!(body["results"][1]["problem"]["errors"][0]["code"], "exceeds_balance");
    let again = send().await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.bytes().await.unwrap(), first, "the retry changes nothing and answers the same");
    assert_eq!(app.count("invoice_entries", "kind = 'payment' AND reference = 'stripe ch_1'").await, 1);

    // An amount outside the schema's range is refused whole, and nothing is applied.
    for cents in [-1_i64, 9_007_199_254_740_992] {
        let outside = json!({"action": "record_payment", "items": [
            {"renewal_id": b, "amount": {"amount_cents": cents, "currency": "USD"}, "method": "card", "reference": "oops"}
        ]});
        let res = app.post("/v1/renewals/bulk").bearer_auth(&script).json(&outside).send().await.unwrap();
        let refused = problem(res, 422, "validation_failed").await;
        assert_eq!(refused["errors"][0]["field"], "items");
    }
    assert_eq!(app.count("invoice_entries", "reference = 'oops'").await, 0);

    let missing = uuid::Uuid::now_v7().to_string();
    let approve =
        json!({"action": "approve", "items": [{"renewal_id": a}, {"renewal_id": b}, {"renewal_id": missing}]});
    let body: Value =
        app.post("/v1/renewals/bulk").bearer_auth(&script).json(&approve).send().await.unwrap().json().await.unwrap();
    let codes: Vec<Value> = body["results"].as_array().unwrap().iter().map(|r| r["problem"]["code"].clone()).collect();
    assert_eq!(body["results"][0]["renewal"]["status"], "approved");
    assert_eq!(codes, vec![Value::Null, json!("renewal_fee_unpaid"), json!("not_found")]);

    let too_many: Vec<Value> = (0..501).map(|_| json!({"renewal_id": missing})).collect();
    let res = app
        .post("/v1/renewals/bulk")
        .bearer_auth(&script)
        .json(&json!({"action": "approve", "items": too_many}))
        .send()
        .await
        .unwrap();
    problem(res, 413, "too_many_items").await;
    let statuses: Value = app
        .get(&format!("/v1/renewals?year={year}&status=submitted"))
        .bearer_auth(&script)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(statuses["data"].as_array().unwrap().len(), 1);

    let reader = app.client_token(&coordinator, &["people:read"]).await;
    problem(app.post("/v1/renewals/bulk").bearer_auth(&reader).json(&approve).send().await.unwrap(), 403, "forbidden")
        .await;
}

#[tokio::test]
async fn a_lapsed_endorsee_is_reinstated() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let year = today().year();
    let (person, token) = member(&app, "lapsed@example.org", &coordinator).await;
    let number = endorse(&app, &person, "IFS", d(year - 3, 3, 1), d(year - 1, 12, 31)).await;
    let r: Value = app
        .post("/v1/affiliates/wa/renewal-jobs/lapse")
        .bearer_auth(&coordinator)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["changed"], 1);

    problem(
        app.post("/v1/applications")
            .bearer_auth(&token)
            .json(&json!({"category": "IFA", "reinstatement": true}))
            .send()
            .await
            .unwrap(),
        409,
        "nothing_to_reinstate",
    )
    .await;
    let res = app
        .post("/v1/applications")
        .bearer_auth(&token)
        .json(&json!({"category": "IFS", "reinstatement": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let application: Value = res.json().await.unwrap();
    assert_eq!(application["kind"], "reinstatement");
    let id = application["id"].as_str().unwrap().to_string();
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
    assert_eq!(unmet, vec!["reinstatement.experience", "references", "code_of_ethics"]);

    let res = app
        .post(&format!("/v1/applications/{id}/portfolio/work"))
        .bearer_auth(&token)
        .json(&json!({"role": "Home visitor", "employer": "Agency", "kind": "prevention_early_intervention", "paid": true, "start_date": d(year - 1, 6, 1), "end_date": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    for i in 0..3 {
        let email = format!("re{i}@raters.example");
        app.post(&format!("/v1/applications/{id}/references"))
            .bearer_auth(&token)
            .json(&json!({"name": format!("R{i}"), "email": email, "relationship": "Supervisor", "kind": "supervisor"}))
            .send()
            .await
            .unwrap();
        let code = endorse_tests::code_in(&app.emails_to(&email).await[0].text);
        app.post("/v1/reference-requests/rating")
            .json(&json!({"token": code, "ratings": [{"domain": "reflection", "rating": 4}]}))
            .send()
            .await
            .unwrap();
    }
    app.post(&format!("/v1/applications/{id}/attestations"))
        .bearer_auth(&token)
        .json(&json!({"text_version": "2026-1"}))
        .send()
        .await
        .unwrap();
    app.post("/v1/affiliates/wa/fees").bearer_auth(&coordinator).json(&json!({"kind": "processing", "category": "IFS", "amount": {"amount_cents": 3000, "currency": "USD"}, "effective_from": today()})).send().await.unwrap();
    let res = app.post(&format!("/v1/applications/{id}/submission")).bearer_auth(&token).send().await.unwrap();
    let body = problem(res, 409, "submission_blocked").await;
    assert_eq!(body["errors"][0]["field"], "processing_fee", "no deadline is needed: {body}");
    let current: Value =
        app.get(&format!("/v1/applications/{id}")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    app.pay(&coordinator, current["processing_invoice_id"].as_str().unwrap(), 3000).await;
    let res = app.post(&format!("/v1/applications/{id}/submission")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let decided: Value = app
        .post(&format!("/v1/applications/{id}/decision"))
        .bearer_auth(&coordinator)
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(decided["status"], "endorsed");
    let v: Value = app.get(&format!("/v1/registry/{number}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "active");
    assert_eq!(v["valid_through"], format!("{}-12-31", year + 1));
    let mine: Value =
        app.get("/v1/me/endorsements").bearer_auth(&token).send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    assert_eq!(mine.as_array().unwrap().len(), 1, "the same endorsement, reinstated");
}

/// The security matrix over the renewal routes: no token, the endorsee, another
/// affiliate's coordinator and a machine client without the scope.
#[tokio::test]
async fn renewal_routes_are_scoped_to_the_caller() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let year = today().year();
    let (id, _) = submitted_renewal(&app, "scoped@example.org", &coordinator, year).await;
    let endorsee = app.login("scoped@example.org").await["access_token"].as_str().unwrap().to_string();
    app.create_affiliate("or").await;
    let outsider = app.token("or", &[Role::Coordinator]).await;
    let approve = json!({"action": "approve", "items": [{"renewal_id": id}]});
    let job = json!({"today": today()});

    // No token: 401 everywhere but the public period.
    for res in [
        app.get(&format!("/v1/me/renewals/{year}")).send().await.unwrap(),
        app.get(&format!("/v1/renewals?year={year}")).send().await.unwrap(),
        app.post("/v1/renewals/bulk").json(&approve).send().await.unwrap(),
        app.post(&format!("/v1/renewals/{id}/approval")).send().await.unwrap(),
        app.post("/v1/affiliates/wa/renewal-jobs/lapse").json(&job).send().await.unwrap(),
    ] {
        problem(res, 401, "unauthenticated").await;
    }

    // The endorsee sees their own renewal but none of the staff surface.
    for res in [
        app.get(&format!("/v1/renewals?year={year}")).bearer_auth(&endorsee).send().await.unwrap(),
        app.post("/v1/renewals/bulk").bearer_auth(&endorsee).json(&approve).send().await.unwrap(),
        app.post("/v1/affiliates/wa/renewal-jobs/lapse").bearer_auth(&endorsee).json(&job).send().await.unwrap(),
        app.client
            .put(app.url(&format!("/v1/affiliates/wa/renewal-periods/{year}")))
            .bearer_auth(&endorsee)
            .json(&json!({"opens_on": d(year, 9, 1), "closes_on": d(year, 12, 31)}))
            .send()
            .await
            .unwrap(),
    ] {
        problem(res, 403, "forbidden").await;
    }

    // Another affiliate's coordinator: the renewal does not exist for them, their list is empty.
    problem(
        app.post(&format!("/v1/renewals/{id}/approval")).bearer_auth(&outsider).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    let res = app
        .post(&format!("/v1/renewals/{id}/return"))
        .bearer_auth(&outsider)
        .json(&json!({"reasons": "No."}))
        .send()
        .await
        .unwrap();
    problem(res, 404, "not_found").await;
    let theirs: Value = app
        .get(&format!("/v1/renewals?year={year}&status=submitted"))
        .bearer_auth(&outsider)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["data"], json!([]));
    let bulk: Value =
        app.post("/v1/renewals/bulk").bearer_auth(&outsider).json(&approve).send().await.unwrap().json().await.unwrap();
    assert_eq!(bulk["results"][0]["problem"]["code"], "not_found", "{bulk}");
    let lapse = json!({"action": "run_lapse", "items": [{"affiliate": "wa", "today": d(year + 1, 6, 1)}]});
    let bulk: Value =
        app.post("/v1/renewals/bulk").bearer_auth(&outsider).json(&lapse).send().await.unwrap().json().await.unwrap();
    assert_eq!(bulk["results"][0]["problem"]["code"], "forbidden", "another affiliate's job: {bulk}");
    assert_eq!(app.count("endorsements", "status = 'lapsed'").await, 0);

    // Nothing changed.
    let still: Value =
        app.get(&format!("/v1/me/renewals/{year}")).bearer_auth(&endorsee).send().await.unwrap().json().await.unwrap();
    assert_eq!(still["status"], "submitted");
    assert_eq!(app.count("audit_events", "action IN ('renewal.approved', 'renewal.returned')").await, 0);
}
