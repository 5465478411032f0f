//! Trust: partner sync and imports never take over an account, no one decides on their
//! own records, revoked access ends within seconds on every replica, the registry keeps
//! unlisted holders private, nothing tells whether an account exists, and the headers
//! and operational endpoints say what they must. Each attack as an outside probe made
//! it; what was stored is checked unchanged.
use std::time::{Duration, Instant};

use api::domain::roles::Role;
use endorse_tests::{PASSWORD, TestApp, code_in, id_is, problem, registration_body};
use serde_json::{Value, json};

fn person(ext: &str, email: &str, given: &str) -> Value {
    json!({"external_id": ext, "email": email, "given_name": given, "family_name": "Partner"})
}

async fn sync_people(app: &TestApp, token: &str, items: Value) -> Value {
    let res = app
        .post("/v1/affiliates/wa/sync/people")
        .bearer_auth(token)
        .json(&json!({"items": items}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn item_code(body: &Value, i: usize) -> String {
    body["results"][i]["problem"]["code"].as_str().unwrap_or(body["results"][i]["status"].as_str().unwrap()).to_string()
}

async fn people_row(app: &TestApp, email: &str) -> (i64, i64) {
    let rows = app.count("people", &format!("email_normalized = '{email}'")).await;
    let linked = app
        .count("external_ids", &format!("record_id IN (SELECT id FROM people WHERE email_normalized = '{email}')"))
        .await;
    (rows, linked)
}

#[tokio::test]
async fn partner_sync_and_imports_never_take_over_an_account() {
    let app = TestApp::spawn().await;
    let admin_id = app.staff("root@wa-aimh.example", "wa", &[Role::Admin]).await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    app.staff("other.coordinator@wa-aimh.example", "wa", &[Role::Coordinator]).await;
    let writer = app.client_token(&coordinator, &["sync:write"]).await;
    let (_, _applicant) = app.applicant("claimed@example.org").await;
    // Registered, fee not paid: an unclaimed pending account, which a partner may link.
    app.register("pending@example.org").await;

    // The probe's attack: the admin's email in a sync item. Refused, nothing linked.
    let body = sync_people(
        &app,
        &writer,
        json!([
            person("evil-1", "Root@WA-AIMH.example", "Mallory"),
            person("evil-2", "claimed@example.org", "Mallory"),
            person("p-pending", "pending@example.org", "Pat"),
        ]),
    )
    .await;
    assert_eq!(item_code(&body, 0), "account_exists");
    assert_eq!(item_code(&body, 1), "account_exists");
    assert_eq!(item_code(&body, 2), "updated", "an unclaimed pending registration is linked");
    assert_eq!(body["results"][0]["problem"]["status"], 409);
    assert_eq!(people_row(&app, "root@wa-aimh.example").await, (1, 0));
    assert_eq!(people_row(&app, "claimed@example.org").await, (1, 0));
    assert_eq!(
        app.count("people", &format!("{} AND given_name = 'Test'", id_is("id", &admin_id.to_string()))).await,
        1
    );
    // …so the second half of the attack (the same external id with another email) has nothing to rewrite.
    let body = sync_people(&app, &writer, json!([person("evil-1", "mallory@evil.example", "Mallory")])).await;
    assert_eq!(item_code(&body, 0), "created", "a new person of the partner's, not the admin");
    assert_eq!(people_row(&app, "root@wa-aimh.example").await, (1, 0));
    let res = app.post("/v1/auth/password-reset").json(&json!({"email": "mallory@evil.example"})).send().await.unwrap();
    assert_eq!(res.status(), 202);

    // A person the partner created may be changed while unclaimed; the old address is told.
    let body = sync_people(&app, &writer, json!([person("p-1", "first@example.org", "First")])).await;
    assert_eq!(item_code(&body, 0), "created");
    let body = sync_people(&app, &writer, json!([person("p-1", "second@example.org", "First")])).await;
    assert_eq!(item_code(&body, 0), "updated");
    assert!(app.emails_to("first@example.org").await.iter().any(|e| e.subject.contains("changed")));
    // Once the person claims the account (password reset, sign-in), sync stops changing it.
    let res = app.post("/v1/auth/password-reset").json(&json!({"email": "second@example.org"})).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let mail = app.wait_for_email("second@example.org", "reset your password").await;
    let res = app
        .post("/v1/auth/password-reset/confirm")
        .json(&json!({"token": code_in(&mail.text), "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    app.login("second@example.org").await;
    let body = sync_people(
        &app,
        &writer,
        json!([person("p-1", "third@example.org", "First"), person("p-1b", "x@example.org", "X")]),
    )
    .await;
    assert_eq!(item_code(&body, 0), "email_owned_by_person");
    let body = sync_people(&app, &writer, json!([person("p-1", "second@example.org", "Renamed")])).await;
    assert_eq!(item_code(&body, 0), "account_claimed");
    let body = sync_people(&app, &writer, json!([person("p-1", "second@example.org", "First")])).await;
    assert_eq!(item_code(&body, 0), "unchanged", "a resend of what is stored is still fine");
    assert_eq!(app.count("people", "email_normalized = 'second@example.org' AND given_name = 'First'").await, 1);
    assert_eq!(app.count("people", "email_normalized = 'third@example.org'").await, 0);

    // A staff role makes an account untouchable by sync, claimed or not.
    let body = sync_people(&app, &writer, json!([person("p-2", "helper@example.org", "Helper")])).await;
    let helper = body["results"][0]["id"].as_str().unwrap().to_string();
    let admin = app.admin_token().await;
    let res = app
        .post(&format!("/v1/people/{helper}/roles"))
        .bearer_auth(&admin)
        .json(&json!({"role": "reviewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = sync_people(&app, &writer, json!([person("p-2", "helper2@example.org", "Helper")])).await;
    assert_eq!(item_code(&body, 0), "staff_account");
    // …nor given an endorsement (which would make them eligible to review).
    let res = app
        .post("/v1/affiliates/wa/sync/endorsements")
        .bearer_auth(&writer)
        .json(&json!({"items": [{"external_id": "e-1", "person_external_id": "p-2", "category": "IMHM-C", "number": "WA-LEGACY-1", "issued_on": "2020-01-01", "expires_on": "2099-12-31", "status": "active"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(item_code(&body, 0), "staff_account", "{body}");
    assert_eq!(app.count("endorsements", "number = 'WA-LEGACY-1'").await, 0);

    // A coordinator's CSV import with another coordinator's email: refused, whole.
    for mode in ["dry_run", "apply"] {
        let csv = "external_id,email,given_name,family_name\nimp-1,other.coordinator@wa-aimh.example,Eve,Import\nimp-2,fresh@example.org,Fresh,Import\n";
        let res = app
            .post(&format!("/v1/affiliates/wa/imports/people?mode={mode}"))
            .bearer_auth(&coordinator)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        if mode == "dry_run" {
            assert_eq!(res.status(), 200);
            let report: Value = res.json().await.unwrap();
            assert_eq!(item_code(&report, 0), "account_exists");
        } else {
            let body = problem(res, 422, "import_rejected").await;
            assert_eq!(body["errors"][0]["field"], "rows[1]");
            assert_eq!(body["errors"][0]["code"], "account_exists");
        }
    }
    assert_eq!(people_row(&app, "other.coordinator@wa-aimh.example").await, (1, 0));
    assert_eq!(app.count("people", "email_normalized = 'fresh@example.org'").await, 0);
    // Imported people are the import's own: created with that origin.
    let csv = "external_id,email,given_name,family_name\nimp-3,imported@example.org,Ima,Import\n";
    let res = app
        .post("/v1/affiliates/wa/imports/people?mode=apply")
        .bearer_auth(&coordinator)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(app.count("people", "email_normalized = 'imported@example.org' AND created_via = 'import'").await, 1);
}

/// A coordinator's own membership invoice (open, $80).
async fn own_invoice(app: &TestApp, token: &str) -> String {
    let plans: Value =
        app.get("/v1/affiliates/wa/membership-plans").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    let res = app
        .post("/v1/me/memberships")
        .bearer_auth(token)
        .json(&json!({"plan_id": plans[0]["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["invoice"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn no_one_acts_as_staff_on_their_own_records() {
    let app = TestApp::spawn().await;
    let me_email = "coord.self@example.org";
    let me_id = app.staff(me_email, "wa", &[Role::Coordinator]).await;
    let me = app.login(me_email).await["access_token"].as_str().unwrap().to_string();
    let colleague = app.token("wa", &[Role::Coordinator]).await;

    // A payment (or waiver, refund) on one's own invoice: 403, nothing recorded.
    let invoice = own_invoice(&app, &me).await;
    for kind in ["payment", "waiver"] {
        let body = if kind == "payment" {
            json!({"kind": kind, "method": "check", "amount": {"amount_cents": 8000, "currency": "USD"}, "reference": "self"})
        } else {
            json!({"kind": kind, "amount": {"amount_cents": 8000, "currency": "USD"}, "reason": "mine"})
        };
        problem(app.entry(&me, &invoice, body).await, 403, "own_record").await;
    }
    assert_eq!(app.count("invoice_entries", &id_is("invoice_id", &invoice)).await, 0);
    assert_eq!(app.count("invoices", &format!("{} AND status = 'open'", id_is("id", &invoice))).await, 1);
    app.pay(&colleague, &invoice, 8000).await;

    // A membership "bought elsewhere" recorded on one's own record.
    let plans: Value =
        app.get("/v1/affiliates/wa/membership-plans").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    let res = app
        .post(&format!("/v1/people/{me_id}/memberships"))
        .bearer_auth(&me)
        .json(&json!({"plan_id": plans[0]["id"], "bought_on": "2026-01-15", "reference": "self"}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "own_record").await;
    assert_eq!(app.count("memberships", "source = 'external'").await, 0);

    // One's own scholarship request.
    let res = app
        .post("/v1/affiliates/wa/scholarship-funds")
        .bearer_auth(&colleague)
        .json(&json!({"name": "Access fund", "sponsor": "A foundation", "budget": {"amount_cents": 10000, "currency": "USD"}, "starts_on": "2000-01-01", "ends_on": "2099-12-31", "covers": ["processing"]}))
        .send()
        .await
        .unwrap();
    let fund: Value = res.json().await.unwrap();
    let res = app
        .post("/v1/scholarship-requests")
        .bearer_auth(&me)
        .json(&json!({"fund_id": fund["id"], "amount": {"amount_cents": 2000, "currency": "USD"}, "purpose": "processing", "statement": "Please"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let request: Value = res.json().await.unwrap();
    let decide = format!("/v1/scholarship-requests/{}/decision", request["id"].as_str().unwrap());
    let res = app.post(&decide).bearer_auth(&me).json(&json!({"decision": "approve"})).send().await.unwrap();
    problem(res, 403, "own_record").await;
    assert_eq!(app.count("scholarship_requests", "status = 'pending'").await, 1);
    let res = app.post(&decide).bearer_auth(&colleague).json(&json!({"decision": "approve"})).send().await.unwrap();
    assert_eq!(res.status(), 200, "another coordinator decides");

    // One's own renewal: neither approved nor returned by oneself, alone or in bulk.
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    let issued = chrono::NaiveDate::from_ymd_opt(year - 1, 3, 1).unwrap();
    let expires = chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap();
    super::renewals::endorse(&app, &me_id.to_string(), "IFA", issued, expires).await;
    let res = app.post(&format!("/v1/me/renewals/{year}")).bearer_auth(&me).send().await.unwrap();
    let renewal: Value = res.json().await.unwrap();
    let rid = renewal["id"].as_str().unwrap().to_string();
    let res = app.post(&format!("/v1/renewals/{rid}/approval")).bearer_auth(&me).send().await.unwrap();
    problem(res, 403, "own_record").await;
    let res = app
        .post(&format!("/v1/renewals/{rid}/return"))
        .bearer_auth(&me)
        .json(&json!({"reasons": "Mine"}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "own_record").await;
    let res = app
        .post("/v1/renewals/bulk")
        .bearer_auth(&me)
        .json(&json!({"action": "approve", "items": [{"renewal_id": rid}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bulk: Value = res.json().await.unwrap();
    assert_eq!(bulk["results"][0]["problem"]["code"], "own_record", "{bulk}");
    assert_eq!(app.count("renewals", "state = 'open'").await, 1);

    // One's own application: no decision, no reviewer assignment, no verification.
    let res = app.post("/v1/applications").bearer_auth(&me).json(&json!({"category": "IFA"})).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let application: Value = res.json().await.unwrap();
    let id = application["id"].as_str().unwrap();
    let res = app
        .post(&format!("/v1/applications/{id}/decision"))
        .bearer_auth(&me)
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "own_record").await;
    let res = app
        .post(&format!("/v1/applications/{id}/reviews"))
        .bearer_auth(&me)
        .json(&json!({"reviewer_id": me_id, "advisory": true}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "own_record").await;
    assert_eq!(app.count("reviews", "").await, 0);
    assert_eq!(app.count("application_events", &id_is("application_id", id)).await, 1, "only its start");

    // Raters: never the applicant (any known address, +tags ignored), never a reviewer.
    let res = app
        .post(&format!("/v1/applications/{id}/references"))
        .bearer_auth(&me)
        .json(&json!({"name": "Me Again", "email": "Coord.Self+ref@example.org", "relationship": "Myself", "kind": "colleague"}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "conflict_of_interest").await;
    assert_eq!(app.count("application_references", "").await, 0);
}

#[tokio::test]
async fn a_rater_is_never_a_reviewer_of_the_same_application() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let (_, applicant) = app.applicant("applicant.coi@example.org").await;
    let res =
        app.post("/v1/applications").bearer_auth(&applicant).json(&json!({"category": "IFA"})).send().await.unwrap();
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let reviewer = app.staff("reviewer.coi@example.org", "wa", &[Role::Reviewer]).await;
    // The applicant names the reviewer-to-be as a rater, under a +tag.
    let res = app
        .post(&format!("/v1/applications/{id}/references"))
        .bearer_auth(&applicant)
        .json(&json!({"name": "Rita Reviewer", "email": "REVIEWER.coi+x@example.org", "relationship": "Supervisor", "kind": "supervisor"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .post(&format!("/v1/applications/{id}/reviews"))
        .bearer_auth(&coordinator)
        .json(&json!({"reviewer_id": reviewer, "advisory": true}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "conflict_of_interest").await;
    assert_eq!(app.count("reviews", "").await, 0);
}

#[tokio::test]
async fn a_coordinator_never_changes_an_admin_nor_grants_above_their_own_role() {
    let app = TestApp::spawn().await;
    let admin_id = app.staff("boss@example.org", "wa", &[Role::Admin]).await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let person = app.staff("plain@example.org", "wa", &[]).await;
    let res = app.get(&format!("/v1/people/{admin_id}")).bearer_auth(&coordinator).send().await.unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = app
        .patch(&format!("/v1/people/{admin_id}"))
        .bearer_auth(&coordinator)
        .header("if-match", &etag)
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "role_above_own").await;
    let res = app
        .delete(&format!("/v1/people/{admin_id}/roles/admin"))
        .bearer_auth(&coordinator)
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    problem(res, 403, "role_above_own").await;
    let res = app
        .post(&format!("/v1/people/{person}/roles"))
        .bearer_auth(&coordinator)
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "role_above_own").await;
    assert_eq!(app.count("people", &format!("{} AND status = 'active'", id_is("id", &admin_id.to_string()))).await, 1);
    assert_eq!(
        app.count("role_assignments", &format!("{} AND role = 'admin'", id_is("person_id", &admin_id.to_string())))
            .await,
        1
    );
    assert_eq!(app.count("role_assignments", &id_is("person_id", &person.to_string())).await, 0);
    // Roles at or below one's own are fine.
    let res = app
        .post(&format!("/v1/people/{person}/roles"))
        .bearer_auth(&coordinator)
        .json(&json!({"role": "reviewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// Calls `GET /v1/me` (or a client's list) until it is refused; how long that took.
async fn refused_within(app: &TestApp, token: &str, path: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let res = app.get(path).bearer_auth(token).send().await.unwrap();
        if res.status() == 401 {
            problem(res, 401, "invalid_token").await;
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "{path} still answered {} after {limit:?}", res.status());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn client_grant(app: &TestApp, client: &Value, secret: &str) -> String {
    let body = json!({"grant_type": "client_credentials", "client_id": client["client_id"], "client_secret": secret});
    let t: Value = app.post("/v1/auth/token").json(&body).send().await.unwrap().json().await.unwrap();
    t["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn revocation_ends_access_tokens_within_seconds_on_every_replica() {
    let a = TestApp::spawn().await;
    let b = a.replica(&[]).await;
    let five = Duration::from_secs(5);
    let coordinator = a.token("wa", &[Role::Coordinator]).await;
    let admin = a.admin_token().await;

    // Disabled: its token stops on both replicas.
    a.staff("disabled@example.org", "wa", &[]).await;
    let token = a.login("disabled@example.org").await["access_token"].as_str().unwrap().to_string();
    for app in [&a, &b] {
        assert_eq!(app.get("/v1/me").bearer_auth(&token).send().await.unwrap().status(), 200);
    }
    let me: Value = a.get("/v1/me").bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let id = me["id"].as_str().unwrap();
    let res = a.get(&format!("/v1/people/{id}")).bearer_auth(&coordinator).send().await.unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = a
        .patch(&format!("/v1/people/{id}"))
        .bearer_auth(&coordinator)
        .header("if-match", etag)
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    for app in [&a, &b] {
        refused_within(app, &token, "/v1/me", five).await;
    }

    // A revoked role: the token that carried it stops; a refreshed one works without it.
    a.staff("reviewer.rev@example.org", "wa", &[Role::Reviewer]).await;
    let pair = a.login("reviewer.rev@example.org").await;
    let token = pair["access_token"].as_str().unwrap().to_string();
    let me: Value = b.get("/v1/me").bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let id = me["id"].as_str().unwrap().to_string();
    let res = a.get(&format!("/v1/people/{id}")).bearer_auth(&admin).send().await.unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = a
        .delete(&format!("/v1/people/{id}/roles/reviewer"))
        .bearer_auth(&admin)
        .header("if-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    refused_within(&b, &token, "/v1/me", five).await;
    let res = a
        .post("/v1/auth/token")
        .json(&json!({"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let fresh: Value = res.json().await.unwrap();
    let me: Value = b
        .get("/v1/me")
        .bearer_auth(fresh["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["roles"], json!(["applicant"]));

    // A new password ends the tokens issued before it.
    a.staff("pw.rev@example.org", "wa", &[]).await;
    let token = a.login("pw.rev@example.org").await["access_token"].as_str().unwrap().to_string();
    let res = a
        .post("/v1/me/password")
        .bearer_auth(&token)
        .json(&json!({"current_password": PASSWORD, "new_password": "another long passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    for app in [&a, &b] {
        refused_within(app, &token, "/v1/me", five).await;
    }

    // A revoked client, and a secret rotated without overlap.
    let c: Value = a
        .post("/v1/affiliates/wa/clients")
        .bearer_auth(&coordinator)
        .json(&json!({"name": "script", "scopes": ["people:read"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_token = client_grant(&a, &c, c["client_secret"].as_str().unwrap()).await;
    assert_eq!(b.get("/v1/people").bearer_auth(&client_token).send().await.unwrap().status(), 200);
    let cid = c["id"].as_str().unwrap();
    let res = a
        .post(&format!("/v1/clients/{cid}/secret"))
        .bearer_auth(&coordinator)
        .json(&json!({"keep_previous_for_seconds": 600}))
        .send()
        .await
        .unwrap();
    let rotated: Value = res.json().await.unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(b.get("/v1/people").bearer_auth(&client_token).send().await.unwrap().status(), 200, "overlap kept");
    let res = a
        .post(&format!("/v1/clients/{cid}/secret"))
        .bearer_auth(&coordinator)
        .json(&json!({"keep_previous_for_seconds": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    refused_within(&b, &client_token, "/v1/people", five).await;
    let client_token =
        client_grant(&a, &c, res.json::<Value>().await.unwrap()["client_secret"].as_str().unwrap()).await;
    assert_ne!(rotated["client_secret"], Value::Null);
    assert_eq!(b.get("/v1/people").bearer_auth(&client_token).send().await.unwrap().status(), 200);
    let res = a.get(&format!("/v1/clients/{cid}")).bearer_auth(&coordinator).send().await.unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = a
        .delete(&format!("/v1/clients/{cid}"))
        .bearer_auth(&coordinator)
        .header("if-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    for app in [&a, &b] {
        refused_within(app, &client_token, "/v1/people", five).await;
    }
}

#[tokio::test]
async fn the_registry_keeps_unlisted_holders_private_and_searches_at_any_size() {
    use sea_orm::{EntityTrait, Set};
    let app = TestApp::spawn().await;
    let wa = uuid::Uuid::parse_str(migration::WASHINGTON_ID).unwrap();
    let now = chrono::Utc::now();
    let today = now.date_naive();
    // 100 000 people named so that every one matches `a`, each with a listed endorsement.
    const PEOPLE: usize = 100_000;
    for chunk in 0..PEOPLE / 1000 {
        let txn = api::db::begin_write(&app.state.db).await.unwrap();
        let mut people = Vec::new();
        let mut endorsements = Vec::new();
        for i in 0..1000 {
            let n = chunk * 1000 + i;
            let id = uuid::Uuid::now_v7();
            people.push(entity::person::ActiveModel {
                id: Set(id),
                affiliate_id: Set(wa),
                email: Set(format!("r{n}@registry.example")),
                email_normalized: Set(format!("r{n}@registry.example")),
                given_name: Set(format!("Ana{n}")),
                family_name: Set("Registry".into()),
                password_hash: Set(None),
                status: Set(entity::person::PersonStatus::Active),
                preferred_language: Set(entity::sets::Language::English),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            });
            endorsements.push(entity::endorsement::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                affiliate_id: Set(wa),
                person_id: Set(id),
                application_id: Set(None),
                category_code: Set("IFA".into()),
                number: Set(format!("WA-IFA-{n:06}")),
                issued_on: Set(today),
                expires_on: Set(today + chrono::Duration::days(400)),
                status: Set(entity::endorsement::EndorsementStatus::Active),
                emerging: Set(false),
                listed: Set(n != 0),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            });
        }
        for part in people.chunks(500) {
            entity::person::Entity::insert_many(part.to_vec()).exec(&txn).await.unwrap();
        }
        for part in endorsements.chunks(500) {
            entity::endorsement::Entity::insert_many(part.to_vec()).exec(&txn).await.unwrap();
        }
        txn.commit().await.unwrap();
    }
    // Every one of 100 000 matches: one bounded page, then the next from its cursor.
    let res = app.get("/v1/registry?name=a&limit=3").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    let numbers = |page: &Value| -> Vec<String> {
        page["data"].as_array().unwrap().iter().map(|v| v["number"].as_str().unwrap().to_string()).collect()
    };
    let first = numbers(&page);
    assert_eq!(first.len(), 3);
    let next = page["next_cursor"].as_str().unwrap();
    let page: Value =
        app.get(&format!("/v1/registry?name=a&limit=200&cursor={next}")).send().await.unwrap().json().await.unwrap();
    let second = numbers(&page);
    assert_eq!(second.len(), 200);
    assert!(second.iter().all(|n| !first.contains(n)), "the next page starts after the first");
    assert!(!first.iter().chain(&second).any(|n| n == "WA-IFA-000000"), "the unlisted one is not listed");
    let res = app.get("/v1/registry?name=Ana99999").send().await.unwrap();
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["data"][0]["holder_name"], "Ana99999 Registry");

    // An unlisted endorsement: verified by number without its holder's name…
    let res = app.get("/v1/registry/WA-IFA-000000").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(
        (v["holder_name"].clone(), v["listed"].clone(), v["status"].clone()),
        (Value::Null, json!(false), json!("active"))
    );
    assert!(v.get("name_matches").is_none());
    // …and a name the caller supplies is confirmed or not, never revealed.
    let v: Value =
        app.get("/v1/registry/WA-IFA-000000?name=ana0%20registry").send().await.unwrap().json().await.unwrap();
    assert_eq!((v["name_matches"].clone(), v["holder_name"].clone()), (json!(true), Value::Null));
    let v: Value =
        app.get("/v1/registry/WA-IFA-000000?name=Someone%20Else").send().await.unwrap().json().await.unwrap();
    assert_eq!(v["name_matches"], false);
    // Its signed credential names the holder: not public.
    problem(app.get("/v1/registry/WA-IFA-000000/credential").send().await.unwrap(), 404, "not_found").await;
    assert_eq!(app.get("/v1/registry/WA-IFA-000001/credential").send().await.unwrap().status(), 200);
    let v: Value = app.get("/v1/registry/WA-IFA-000001").send().await.unwrap().json().await.unwrap();
    assert_eq!(v["holder_name"], "Ana1 Registry");
}

#[tokio::test]
async fn nothing_tells_whether_an_account_exists() {
    let app = TestApp::spawn().await;
    app.create_affiliate("or").await;
    app.staff("staff.elsewhere@example.org", "or", &[Role::Coordinator]).await;
    let people_before = app.count("people", "").await;

    // Registering with a staff email of another affiliate: the same answer as a new one.
    let taken = app.register("staff.elsewhere@example.org").await;
    let fresh = app.register("brand.new@example.org").await;
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&taken), keys(&fresh));
    assert_eq!(keys(&taken["invoice"]), keys(&fresh["invoice"]));
    assert_eq!((taken["status"].clone(), fresh["status"].clone()), (json!("awaiting_fee"), json!("awaiting_fee")));
    assert_eq!(taken["invoice"]["total"], fresh["invoice"]["total"]);
    assert_eq!(app.count("people", "").await, people_before + 1, "only the new person is stored");
    assert_eq!(app.count("people", &id_is("id", taken["person_id"].as_str().unwrap())).await, 0);
    let told = app.emails_to("staff.elsewhere@example.org").await;
    assert!(told.iter().any(|e| e.subject.contains("already have an account")), "{told:?}");

    // Sign-in: one answer for an unknown account and a wrong password.
    let unknown = app.login_with("nobody@example.org", "wrong wrong wrong").await;
    let wrong = app.login_with("staff.elsewhere@example.org", "wrong wrong wrong").await;
    let (a, b) = (problem(unknown, 400, "invalid_grant").await, problem(wrong, 400, "invalid_grant").await);
    assert_eq!(a, b);

    // Password reset: the same answer and the same work (one job each).
    let jobs = app.count("outbox_messages", "kind = 'password_reset'").await;
    for email in ["nobody@example.org", "staff.elsewhere@example.org"] {
        let res = app.post("/v1/auth/password-reset").json(&json!({"email": email})).send().await.unwrap();
        assert_eq!(res.status(), 202);
        assert_eq!(res.text().await.unwrap(), "");
    }
    assert_eq!(app.count("outbox_messages", "kind = 'password_reset'").await, jobs + 2);
    app.wait_for_email("staff.elsewhere@example.org", "reset your password").await;
}

#[tokio::test]
async fn passwords_refuse_common_ones_and_the_person_s_own_name_or_email() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let reg = app.register("maria.gonzalez@example.org").await;
    app.pay(&coordinator, reg["invoice"]["id"].as_str().unwrap(), 2500).await;
    let code = code_in(&app.emails_to("maria.gonzalez@").await.last().unwrap().text);
    for (password, why) in [
        ("Qwerty123456", "a common password"),
        ("maria.gonzalez-2026", "the email's local part"),
        ("I am Ana López here", "the person's name"),
    ] {
        let res =
            app.post("/v1/auth/activate").json(&json!({"token": code, "password": password})).send().await.unwrap();
        let body = problem(res, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], "password", "{why}");
        assert_eq!(body["errors"][0]["code"], "weak_password", "{why}");
    }
    let res = app.post("/v1/auth/activate").json(&json!({"token": code, "password": PASSWORD})).send().await.unwrap();
    assert_eq!(res.status(), 200, "the code was not spent by the refusals");
    let doc: Value = app.get("/openapi.json").send().await.unwrap().json().await.unwrap();
    let rule = doc["components"]["schemas"]["SetPassword"]["properties"]["password"]["description"].as_str().unwrap();
    assert!(rule.contains("common") && rule.contains("12"), "{rule}");
}

#[tokio::test]
async fn single_line_fields_refuse_control_characters_and_bad_names_never_reach_the_mailer() {
    let app = TestApp::spawn().await;
    let mut body = registration_body("crlf@example.org");
    body["given_name"] = json!("Ana\r\nBcc: victim@example.org");
    let res = app.post("/v1/affiliates/wa/registrations").json(&body).send().await.unwrap();
    let p = problem(res, 422, "validation_failed").await;
    assert_eq!(
        (p["errors"][0]["field"].clone(), p["errors"][0]["code"].clone()),
        (json!("given_name"), json!("control_character"))
    );
    body["given_name"] = json!("\u{202E}anA");
    let res = app.post("/v1/affiliates/wa/registrations").json(&body).send().await.unwrap();
    problem(res, 422, "validation_failed").await;
    assert_eq!(app.count("people", "email_normalized = 'crlf@example.org'").await, 0);

    let (_, applicant) = app.applicant("hygiene@example.org").await;
    let res =
        app.post("/v1/applications").bearer_auth(&applicant).json(&json!({"category": "IFA"})).send().await.unwrap();
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let refs = format!("/v1/applications/{id}/references");
    for (name, relationship, field) in
        [("Maria Chen\\", "Supervisor", "name"), ("Maria Chen", "Supervisor\nsince 2020", "relationship")]
    {
        let res = app
            .post(&refs)
            .bearer_auth(&applicant)
            .json(&json!({"name": name, "email": "maria.chen@example.org", "relationship": relationship, "kind": "supervisor"}))
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "validation_failed").await;
        assert_eq!(p["errors"][0]["field"], field);
    }
    assert_eq!(app.count("application_references", "").await, 0);

    // Invitations to one rater address are rate limited (five a day).
    for i in 0..5 {
        let res = app
            .post(&refs)
            .bearer_auth(&applicant)
            .json(&json!({"name": format!("Rater {i}"), "email": "busy.rater+x@example.org", "relationship": "Supervisor", "kind": "supervisor"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let res = app
        .post(&refs)
        .bearer_auth(&applicant)
        .json(&json!({"name": "Rater 6", "email": "Busy.Rater@example.org", "relationship": "Supervisor", "kind": "supervisor"}))
        .send()
        .await
        .unwrap();
    assert!(res.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() > 0);
    problem(res, 429, "rate_limited").await;
    assert_eq!(app.count("application_references", "").await, 5);
}

#[tokio::test]
async fn an_undeliverable_email_is_reported_once_not_retried_forever() {
    use api::{http::metrics::Metrics, platform::outbox, workers::mailer::Mailer, workers::outbox::OutboxWorker};
    let app = TestApp::spawn_with(&[("RUN_OUTBOX_WORKER", "false")]).await;
    let bad = outbox::EmailMessage {
        to: "\"Maria\\\" <maria@example.org>".into(),
        subject: "Hi".into(),
        text: "x".into(),
        html: None,
        template: None,
    };
    let id = outbox::enqueue_email(&app.state.db, &bad).await.unwrap();
    let worker = OutboxWorker {
        db: app.state.db.clone(),
        mailer: Mailer::new(None, app.mail_dir.clone()).unwrap(),
        from: "Endorse <no-reply@endorse.test>".parse().unwrap(),
        max_attempts: 12,
        metrics: std::sync::Arc::new(Metrics::new().unwrap()),
        links: app.state.links.clone(),
    };
    let report = worker.tick().await.unwrap();
    assert_eq!(report.failed, 1);
    assert_eq!(
        app.count(
            "outbox_messages",
            &format!(
                "{} AND status = 'dead' AND attempts = 1 AND last_error LIKE 'undeliverable%'",
                id_is("id", &id.to_string())
            )
        )
        .await,
        1
    );
    assert_eq!(worker.tick().await.unwrap(), Default::default(), "not tried again");
}

#[tokio::test]
async fn idempotency_keys_come_after_authentication_and_anonymous_ones_share_nothing() {
    let app = TestApp::spawn_with(&[("TRUST_FORWARDED_FOR", "true")]).await;
    let key = "0b6f8e9e-shared-key";
    let res = app
        .post("/v1/affiliates/wa/registrations")
        .header("idempotency-key", key)
        .header("x-forwarded-for", "203.0.113.7")
        .json(&registration_body("first.caller@example.org"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let first: Value = res.json().await.unwrap();
    // The same key on a protected route without a token: 401, not the key's 422.
    let res = app
        .post("/v1/affiliates")
        .header("idempotency-key", key)
        .header("x-forwarded-for", "203.0.113.7")
        .json(&json!({"code": "zz", "name": "Z", "time_zone": "America/Chicago", "currency": "USD"}))
        .send()
        .await
        .unwrap();
    problem(res, 401, "unauthenticated").await;
    // Another caller sending the identical request with the key does not get the first answer.
    let res = app
        .post("/v1/affiliates/wa/registrations")
        .header("idempotency-key", key)
        .header("x-forwarded-for", "198.51.100.9")
        .json(&registration_body("first.caller@example.org"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("idempotent-replayed").is_none());
    let second: Value = res.json().await.unwrap();
    assert_ne!(second["id"], first["id"]);
    // The first caller still gets its own answer replayed.
    let res = app
        .post("/v1/affiliates/wa/registrations")
        .header("idempotency-key", key)
        .header("x-forwarded-for", "203.0.113.7")
        .json(&registration_body("first.caller@example.org"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    assert_eq!(res.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(app.count("people", "email_normalized = 'first.caller@example.org'").await, 1);
}

#[tokio::test]
async fn every_answer_says_nosniff_and_personal_ones_no_store() {
    let app = TestApp::spawn_with(&[("PUBLIC_BASE_URL", "https://api.example.org")]).await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let (person, _) = app.applicant("headers@example.org").await;
    let writer = app.client_token(&coordinator, &["sync:read", "people:read"]).await;
    for (path, token) in [
        (format!("/v1/people/{person}"), Some(&coordinator)),
        ("/v1/invoices".to_string(), Some(&coordinator)),
        ("/v1/affiliates/wa/changes".to_string(), Some(&writer)),
        ("/v1/affiliates/wa/exports/endorsees.csv".to_string(), Some(&writer)),
        ("/v1/people".to_string(), None),
        ("/v1/no-such-route".to_string(), None),
        ("/healthz".to_string(), None),
    ] {
        let mut req = app.get(&path);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert_eq!(h["strict-transport-security"], "max-age=31536000", "{path}");
    }
    let res = app.get("/.well-known/jwks.json").send().await.unwrap();
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers()["cache-control"].to_str().unwrap().starts_with("public"), "public keys may be cached");
    let plain = TestApp::spawn().await;
    assert!(plain.get("/healthz").send().await.unwrap().headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn docs_work_offline_and_metrics_are_not_public() {
    let app = TestApp::spawn().await;
    let res = app.get("/docs").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"), "{csp}");
    let page = res.text().await.unwrap();
    assert!(page.contains("swagger-ui"), "the page is Swagger UI");
    for attr in ["src=\"", "href=\""] {
        for part in page.split(attr).skip(1) {
            let url = part.split('"').next().unwrap();
            assert!(!url.contains("//"), "no third-party asset: {url}");
            if !url.starts_with('/') && !url.starts_with('#') {
                let asset = app.get(&format!("/docs/{url}")).send().await.unwrap();
                assert_eq!(asset.status(), 200, "/docs/{url} is served from the binary");
            }
        }
    }
    let init = app.get("/docs/swagger-initializer.js").send().await.unwrap().text().await.unwrap();
    assert!(init.contains("/openapi.json"), "{init}");
    problem(app.get("/docs/nothing.js").send().await.unwrap(), 404, "not_found").await;

    // Metrics: not served without configuration…
    problem(app.get("/metrics").send().await.unwrap(), 404, "not_found").await;
    // …only to their own bearer token…
    let token = "metrics-token-0123456789";
    let app = TestApp::spawn_with(&[("METRICS_TOKEN", token)]).await;
    problem(app.get("/metrics").send().await.unwrap(), 401, "unauthenticated").await;
    problem(app.get("/metrics").bearer_auth("metrics-token-wrong-000").send().await.unwrap(), 401, "unauthenticated")
        .await;
    let res = app.get("/metrics").bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("endorse_http_requests_total"));
    // …or on an internal address of their own.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let app = TestApp::spawn_with(&[("METRICS_BIND_ADDR", &addr), ("METRICS_TOKEN", token)]).await;
    problem(app.get("/metrics").bearer_auth(token).send().await.unwrap(), 404, "not_found").await;
    let res = app.client.get(format!("http://{addr}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("endorse_"));
}
