//! Affiliates: public reads, admin creation, scoped updates with If-Match, and the
//! audit and change logs written with each change.
use api::domain::roles::Role;
use endorse_tests::{TestApp, problem};
use serde_json::{Value, json};

#[tokio::test]
async fn washington_is_seeded_and_public() {
    let app = TestApp::spawn().await;
    let res = app.get("/v1/affiliates/wa").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let wa: Value = res.json().await.unwrap();
    assert_eq!(wa["code"], "wa");
    assert_eq!(wa["time_zone"], "America/Los_Angeles");
    assert_eq!(wa["currency"], "USD");
    assert_eq!(wa["contact_email"], "endorsement@wa-aimh.org");
    let by_id = app.get(&format!("/v1/affiliates/{}", wa["id"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(by_id.json::<Value>().await.unwrap()["code"], "wa");
    let res = app.get("/v1/affiliates/wa").header("if-none-match", "\"1\"").send().await.unwrap();
    assert_eq!(res.status(), 304);
}

#[tokio::test]
async fn admins_create_affiliates_and_codes_are_unique() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let body = json!({"code": "mi", "name": "Michigan AIMH", "time_zone": "America/Detroit", "currency": "USD", "website_url": "https://mi-aimh.org"});
    let res = app.post("/v1/affiliates").bearer_auth(&admin).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["location"], "/v1/affiliates/mi");
    assert_eq!(res.headers()["etag"], "\"1\"");
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["name"], "Michigan AIMH");
    assert_eq!(created["version"], 1);
    let fetched: Value = app.get("/v1/affiliates/mi").send().await.unwrap().json().await.unwrap();
    assert_eq!(fetched, created);

    let res = app.post("/v1/affiliates").bearer_auth(&admin).json(&body).send().await.unwrap();
    problem(res, 409, "affiliate_code_taken").await;
    assert_eq!(app.count("affiliates", "code = 'mi'").await, 1);
}

#[tokio::test]
async fn only_admins_create_affiliates() {
    let app = TestApp::spawn().await;
    let body = json!({"code": "mi", "name": "Michigan", "time_zone": "America/Detroit", "currency": "USD"});
    let res = app.post("/v1/affiliates").json(&body).send().await.unwrap();
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    problem(res, 401, "unauthenticated").await;
    for roles in [vec![Role::Coordinator], vec![Role::Reviewer], vec![]] {
        let token = app.token("wa", &roles).await;
        let res = app.post("/v1/affiliates").bearer_auth(&token).json(&body).send().await.unwrap();
        problem(res, 403, "forbidden").await;
    }
    assert_eq!(app.count("affiliates", "").await, 1);
}

#[tokio::test]
async fn pages_walk_every_affiliate_once_in_code_order() {
    let app = TestApp::spawn().await;
    for code in ["ak", "mi", "wi", "ny", "co"] {
        app.create_affiliate(code).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/affiliates?limit=2&cursor={c}"),
            None => "/v1/affiliates?limit=2".to_string(),
        };
        let page: Value = app.get(&path).send().await.unwrap().json().await.unwrap();
        pages += 1;
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 2);
        seen.extend(data.iter().map(|a| a["code"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, vec!["ak", "co", "mi", "ny", "wa", "wi"]);
}

#[tokio::test]
async fn updates_need_if_match_and_bump_the_version() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let patch = json!({"name": "Center for Early Relational Health", "website_url": null});

    let res = app.patch("/v1/affiliates/wa").bearer_auth(&coordinator).json(&patch).send().await.unwrap();
    problem(res, 428, "precondition_required").await;
    let res = app
        .patch("/v1/affiliates/wa")
        .bearer_auth(&coordinator)
        .header("if-match", "\"7\"")
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["etag"].to_str().unwrap(), "\"1\"", "the 412 names the current version");
    problem(res, 412, "precondition_failed").await;
    let res = app
        .patch("/v1/affiliates/wa")
        .bearer_auth(&coordinator)
        .header("if-match", "W/\"1\"")
        .json(&patch)
        .send()
        .await
        .unwrap();
    problem(res, 412, "precondition_failed").await;

    let res = app
        .patch("/v1/affiliates/wa")
        .bearer_auth(&coordinator)
        .header("if-match", "\"1\"")
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["name"], "Center for Early Relational Health");
    assert_eq!(body["website_url"], Value::Null);
    assert_eq!(body["contact_email"], "endorsement@wa-aimh.org", "absent fields are kept");
    assert_eq!(body["version"], 2);
    let stored: Value = app.get("/v1/affiliates/wa").send().await.unwrap().json().await.unwrap();
    assert_eq!(stored, body);

    let res = app
        .patch("/v1/affiliates/wa")
        .bearer_auth(&coordinator)
        .header("if-match", "\"1\"")
        .json(&patch)
        .send()
        .await
        .unwrap();
    problem(res, 412, "precondition_failed").await;

    let res = app
        .patch("/v1/affiliates/wa")
        .bearer_auth(&coordinator)
        .header("if-match", "\"2\"")
        .json(&json!({"time_zone": "Pacific/Nowhere"}))
        .send()
        .await
        .unwrap();
    let body = problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "time_zone");
    let res = app
        .patch("/v1/affiliates/wa")
        .bearer_auth(&coordinator)
        .header("if-match", "\"2\"")
        .json(&json!({"code": "xx"}))
        .send()
        .await
        .unwrap();
    let body = problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["code"], "unknown_field", "the code cannot be changed");
}

