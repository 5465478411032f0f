//! Dashboard reports: each count checked against a known population, and scoped to
//! coordinators of the affiliate and `reports:read` clients.
use api::domain::roles::Role;
use chrono::Datelike;
use endorse_tests::{TestApp, problem};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use super::renewals::{d, endorse, member, submitted_renewal, today};

#[tokio::test]
async fn reports_count_the_affiliates_records() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let year = today().year();
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

    // Four people due this year: one submitted, one approved, one not started (two
    // endorsements, one person), one lapsed.
    submitted_renewal(&app, "submitted@example.org", &coordinator, year).await;
    let (approved, invoice) = submitted_renewal(&app, "approved@example.org", &coordinator, year).await;
    app.pay(&coordinator, &invoice, 5000).await;
    let res = app.post(&format!("/v1/renewals/{approved}/approval")).bearer_auth(&coordinator).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let (idle, _) = member(&app, "idle@example.org", &coordinator).await;
    endorse(&app, &idle, "IFS", d(year - 1, 3, 1), d(year, 12, 31)).await;
    endorse(&app, &idle, "IMHS", d(year - 1, 3, 1), d(year, 12, 31)).await;
    let (gone, _) = app.applicant("gone@example.org").await;
    let number = endorse(&app, &gone, "IFA", d(year - 1, 3, 1), d(year, 12, 31)).await;
    entity::endorsement::Entity::update_many()
        .col_expr(entity::endorsement::Column::Status, Expr::value("lapsed"))
        .filter(entity::endorsement::Column::Number.eq(number))
        .exec(&app.state.db)
        .await
        .unwrap();
    // Not due this year: no effect on the renewal report.
    let (later, draft_token) = app.applicant("later@example.org").await;
    endorse(&app, &later, "IFA", d(year, 2, 1), d(year + 1, 12, 31)).await;
    let res =
        app.post("/v1/applications").bearer_auth(&draft_token).json(&json!({"category": "ifs"})).send().await.unwrap();
    assert_eq!(res.status(), 201);

    let get = |path: &str| app.get(&format!("/v1/affiliates/wa/reports/{path}")).bearer_auth(&coordinator).send();
    let export = |path: &str| app.get(&format!("/v1/affiliates/wa/exports/{path}")).bearer_auth(&coordinator).send();
    let renewals: Value = get(&format!("renewals?year={year}")).await.unwrap().json().await.unwrap();
    assert_eq!(
        [
            &renewals["total"],
            &renewals["approved"],
            &renewals["submitted"],
            &renewals["not_started"],
            &renewals["lapsed"],
            &renewals["open"]
        ],
        [&json!(4), &json!(1), &json!(1), &json!(1), &json!(1), &json!(0)],
        "{renewals}"
    );
    assert_eq!(renewals["completion"], 0.25);
    let empty: Value = get(&format!("renewals?year={}", year - 5)).await.unwrap().json().await.unwrap();
    assert_eq!((empty["total"].as_i64(), empty["completion"].as_f64()), (Some(0), Some(0.0)));
    problem(get("renewals").await.unwrap(), 400, "invalid_query").await;

    let endorsements: Value = get("endorsements").await.unwrap().json().await.unwrap();
    let rows: Vec<(String, String, i64)> = endorsements["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["category"].as_str().unwrap().into(), r["status"].as_str().unwrap().into(), r["count"].as_i64().unwrap())
        })
        .collect();
    let expected = [("IFA", "active", 3), ("IFA", "lapsed", 1), ("IFS", "active", 1), ("IMHS", "active", 1)];
    assert_eq!(rows, expected.map(|(c, s, n)| (c.to_string(), s.to_string(), n)).to_vec());

    // The CSV exports: the roster (with a formula-looking name neutralised) and the year's status.
    entity::person::Entity::update_many()
        .col_expr(entity::person::Column::GivenName, Expr::value("=HYPERLINK(\"x\")"))
        .filter(entity::person::Column::Email.eq("idle@example.org"))
        .exec(&app.state.db)
        .await
        .unwrap();
    let res = export("endorsees.csv").await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("endorsees.csv"));
    let mut roster = csv::Reader::from_reader(res.bytes().await.unwrap().as_ref().to_vec().as_slice())
        .records()
        .map(|r| r.unwrap())
        .collect::<Vec<_>>();
    assert_eq!(roster.len(), 6);
    roster.retain(|r| &r[1] == "IMHS");
    assert_eq!((&roster[0][2], &roster[0][5], &roster[0][7]), ("active", "'=HYPERLINK(\"x\")", "idle@example.org"));
    let res = export(&format!("renewals.csv?year={year}")).await.unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    let mut statuses: Vec<(String, String)> = csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[2].to_string(), r[3].to_string()))
        .collect();
    statuses.sort();
    let expected = [
        ("approved@example.org", "approved"),
        ("gone@example.org", "lapsed"),
        ("idle@example.org", "due"),
        ("submitted@example.org", "submitted"),
    ];
    assert_eq!(statuses, expected.map(|(e, s)| (e.to_string(), s.to_string())).to_vec(), "{body}");

    let applications: Value = get("applications").await.unwrap().json().await.unwrap();
    assert_eq!(
        applications["rows"],
        json!([{"deadline_id": null, "title": null, "date": null, "status": "draft", "count": 1}])
    );

    let res = app
        .post("/v1/affiliates/wa/scholarship-funds")
        .bearer_auth(&coordinator)
        .json(&json!({"name": "Access fund", "budget": {"amount_cents": 10000, "currency": "USD"}, "starts_on": "2000-01-01", "ends_on": "2099-12-31", "covers": ["rsc"]}))
        .send()
        .await
        .unwrap();
    let fund = res.json::<Value>().await.unwrap()["id"].clone();
    let request = json!({"fund_id": fund, "amount": {"amount_cents": 3000, "currency": "USD"}, "purpose": "rsc", "statement": "Supervision"});
    let mut ids = Vec::new();
    for t in [&draft_token, &app.login("gone@example.org").await["access_token"].as_str().unwrap().to_string()] {
        let r: Value = app
            .post("/v1/scholarship-requests")
            .bearer_auth(t)
            .json(&request)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(r["id"].as_str().unwrap().to_string());
    }
    let res = app
        .post(&format!("/v1/scholarship-requests/{}/decision", ids[0]))
        .bearer_auth(&coordinator)
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let scholarships: Value = get("scholarships").await.unwrap().json().await.unwrap();
    let f = &scholarships["funds"][0];
    assert_eq!(
        (f["awarded"]["amount_cents"].as_i64(), f["remaining"]["amount_cents"].as_i64()),
        (Some(3000), Some(7000))
    );
    assert_eq!((f["pending_requests"].as_i64(), f["approved_requests"].as_i64()), (Some(1), Some(1)));
}

