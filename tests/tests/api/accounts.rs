//! One's own account, and staff managing people: profile with If-Match, password change
//! and reset, email change, search, roles, disabling. Everything scoped and audited.
use api::domain::roles::Role;
use endorse_tests::{PASSWORD, TestApp, code_in, problem};
use serde_json::{Value, json};

#[tokio::test]
async fn profile_updates_need_if_match_and_refuse_protected_fields() {
    let app = TestApp::spawn().await;
    let (_, token) = app.applicant("p@example.org").await;
    let res = app.get("/v1/me").bearer_auth(&token).send().await.unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let patch = json!({"given_name": "Ana María", "preferred_language": "es", "phone": null, "address": {"city": "Tacoma", "country": "US"}});
    let res = app.patch("/v1/me").bearer_auth(&token).json(&patch).send().await.unwrap();
    problem(res, 428, "precondition_required").await;
    let res = app.patch("/v1/me").bearer_auth(&token).header("if-match", &etag).json(&patch).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let new_etag = res.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(new_etag, etag);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["given_name"], "Ana María");
    assert_eq!(me["preferred_language"], "es");
    assert_eq!(me["phone"], Value::Null);
    assert_eq!(
        me["address"],
        json!({"line1": null, "line2": null, "city": "Tacoma", "region": null, "postal_code": null, "country": "US"})
    );
    let res = app.patch("/v1/me").bearer_auth(&token).header("if-match", &etag).json(&patch).send().await.unwrap();
    // A stale If-Match answers 412 with the version to retry against.
    assert_eq!(res.headers()["etag"].to_str().unwrap(), new_etag);
    problem(res, 412, "precondition_failed").await;
    for field in ["email", "status", "roles", "affiliate_id", "version", "password_hash"] {
        let res = app
            .patch("/v1/me")
            .bearer_auth(&token)
            .header("if-match", &new_etag)
            .json(&json!({field: "x"}))
            .send()
            .await
            .unwrap();
        let body = problem(res, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["code"], "unknown_field", "{field}");
    }
    let res = app
        .patch("/v1/me")
        .bearer_auth(&token)
        .header("if-match", &new_etag)
        .json(&json!({"address": {"country": "usa"}, "preferred_language": "fr"}))
        .send()
        .await
        .unwrap();
    problem(res, 422, "validation_failed").await;
    assert_eq!(app.count("audit_events", "action = 'person.profile_updated'").await, 1);
}