#[tokio::test]
async fn coordinators_change_only_their_own_affiliate() {
    let app = TestApp::spawn().await;
    app.create_affiliate("mi").await;
    let michigan = app.token("mi", &[Role::Coordinator]).await;
    let reviewer = app.token("wa", &[Role::Reviewer]).await;
    let applicant = app.token("wa", &[]).await;
    for token in [&michigan, &reviewer, &applicant] {
        let res = app
            .patch("/v1/affiliates/wa")
            .bearer_auth(token)
            .header("if-match", "\"1\"")
            .json(&json!({"name": "Hijacked"}))
            .send()
            .await
            .unwrap();
        problem(res, 403, "forbidden").await;
    }
    let res = app
        .patch("/v1/affiliates/wa")
        .json(&json!({"name": "Hijacked"}))
        .header("if-match", "\"1\"")
        .send()
        .await
        .unwrap();
    problem(res, 401, "unauthenticated").await;
    let wa: Value = app.get("/v1/affiliates/wa").send().await.unwrap().json().await.unwrap();
    assert_eq!(wa["name"], "Washington Association for Infant Mental Health");
    assert_eq!(wa["version"], 1);

    let admin = app.admin_token().await;
    let res = app
        .patch("/v1/affiliates/mi")
        .bearer_auth(&admin)
        .header("if-match", "*")
        .json(&json!({"name": "Michigan"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "admins manage every affiliate");
}

#[tokio::test]
async fn every_change_is_audited_and_logged_in_its_transaction() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mi = app.create_affiliate("mi").await;
    let id = mi["id"].as_str().unwrap();
    let res = app
        .patch("/v1/affiliates/mi")
        .bearer_auth(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Michigan"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .patch("/v1/affiliates/mi")
        .bearer_auth(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Stale"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 412);

    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let audit = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::ResourceKind.eq("affiliate"))
        .filter(entity::audit_event::Column::ResourceId.eq(id))
        .order_by_asc(entity::audit_event::Column::OccurredAt)
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
        vec!["affiliate.created", "affiliate.updated"]
    );
    let update = &audit[1];
    assert_eq!(update.actor_kind.as_str(), "person");
    assert!(update.actor_id.is_some());
    assert!(update.request_id.is_some());
    assert_eq!(update.before.as_ref().unwrap()["name"], "Association mi");
    assert_eq!(update.after.as_ref().unwrap()["name"], "Michigan");

    let changes = entity::change_log::Entity::find()
        .filter(entity::change_log::Column::Kind.eq("affiliate"))
        .filter(entity::change_log::Column::RecordId.eq(uuid::Uuid::parse_str(id).unwrap()))
        .order_by_asc(entity::change_log::Column::Seq)
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(changes.iter().map(|c| c.version).collect::<Vec<_>>(), vec![1, 2]);
    assert!(changes.iter().all(|c| c.operation.as_str() == "upsert"));
    assert_eq!(changes[1].representation.as_ref().unwrap()["name"], "Michigan");
}