#[tokio::test]
async fn reports_are_for_the_affiliates_staff_and_reports_clients_only() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    app.create_affiliate("or").await;
    let outsider = app.token("or", &[Role::Coordinator]).await;
    let (_, endorsee) = app.applicant("curious@example.org").await;
    let reader = app.client_token(&coordinator, &["reports:read"]).await;
    let other = app.client_token(&coordinator, &["people:read"]).await;
    for path in ["endorsements", "applications", "renewals?year=2026", "scholarships"] {
        let url = format!("/v1/affiliates/wa/reports/{path}");
        problem(app.get(&url).send().await.unwrap(), 401, "unauthenticated").await;
        for token in [&endorsee, &outsider, &other] {
            problem(app.get(&url).bearer_auth(token).send().await.unwrap(), 403, "forbidden").await;
        }
        for token in [&coordinator, &reader] {
            assert_eq!(app.get(&url).bearer_auth(token).send().await.unwrap().status(), 200, "{path}");
        }
        let elsewhere = format!("/v1/affiliates/or/reports/{path}");
        problem(app.get(&elsewhere).bearer_auth(&reader).send().await.unwrap(), 403, "forbidden").await;
        let nowhere = format!("/v1/affiliates/zz/reports/{path}");
        problem(app.get(&nowhere).bearer_auth(&coordinator).send().await.unwrap(), 404, "not_found").await;
    }
    // The roster has people's emails: `people:read`, not `reports:read`.
    let roster = "/v1/affiliates/wa/exports/endorsees.csv";
    problem(app.get(roster).send().await.unwrap(), 401, "unauthenticated").await;
    for token in [&endorsee, &outsider, &reader] {
        problem(app.get(roster).bearer_auth(token).send().await.unwrap(), 403, "forbidden").await;
    }
    for token in [&coordinator, &other] {
        assert_eq!(app.get(roster).bearer_auth(token).send().await.unwrap().status(), 200);
    }
    let statuses = "/v1/affiliates/wa/exports/renewals.csv?year=2026";
    for token in [&endorsee, &outsider, &reader] {
        problem(app.get(statuses).bearer_auth(token).send().await.unwrap(), 403, "forbidden").await;
    }
    assert_eq!(app.get(statuses).bearer_auth(&coordinator).send().await.unwrap().status(), 200);
    let theirs = "/v1/affiliates/or/exports/renewals.csv?year=2026";
    problem(app.get(theirs).bearer_auth(&coordinator).send().await.unwrap(), 403, "forbidden").await;
}