#[tokio::test]
async fn password_change_and_reset() {
    let app = TestApp::spawn().await;
    let (_, token) = app.applicant("pw@example.org").await;
    let refresh = app.login("pw@example.org").await["refresh_token"].as_str().unwrap().to_string();
    let res = app
        .post("/v1/me/password")
        .bearer_auth(&token)
        .json(&json!({"current_password": "not it at all", "new_password": "another long passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], "current_password");
    let res = app
        .post("/v1/me/password")
        .bearer_auth(&token)
        .json(&json!({"current_password": PASSWORD, "new_password": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["field"], "new_password");
    let res = app
        .post("/v1/me/password")
        .bearer_auth(&token)
        .json(&json!({"current_password": PASSWORD, "new_password": "another long passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    problem(app.login_with("pw@example.org", PASSWORD).await, 400, "invalid_grant").await;
    assert_eq!(app.login_with("pw@example.org", "another long passphrase").await.status(), 200);
    let res = app
        .post("/v1/auth/token")
        .json(&json!({"grant_type": "refresh_token", "refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    problem(res, 400, "invalid_grant").await;

    // Reset by email.
    let res = app.post("/v1/auth/password-reset").json(&json!({"email": "PW@example.org"})).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let res = app.post("/v1/auth/password-reset").json(&json!({"email": "ghost@example.org"})).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let email = app.wait_for_email("pw@example.org", "reset your password").await;
    // Both requests were jobs of the outbox, each carried out once; the unknown address gets nothing.
    app.wait_for_jobs("password_reset", 2).await;
    assert_eq!(app.count("outbox_messages", "kind = 'password_reset'").await, 2);
    assert!(app.emails_to("ghost@").await.is_empty());
    let code = code_in(&email.text);
    let res = app
        .post("/v1/auth/password-reset/confirm")
        .json(&json!({"token": code, "password": "reset long passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = app
        .post("/v1/auth/password-reset/confirm")
        .json(&json!({"token": code, "password": "reset long passphrase"}))
        .send()
        .await
        .unwrap();
    problem(res, 400, "invalid_token").await;
    assert_eq!(app.login_with("pw@example.org", "reset long passphrase").await.status(), 200);
    assert_eq!(app.count("audit_events", "action = 'person.password_reset'").await, 1);
}

#[tokio::test]
async fn email_change_is_confirmed_from_the_new_address() {
    let app = TestApp::spawn().await;
    let (_, token) = app.applicant("old@example.org").await;
    app.applicant("taken@example.org").await;
    let res = app
        .post("/v1/me/email-change")
        .bearer_auth(&token)
        .json(&json!({"new_email": "TAKEN@example.org", "current_password": PASSWORD}))
        .send()
        .await
        .unwrap();
    // The same answer as for a free address: only the address itself learns it has an account.
    assert_eq!(res.status(), 202);
    let told = app.emails_to("TAKEN@example.org").await;
    assert!(told.iter().any(|e| e.subject.contains("already has an account")), "{told:?}");
    assert_eq!(app.count("login_tokens", "purpose = 'email_change'").await, 0, "no change was started");
    let res = app
        .post("/v1/me/email-change")
        .bearer_auth(&token)
        .json(&json!({"new_email": "new@example.org", "current_password": "wrong password!"}))
        .send()
        .await
        .unwrap();
    problem(res, 422, "validation_failed").await;
    let res = app
        .post("/v1/me/email-change")
        .bearer_auth(&token)
        .json(&json!({"new_email": "new@example.org", "current_password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let code = code_in(&app.emails_to("new@example.org").await[0].text);
    assert_eq!(app.login_with("old@example.org", PASSWORD).await.status(), 200, "unchanged until confirmed");
    let res = app.post("/v1/auth/email-change/confirm").json(&json!({"token": code})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["email"], "new@example.org");
    assert_eq!(app.login_with("new@example.org", PASSWORD).await.status(), 200);
    problem(app.login_with("old@example.org", PASSWORD).await, 400, "invalid_grant").await;
    assert!(app.emails_to("old@example.org").await.iter().any(|e| e.subject.contains("changed")));
}

#[tokio::test]
async fn coordinators_search_read_and_manage_their_people_only() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let (ana_id, ana) = app.applicant("ana.search@example.org").await;
    app.register("pending.person@example.org").await;

    let found: Value =
        app.get("/v1/people?q=SEARCH").bearer_auth(&coordinator).send().await.unwrap().json().await.unwrap();
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(found["data"][0]["id"], ana_id);
    let pending: Value =
        app.get("/v1/people?status=pending").bearer_auth(&coordinator).send().await.unwrap().json().await.unwrap();
    assert_eq!(pending["data"][0]["email"], "pending.person@example.org");
    let by_name: Value = app
        .get("/v1/people?q=l%C3%B3pez&limit=200")
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(by_name["data"].as_array().unwrap().len() >= 2);
    let none: Value = app.get("/v1/people?q=%25").bearer_auth(&coordinator).send().await.unwrap().json().await.unwrap();
    assert_eq!(none["data"].as_array().unwrap().len(), 0, "wildcards are literal");
    problem(app.get("/v1/people").bearer_auth(&ana).send().await.unwrap(), 403, "forbidden").await;
    problem(app.get("/v1/people?status=asleep").bearer_auth(&coordinator).send().await.unwrap(), 400, "invalid_query")
        .await;

    // Another affiliate's coordinator sees nothing of Washington's people.
    app.create_affiliate("mi").await;
    let michigan = app.token("mi", &[Role::Coordinator]).await;
    problem(app.get(&format!("/v1/people/{ana_id}")).bearer_auth(&michigan).send().await.unwrap(), 404, "not_found")
        .await;
    let theirs: Value = app.get("/v1/people?q=ana").bearer_auth(&michigan).send().await.unwrap().json().await.unwrap();
    assert_eq!(theirs["data"].as_array().unwrap().len(), 0);
    let res = app
        .post(&format!("/v1/people/{ana_id}/roles"))
        .bearer_auth(&michigan)
        .json(&json!({"role": "reviewer"}))
        .send()
        .await
        .unwrap();
    problem(res, 404, "not_found").await;

    // A person sees themself, not others.
    let (ben_id, ben) = app.applicant("ben.search@example.org").await;
    assert_eq!(app.get(&format!("/v1/people/{ben_id}")).bearer_auth(&ben).send().await.unwrap().status(), 200);
    problem(app.get(&format!("/v1/people/{ana_id}")).bearer_auth(&ben).send().await.unwrap(), 404, "not_found").await;

    // Roles: granted, seen at the next sign-in, revoked with If-Match.
    let res = app
        .post(&format!("/v1/people/{ana_id}/roles"))
        .bearer_auth(&coordinator)
        .json(&json!({"role": "reviewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(res.json::<Value>().await.unwrap()["roles"], json!(["applicant", "reviewer"]));
    let fresh = app.login("ana.search@example.org").await["access_token"].as_str().unwrap().to_string();
    let me: Value = app.get("/v1/me").bearer_auth(&fresh).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["roles"], json!(["applicant", "reviewer"]));
    let res = app
        .post(&format!("/v1/people/{ana_id}/roles"))
        .bearer_auth(&coordinator)
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "role_above_own").await;
    let res = app
        .post(&format!("/v1/people/{ana_id}/roles"))
        .bearer_auth(&ana)
        .json(&json!({"role": "coordinator"}))
        .send()
        .await
        .unwrap();
    problem(res, 404, "not_found").await;
    let res = app
        .client
        .delete(app.url(&format!("/v1/people/{ana_id}/roles/reviewer")))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap();
    problem(res, 428, "precondition_required").await;
    let res = app
        .client
        .delete(app.url(&format!("/v1/people/{ana_id}/roles/reviewer")))
        .bearer_auth(&coordinator)
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["roles"], json!(["applicant"]));
    let res = app
        .client
        .delete(app.url(&format!("/v1/people/{ana_id}/roles/wizard")))
        .bearer_auth(&coordinator)
        .header("if-match", "*")
        .send()
        .await
        .unwrap();
    problem(res, 400, "invalid_path_parameter").await;
    assert_eq!(app.count("audit_events", "action IN ('person.role_granted', 'person.role_revoked')").await, 2);
}

#[tokio::test]
async fn disabled_accounts_are_signed_out_and_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let (id, _) = app.applicant("off@example.org").await;
    let refresh = app.login("off@example.org").await["refresh_token"].as_str().unwrap().to_string();
    let res = app
        .patch(&format!("/v1/people/{id}"))
        .bearer_auth(&coordinator)
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .unwrap();
    problem(res, 428, "precondition_required").await;
    let current = app.get(&format!("/v1/people/{id}")).bearer_auth(&coordinator).send().await.unwrap();
    let etag = current.headers()["etag"].to_str().unwrap().to_string();
    let res = app
        .patch(&format!("/v1/people/{id}"))
        .bearer_auth(&coordinator)
        .header("if-match", &etag)
        .json(&json!({"status": "disabled", "roles": ["admin"]}))
        .send()
        .await
        .unwrap();
    problem(res, 422, "validation_failed").await;
    let res = app
        .patch(&format!("/v1/people/{id}"))
        .bearer_auth(&coordinator)
        .header("if-match", &etag)
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "disabled");
    problem(app.login_with("off@example.org", PASSWORD).await, 400, "invalid_grant").await;
    let res = app
        .post("/v1/auth/token")
        .json(&json!({"grant_type": "refresh_token", "refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    problem(res, 400, "invalid_grant").await;
    assert_eq!(app.count("audit_events", "action = 'person.disabled'").await, 1);
}
