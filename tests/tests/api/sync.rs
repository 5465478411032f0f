//! Partner sync: the change feed, bulk upserts by external id, CSV imports, and the
//! scope and affiliate boundaries of each.
use std::collections::HashMap;

use api::domain::roles::Role;
use endorse_tests::{PASSWORD, TestApp, code_in, is_postgres, problem};
use serde_json::{Value, json};

use chrono::Datelike;

use super::renewals::today;

fn person(ext: &str, email: &str, given: &str) -> Value {
    json!({"external_id": ext, "email": email, "given_name": given, "family_name": "Partner"})
}

async fn sync(app: &TestApp, token: &str, kind: &str, items: Value) -> reqwest::Response {
    app.post(&format!("/v1/affiliates/wa/sync/{kind}"))
        .bearer_auth(token)
        .json(&json!({"items": items}))
        .send()
        .await
        .unwrap()
}

async fn sync_ok(app: &TestApp, token: &str, kind: &str, items: Value) -> Value {
    let res = sync(app, token, kind, items).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn statuses(body: &Value) -> Vec<String> {
    body["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap().to_string()).collect()
}

/// A person created by sync has no password: they set one by password reset, then sign in.
async fn sign_in_synced(app: &TestApp, email: &str) -> String {
    let res = app.post("/v1/auth/password-reset").json(&json!({"email": email})).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let mail = app.wait_for_email(email, "reset your password").await;
    let res = app
        .post("/v1/auth/password-reset/confirm")
        .json(&json!({"token": code_in(&mail.text), "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    app.login(email).await["access_token"].as_str().unwrap().to_string()
}

/// Every event of the feed from `cursor` on, and the cursor to continue from.
async fn drain(app: &TestApp, token: &str, mut cursor: Option<String>) -> (Vec<Value>, String) {
    let mut events = Vec::new();
    loop {
        let url = match &cursor {
            Some(c) => format!("/v1/affiliates/wa/changes?limit=7&cursor={c}"),
            None => "/v1/affiliates/wa/changes?limit=7".to_string(),
        };
        let res = app.get(&url).bearer_auth(token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let page: Value = res.json().await.unwrap();
        // Every event is what the document says a partner receives for its kind.
        page["data"].as_array().unwrap().iter().for_each(|e| endorse_tests::assert_conforms("ChangeEvent", e));
        events.extend(page["data"].as_array().unwrap().iter().cloned());
        cursor = Some(page["next_cursor"].as_str().unwrap().to_string());
        if !page["has_more"].as_bool().unwrap() {
            return (events, cursor.unwrap_or_default());
        }
    }
}

#[tokio::test]
async fn people_upsert_by_external_id_with_per_item_results_and_retries_change_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let writer = app.client_token(&coordinator, &["sync:write", "sync:read"]).await;
    // Someone of Washington who registered (fee not paid yet) before the partner synced:
    // an unclaimed pending account, linked by email. A claimed account is never linked.
    app.register("known@example.org").await;
    app.staff("claimed@example.org", "wa", &[]).await;
    // Someone of another affiliate: their email cannot be taken.
    app.create_affiliate("or").await;
    app.staff("elsewhere@example.org", "or", &[]).await;

    let items = json!([
        person("p-1", "one@example.org", "One"),
        person("p-2", "not-an-email", "Two"),
        person("p-1", "again@example.org", "Dup"),
        {"external_id": "p-3", "email": "three@example.org", "given_name": "Three", "family_name": "Partner",
         "phone": "+1 206 555 0101", "address": {"city": "Tacoma", "country": "US"}, "preferred_language": "es"},
        person("p-4", "known@example.org", "Known"),
        person("p-5", "elsewhere@example.org", "Else"),
        {"external_id": "p-6", "email": "six@example.org", "given_name": "Six", "family_name": "Partner", "role": "admin"},
        person("p-8", "claimed@example.org", "Claimed")
    ]);
    let body = sync_ok(&app, &writer, "people", items.clone()).await;
    assert_eq!(statuses(&body), ["created", "failed", "failed", "created", "updated", "failed", "failed", "failed"]);
    assert_eq!(body["counts"], json!({"created": 2, "updated": 1, "unchanged": 0, "failed": 5}));
    let results = body["results"].as_array().unwrap();
    assert_eq!(results[1]["problem"]["errors"][0]["field"], "email");
    assert_eq!(results[2]["problem"]["code"], "duplicate_item");
    assert_eq!(results[5]["problem"]["code"], "account_exists");
    assert_eq!(results[7]["problem"]["code"], "account_exists", "a claimed account is never linked");
    assert_eq!(results[6]["problem"]["errors"][0]["code"], "unknown_field", "no mass assignment of roles");
    assert_eq!(results[4]["external_id"], "p-4");
    assert_eq!(app.count("people", "email = 'three@example.org' AND phone = '+1 206 555 0101' AND city = 'Tacoma' AND preferred_language = 'es' AND password_hash IS NULL").await, 1);
    assert_eq!(app.count("external_ids", "kind = 'person'").await, 3);
    let people_before = app.count("people", "").await;

    // The same request again: nothing changes, each item says so.
    let again = sync_ok(&app, &writer, "people", items.clone()).await;
    assert_eq!(
        statuses(&again),
        ["unchanged", "failed", "failed", "unchanged", "unchanged", "failed", "failed", "failed"]
    );
    assert_eq!(again["results"][0]["id"], body["results"][0]["id"]);
    assert_eq!(app.count("people", "").await, people_before);
    assert_eq!(app.count("external_ids", "").await, 3);

    // A changed field is an update with a new version; clearing optional fields too.
    let changed = sync_ok(&app, &writer, "people", json!([person("p-3", "three@example.org", "Trois")])).await;
    assert_eq!(statuses(&changed), ["updated"]);
    assert_eq!(changed["results"][0]["version"], 2);
    assert_eq!(app.count("people", "given_name = 'Trois' AND phone IS NULL AND city IS NULL").await, 1);
    // Another external id cannot take an email synced already.
    let clash = sync_ok(&app, &writer, "people", json!([person("p-9", "one@example.org", "Clash")])).await;
    assert_eq!(clash["results"][0]["problem"]["code"], "account_exists");

    // The feed carries each change with the partner's id, in order, once.
    let (events, cursor) = drain(&app, &writer, None).await;
    let synced: Vec<(&str, i64)> = events
        .iter()
        .filter(|e| e["kind"] == "person" && !e["external_id"].is_null())
        .map(|e| (e["external_id"].as_str().unwrap(), e["version"].as_i64().unwrap()))
        .collect();
    assert_eq!(synced, [("p-1", 1), ("p-3", 1), ("p-4", 2), ("p-3", 2)]);
    let last = events.iter().rev().find(|e| e["external_id"] == "p-3").unwrap();
    assert_eq!(last["representation"]["given_name"], "Trois");
    assert_eq!(last["operation"], "upsert");
    assert!(last["event_id"].as_str().unwrap().starts_with("chg_"));
    // Nothing new: an empty page with a cursor to keep.
    let res = app.get(&format!("/v1/affiliates/wa/changes?cursor={cursor}")).bearer_auth(&writer).send().await.unwrap();
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["data"], json!([]));
    assert_eq!(page["has_more"], false);
    assert_eq!(page["next_cursor"], cursor.as_str());
    sync_ok(&app, &writer, "people", json!([person("p-7", "seven@example.org", "Seven")])).await;
    let (more, _) = drain(&app, &writer, Some(cursor.clone())).await;
    assert_eq!(more.len(), 1);
    assert_eq!(more[0]["external_id"], "p-7");

    // Garbage and other lists' cursors are refused.
    let res = app.get("/v1/affiliates/wa/changes?cursor=bm9wZQ").bearer_auth(&writer).send().await.unwrap();
    problem(res, 400, "invalid_query").await;
    let res = app.get("/v1/affiliates/wa/changes?limit=201").bearer_auth(&writer).send().await.unwrap();
    problem(res, 400, "invalid_query").await;
}

#[tokio::test]
async fn bulk_requests_are_bounded_and_replayed_by_idempotency_key() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let items: Vec<Value> =
        (0..1001).map(|i| person(&format!("x-{i}"), &format!("x{i}@example.org"), "Many")).collect();
    let res = sync(&app, &coordinator, "people", json!(items)).await;
    let p = problem(res, 413, "too_many_items").await;
    assert!(p["detail"].as_str().unwrap().contains("1000"));
    assert_eq!(app.count("people", "given_name = 'Many'").await, 0);
    let res = app
        .post("/v1/affiliates/wa/sync/people")
        .bearer_auth(&coordinator)
        .json(&json!({"things": []}))
        .send()
        .await
        .unwrap();
    problem(res, 422, "validation_failed").await;

    let send = || {
        app.post("/v1/affiliates/wa/sync/people")
            .bearer_auth(&coordinator)
            .header("Idempotency-Key", "sync-batch-0001")
            .json(&json!({"items": [person("k-1", "k1@example.org", "Key")]}))
            .send()
    };
    let first: Value = send().await.unwrap().json().await.unwrap();
    let replay = send().await.unwrap();
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.headers().get("idempotent-replayed").map(|v| v.to_str().unwrap()), Some("true"));
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay, first, "the first answer (created), not a second run (unchanged)");
    assert_eq!(statuses(&replay), ["created"]);
    assert_eq!(app.count("people", "email = 'k1@example.org'").await, 1);
}

#[tokio::test]
async fn memberships_renewal_entries_and_legacy_endorsements_sync_by_external_id() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let writer = app.client_token(&coordinator, &["sync:write"]).await;
    sync_ok(
        &app,
        &writer,
        "people",
        json!([person("h-1", "holder@example.org", "Holder"), person("h-2", "new@example.org", "New")]),
    )
    .await;
    let plans: Value =
        app.get("/v1/affiliates/wa/membership-plans").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    let plan = plans["data"][0]["id"].as_str().or_else(|| plans[0]["id"].as_str()).unwrap().to_string();
    let year = today().year();

    let memberships = json!([
        {"external_id": "m-1", "person_external_id": "h-1", "plan_id": plan, "starts_on": "2025-01-01", "ends_on": "2025-12-31"},
        {"external_id": "m-2", "person_external_id": "nobody", "plan_id": plan, "starts_on": "2025-01-01", "ends_on": "2025-12-31"},
        {"external_id": "m-3", "person_external_id": "h-1", "plan_id": plan, "starts_on": "2025-05-01", "ends_on": "2025-01-01"}
    ]);
    let body = sync_ok(&app, &writer, "memberships", memberships.clone()).await;
    assert_eq!(statuses(&body), ["created", "failed", "failed"]);
    assert_eq!(body["results"][1]["problem"]["errors"][0]["code"], "unknown_person");
    assert_eq!(body["results"][2]["problem"]["errors"][0]["field"], "ends_on");
    assert_eq!(statuses(&sync_ok(&app, &writer, "memberships", memberships).await), ["unchanged", "failed", "failed"]);
    let cancel = json!([{"external_id": "m-1", "person_external_id": "h-1", "plan_id": plan, "starts_on": "2025-01-01", "ends_on": "2025-12-31", "status": "cancelled"}]);
    let body = sync_ok(&app, &writer, "memberships", cancel).await;
    assert_eq!(statuses(&body), ["updated"]);
    assert_eq!(
        app.count("memberships", "state = 'cancelled' AND source = 'external' AND external_reference = 'm-1'").await,
        1
    );

    // Legacy endorsements keep their numbers and dates; a number is never reused.
    let legacy = json!([
        {"external_id": "e-1", "person_external_id": "h-1", "category": "IFS", "number": "WA-LEGACY-0042",
         "issued_on": "2019-03-01", "expires_on": format!("{year}-12-31"), "status": "active"},
        {"external_id": "e-2", "person_external_id": "h-2", "category": "IFS", "number": "WA-LEGACY-0042",
         "issued_on": "2019-03-01", "expires_on": "2020-12-31", "status": "lapsed"},
        {"external_id": "e-3", "person_external_id": "h-2", "category": "NOPE", "number": "WA-LEGACY-0043",
         "issued_on": "2019-03-01", "expires_on": "2020-12-31", "status": "lapsed"}
    ]);
    let body = sync_ok(&app, &writer, "endorsements", legacy.clone()).await;
    assert_eq!(statuses(&body), ["created", "failed", "failed"]);
    assert_eq!(body["results"][1]["problem"]["code"], "number_taken");
    assert_eq!(body["results"][2]["problem"]["errors"][0]["code"], "unknown_category");
    assert_eq!(statuses(&sync_ok(&app, &writer, "endorsements", legacy).await), ["unchanged", "failed", "failed"]);
    assert_eq!(
        app.count("endorsements", "number = 'WA-LEGACY-0042' AND issued_on = '2019-03-01' AND application_id IS NULL")
            .await,
        1
    );

    // Trainings land on the renewal of the year (opened for the person, who is due).
    let training = |hours: f64| {
        json!({"external_id": "t-1", "person_external_id": "h-1", "year": year, "kind": "trainings",
               "item": {"title": "Reflective practice", "provider": "Partner LMS", "date": format!("{year}-03-04"), "hours": hours}})
    };
    let body = sync_ok(
        &app,
        &writer,
        "renewal-entries",
        json!([training(6.0),
        {"external_id": "t-2", "person_external_id": "h-2", "year": year, "kind": "trainings",
         "item": {"title": "X", "provider": "Y", "date": format!("{year}-03-04"), "hours": 1.0}},
        {"external_id": "t-3", "person_external_id": "h-1", "year": year, "kind": "rsc",
         "item": {"title": "X", "provider": "Y", "date": format!("{year}-03-04"), "hours": 1.0}}]),
    )
    .await;
    assert_eq!(statuses(&body), ["created", "failed", "failed"]);
    assert_eq!(body["results"][1]["problem"]["code"], "not_due", "h-2 holds nothing due");
    assert_eq!(body["results"][2]["problem"]["errors"][0]["code"], "kind_mismatch");
    assert_eq!(app.count("renewals", &format!("year = {year} AND state = 'open'")).await, 1);
    assert_eq!(statuses(&sync_ok(&app, &writer, "renewal-entries", json!([training(6.0)])).await), ["unchanged"]);
    assert_eq!(statuses(&sync_ok(&app, &writer, "renewal-entries", json!([training(7.5)])).await), ["updated"]);
    assert_eq!(app.count("renewal_entries", "").await, 1);

    // A synced person signs in (password reset) and removes the synced training: the
    // partner's id goes with it, and syncing it again creates it anew.
    let holder = sign_in_synced(&app, "holder@example.org").await;
    let entries: Value = app
        .get(&format!("/v1/me/renewals/{year}/entries/trainings"))
        .bearer_auth(&holder)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    let entry = entries[0].clone();
    let res = app
        .delete(&format!("/v1/me/renewals/{year}/entries/trainings/{}", entry["id"].as_str().unwrap()))
        .bearer_auth(&holder)
        .header("If-Match", format!("\"{}\"", entry["version"]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(app.count("external_ids", "kind = 'renewal_entry'").await, 0);
    assert_eq!(statuses(&sync_ok(&app, &writer, "renewal-entries", json!([training(7.5)])).await), ["created"]);
    assert_eq!(app.count("renewal_entries", "").await, 1);
}

#[tokio::test]
async fn csv_imports_dry_run_then_apply_all_or_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let import = |kind: &str, mode: &str, body: &str| {
        app.post(&format!("/v1/affiliates/wa/imports/{kind}?mode={mode}"))
            .bearer_auth(&coordinator)
            .header("Content-Type", "text/csv")
            .body(body.to_string())
            .send()
    };
    let bad =
        "external_id,email,given_name,family_name,city\nc-1,c1@example.org,Cee,One,Spokane\nc-2,broken,Cee,Two,\n";
    let res = import("people", "dry_run", bad).await.unwrap();
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["applied"], false);
    assert_eq!(report["rows"], 2);
    assert_eq!(statuses(&report), ["created", "failed"]);
    assert_eq!(report["results"][1]["index"], 2);
    assert_eq!(app.count("people", "given_name = 'Cee'").await, 0, "a dry run writes nothing");

    let res = import("people", "apply", bad).await.unwrap();
    let p = problem(res, 422, "import_rejected").await;
    assert_eq!(p["errors"][0]["field"], "rows[2].email");
    assert_eq!(app.count("people", "given_name = 'Cee'").await, 0, "nothing half-imported");

    let good = "external_id,email,given_name,family_name,city\nc-1,c1@example.org,Cee,One,Spokane\nc-2,c2@example.org,Cee,Two,\n";
    let res = import("people", "apply", good).await.unwrap();
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["applied"], true);
    assert_eq!(app.count("people", "given_name = 'Cee' AND (city = 'Spokane' OR city IS NULL)").await, 2);
    assert_eq!(app.count("external_ids", "external_id IN ('c-1', 'c-2')").await, 2);

    let plans: Value =
        app.get("/v1/affiliates/wa/membership-plans").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    let plan = plans["data"][0]["id"].as_str().or_else(|| plans[0]["id"].as_str()).unwrap().to_string();
    let rows = format!(
        "external_id,person_external_id,plan_id,starts_on,ends_on\nmc-1,c-1,{plan},2026-01-01,2026-12-31\nmc-2,c-2,{plan},2026-01-01,2026-12-31\n"
    );
    let res = import("memberships", "apply", &rows).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(app.count("memberships", "source = 'external'").await, 2);
    let res = import("memberships", "apply", &format!("{rows}mc-3,c-9,{plan},2026-01-01,2026-12-31\n")).await.unwrap();
    let p = problem(res, 422, "import_rejected").await;
    assert_eq!(p["errors"][0]["field"], "rows[3].person_external_id");

    let res = import("people", "apply", "external_id,email,nickname\n").await.unwrap();
    let p = problem(res, 400, "invalid_csv").await;
    assert!(p["detail"].as_str().unwrap().contains("nickname"));
    let res = app
        .post("/v1/affiliates/wa/imports/people")
        .bearer_auth(&coordinator)
        .json(&json!({"external_id": "x"}))
        .send()
        .await
        .unwrap();
    problem(res, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn partners_never_reach_another_affiliates_records() {
    let app = TestApp::spawn().await;
    let wa = app.token("wa", &[Role::Coordinator]).await;
    app.create_affiliate("or").await;
    let or = app.token("or", &[Role::Coordinator]).await;
    let wa_client = app.client_token(&wa, &["sync:read", "sync:write"]).await;
    let read_only = app.client_token(&wa, &["people:read"]).await;
    sync_ok(&app, &wa, "people", json!([person("w-1", "w1@example.org", "Wash")])).await;

    let csv = "external_id,email,given_name,family_name\nz-1,z1@example.org,Zed,One\n";
    let writes = [
        ("sync/people", json!({"items": [person("z-1", "z1@example.org", "Zed")]})),
        ("sync/memberships", json!({"items": []})),
        ("sync/renewal-entries", json!({"items": []})),
        ("sync/endorsements", json!({"items": []})),
    ];
    for (path, body) in &writes {
        // Washington's client on Oregon's records, Oregon's coordinator on Washington's,
        // and a client without the scope: 403; no token: 401.
        let res =
            app.post(&format!("/v1/affiliates/or/{path}")).bearer_auth(&wa_client).json(body).send().await.unwrap();
        problem(res, 403, "forbidden").await;
        let res = app.post(&format!("/v1/affiliates/wa/{path}")).bearer_auth(&or).json(body).send().await.unwrap();
        problem(res, 403, "forbidden").await;
        let res =
            app.post(&format!("/v1/affiliates/wa/{path}")).bearer_auth(&read_only).json(body).send().await.unwrap();
        problem(res, 403, "forbidden").await;
        let res = app.post(&format!("/v1/affiliates/wa/{path}")).json(body).send().await.unwrap();
        problem(res, 401, "unauthenticated").await;
    }
    for path in ["imports/people", "imports/memberships"] {
        let send = |aff: &str, token: &str| {
            app.post(&format!("/v1/affiliates/{aff}/{path}?mode=apply"))
                .bearer_auth(token)
                .header("Content-Type", "text/csv")
                .body(csv)
                .send()
        };
        problem(send("or", &wa_client).await.unwrap(), 403, "forbidden").await;
        problem(send("wa", &or).await.unwrap(), 403, "forbidden").await;
        problem(send("wa", &read_only).await.unwrap(), 403, "forbidden").await;
    }
    assert_eq!(app.count("people", "email = 'z1@example.org'").await, 0);

    // The feed: each affiliate sees its own changes only; cursors do not cross.
    let res = app.get("/v1/affiliates/or/changes").bearer_auth(&wa_client).send().await.unwrap();
    problem(res, 403, "forbidden").await;
    let res = app.get("/v1/affiliates/wa/changes").bearer_auth(&read_only).send().await.unwrap();
    problem(res, 403, "forbidden").await;
    let res = app.get("/v1/affiliates/wa/changes").send().await.unwrap();
    problem(res, 401, "unauthenticated").await;
    let res = app.get("/v1/affiliates/nowhere/changes").bearer_auth(&wa_client).send().await.unwrap();
    problem(res, 404, "not_found").await;
    let res = app
        .post("/v1/affiliates/or/sync/people")
        .bearer_auth(&or)
        .json(&json!({"items": [person("o-1", "o1@example.org", "Ore")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (wa_events, wa_cursor) = drain(&app, &wa_client, None).await;
    assert!(wa_events.iter().all(|e| e["external_id"] != "o-1"));
    assert!(wa_events.iter().any(|e| e["external_id"] == "w-1"));
    let res = app.get(&format!("/v1/affiliates/or/changes?cursor={wa_cursor}")).bearer_auth(&or).send().await.unwrap();
    problem(res, 400, "invalid_query").await;
    let or_feed: Value =
        app.get("/v1/affiliates/or/changes").bearer_auth(&or).send().await.unwrap().json().await.unwrap();
    assert!(or_feed["data"].as_array().unwrap().iter().all(|e| e["external_id"] != "w-1"));
    // Oregon's partner id `w-1` is its own: external ids are unique per affiliate.
    let res = app
        .post("/v1/affiliates/or/sync/people")
        .bearer_auth(&or)
        .json(&json!({"items": [person("w-1", "ow1@example.org", "Own")]}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(statuses(&body), ["created"]);
}

/// A partner polls the feed through two replicas while writers commit concurrently
/// through both: it ends with exactly the database's records, each version once.
#[tokio::test]
async fn a_polling_partner_misses_nothing_while_replicas_write_concurrently() {
    let app = TestApp::spawn().await;
    let second = app.replica(&[]).await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let writers = 6;
    let rounds = if is_postgres() { 12 } else { 6 };
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));

    let poller = {
        let (a, b) = (app.base.clone(), second.base.clone());
        let token = coordinator.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut cursor: Option<String> = None;
            let mut seen: Vec<Value> = Vec::new();
            let mut turn = 0usize;
            loop {
                let finishing = stop.load(std::sync::atomic::Ordering::SeqCst);
                let base = if turn.is_multiple_of(2) { &a } else { &b };
                turn += 1;
                let mut url = format!("{base}/v1/affiliates/wa/changes?limit=50");
                if let Some(c) = &cursor {
                    url.push_str(&format!("&cursor={c}"));
                }
                let page: Value = client.get(url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
                seen.extend(page["data"].as_array().unwrap().iter().cloned());
                cursor = Some(page["next_cursor"].as_str().unwrap().to_string());
                if !page["has_more"].as_bool().unwrap() {
                    if finishing {
                        return seen;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
            }
        })
    };

    let mut tasks = Vec::new();
    for w in 0..writers {
        let base = if w % 2 == 0 { app.base.clone() } else { second.base.clone() };
        let token = coordinator.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for round in 0..rounds {
                // Each round rewrites the writer's records (updates) and adds one.
                let items: Vec<Value> = (0..=round)
                    .map(|i| person(&format!("w{w}-{i}"), &format!("w{w}-{i}@example.org"), &format!("R{round}")))
                    .collect();
                let res = client
                    .post(format!("{base}/v1/affiliates/wa/sync/people"))
                    .bearer_auth(&token)
                    .json(&json!({"items": items}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = poller.await.unwrap();

    // No event twice; per record, versions strictly grow; the last one is the database's.
    let mut ids: Vec<&str> = seen.iter().map(|e| e["event_id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "an event was delivered twice");
    let mut latest: HashMap<String, (i64, String)> = HashMap::new();
    for e in seen.iter().filter(|e| e["kind"] == "person" && !e["external_id"].is_null()) {
        let ext = e["external_id"].as_str().unwrap().to_string();
        let version = e["version"].as_i64().unwrap();
        let name = e["representation"]["given_name"].as_str().unwrap().to_string();
        if let Some((v, _)) = latest.get(&ext) {
            assert!(version > *v, "{ext}: version {version} after {v}");
        }
        latest.insert(ext, (version, name));
    }
    let rows = writers * rounds;
    assert_eq!(latest.len(), rows, "every synced person reached the partner");
    for w in 0..writers {
        for i in 0..rounds {
            let ext = format!("w{w}-{i}");
            let (version, name) = &latest[&ext];
            assert_eq!(*version as usize, rounds - i, "{ext}: the partner holds the last version");
            assert_eq!(name, &format!("R{}", rounds - 1));
            let stored = app
                .count(
                    "people",
                    &format!("email = '{ext}@example.org' AND version = {version} AND given_name = '{name}'"),
                )
                .await;
            assert_eq!(stored, 1, "{ext} as stored");
        }
    }
}

/// The late-commit rule, made deterministic: a transaction that wrote first but commits
/// last still comes after a cursor taken in between (PostgreSQL; SQLite has one writer
/// at a time, so the interleaving cannot happen there).
#[tokio::test]
async fn a_change_committed_late_is_not_skipped_by_a_saved_cursor() {
    use api::{platform::change_log as changes, platform::change_log::Change, platform::change_log::Operation};
    use sea_orm::TransactionTrait;
    if !is_postgres() {
        return;
    }
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let wa = app.get("/v1/affiliates/wa").send().await.unwrap().json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .parse::<uuid::Uuid>()
        .unwrap();
    let (_, start) = drain(&app, &coordinator, None).await;
    // Tombstones, which need no representation (the feed checks each event's schema).
    let change = |label: &str| Change {
        affiliate_id: wa,
        kind: entity::sets::RecordKind::Person,
        record_id: uuid::Uuid::now_v7(),
        external_id: Some(label.to_string()),
        version: 1,
        operation: Operation::Delete,
        representation: None,
    };
    let early = app.state.db.begin().await.unwrap();
    changes::append(&early, change("early")).await.unwrap();
    let late = app.state.db.begin().await.unwrap();
    changes::append(&late, change("late")).await.unwrap();
    late.commit().await.unwrap();

    let (seen, cursor) = drain(&app, &coordinator, Some(start)).await;
    assert_eq!(seen.iter().map(|e| e["external_id"].as_str().unwrap()).collect::<Vec<_>>(), ["late"]);
    early.commit().await.unwrap();
    let (seen, _) = drain(&app, &coordinator, Some(cursor)).await;
    assert_eq!(seen.iter().map(|e| e["external_id"].as_str().unwrap()).collect::<Vec<_>>(), ["early"]);
}

/// A renewal's entry lists are read whole and paged in memory, so a renewal holds at most
/// 2000 entries, whether they come by sync or from the endorsee.
#[tokio::test]
async fn a_renewal_holds_at_most_2000_entries() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let writer = app.client_token(&coordinator, &["sync:write"]).await;
    let year = today().year();
    sync_ok(&app, &writer, "people", json!([person("h-1", "holder@example.org", "Holder")])).await;
    let legacy = json!([{"external_id": "e-1", "person_external_id": "h-1", "category": "IFS", "number": "WA-LEGACY-0001",
                         "issued_on": "2019-03-01", "expires_on": format!("{year}-12-31"), "status": "active"}]);
    assert_eq!(statuses(&sync_ok(&app, &writer, "endorsements", legacy).await), ["created"]);
    let training = |n: usize| {
        json!({"external_id": format!("t-{n}"), "person_external_id": "h-1", "year": year, "kind": "trainings",
               "item": {"title": format!("Session {n}"), "provider": "Partner LMS", "date": format!("{year}-03-04"), "hours": 1.0}})
    };
    for batch in 0..2 {
        let items: Vec<Value> = (batch * 1000..(batch + 1) * 1000).map(training).collect();
        let body = sync_ok(&app, &writer, "renewal-entries", json!(items)).await;
        assert_eq!(body["counts"]["created"], 1000, "{}", body["counts"]);
    }
    let body = sync_ok(&app, &writer, "renewal-entries", json!([training(2000)])).await;
    assert_eq!(statuses(&body), ["failed"]);
    assert_eq!(body["results"][0]["problem"]["code"], "renewal_full");
    assert_eq!(app.count("renewal_entries", "").await, 2000);

    // The endorsee is refused too, and the whole list is one answer within its bound.
    let holder = sign_in_synced(&app, "holder@example.org").await;
    let res = app
        .post(&format!("/v1/me/renewals/{year}/entries/rsc"))
        .bearer_auth(&holder)
        .json(&json!({"provider_name": "A consultant", "start_date": format!("{year}-01-01"), "end_date": format!("{year}-02-01"), "hours": 2.0, "format": "individual"}))
        .send()
        .await
        .unwrap();
    problem(res, 409, "renewal_full").await;
    // The list pages through all of them: 200 at a time, each entry once.
    let (mut seen, mut cursor) = (std::collections::HashSet::new(), String::new());
    loop {
        let page: Value = app
            .get(&format!("/v1/me/renewals/{year}/entries/trainings?limit=200&cursor={cursor}"))
            .bearer_auth(&holder)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for e in page["data"].as_array().unwrap() {
            assert!(seen.insert(e["id"].as_str().unwrap().to_string()), "an entry came twice");
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 2000);
}
