//! An affiliate words its own emails: coordinators replace, preview and reset templates,
//! a broken one is refused naming its line, and a Spanish-speaking registrant gets the
//! affiliate's Spanish wording with a link into the front end.
use api::domain::roles::Role;
use endorse_tests::{TestApp, code_in, problem, registration_body};
use serde_json::{Value, json};

const LOGIN_ES: &str = "/v1/affiliates/wa/mail-templates/temporary_login/es";

#[tokio::test]
async fn coordinators_word_the_emails_and_spanish_readers_get_them() {
    let app = TestApp::spawn_with(&[("FRONTEND_BASE_URL", "https://portal.wa-aimh.org/app")]).await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;

    // The built-in wording, version 0, with what it may use.
    let res = app.get(LOGIN_ES).bearer_auth(&coordinator).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"0\"");
    let builtin: Value = res.json().await.unwrap();
    assert_eq!(builtin["customized"], false);
    assert!(builtin["subject"].as_str().unwrap().contains("acceso temporal"));
    assert!(builtin["variables"].as_array().unwrap().contains(&json!("code")));

    // A template that names a field its message lacks is refused, naming part and line.
    let broken = json!({"subject": "{{ affiliate }}", "text": "Hola {{ name }}:\n\n{{ enlace }}\n"});
    let body = problem(
        app.put(LOGIN_ES).bearer_auth(&coordinator).header("If-Match", "\"0\"").json(&broken).send().await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "text");
    assert_eq!(body["errors"][0]["code"], "invalid_template");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("line 3"), "{body}");

    // A preview renders a draft with the sample and stores nothing.
    let draft = json!({"subject": "{{ affiliate }}: bienvenida, {{ name }}"});
    let preview = app.post(&format!("{LOGIN_ES}/preview")).bearer_auth(&coordinator).json(&draft).send().await.unwrap();
    assert_eq!(preview.status(), 200);
    let preview: Value = preview.json().await.unwrap();
    assert!(preview["subject"].as_str().unwrap().ends_with("bienvenida, Ana López"), "{preview}");
    assert!(preview["html"].as_str().unwrap().starts_with("<!DOCTYPE html>"));

    // Replacing needs the current ETag.
    let own = json!({
        "subject": "{{ affiliate }}: su acceso a la asociación",
        "text": "Hola {{ name }}:\n\nCree su contraseña aquí: {{ link }}\n\nCódigo: {{ code }}\n",
        "html": "<p>Hola {{ name }}: <a href=\"{{ link }}\">crear contraseña</a></p>"
    });
    problem(app.put(LOGIN_ES).bearer_auth(&coordinator).json(&own).send().await.unwrap(), 428, "precondition_required")
        .await;
    let res = app.put(LOGIN_ES).bearer_auth(&coordinator).header("If-Match", "\"0\"").json(&own).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"1\"");
    assert_eq!(app.count("mail_templates", "customized").await, 1);

    // Another affiliate's coordinator cannot read or change it.
    app.create_affiliate("mi").await;
    let other = app.token("mi", &[Role::Coordinator]).await;
    problem(app.get(LOGIN_ES).bearer_auth(&other).send().await.unwrap(), 403, "forbidden").await;

    // A Spanish-speaking registrant gets the affiliate's wording, with a link to the front end.
    let mut body = registration_body("lucia@example.org");
    body["preferred_language"] = json!("es");
    let res = app.post("/v1/affiliates/wa/registrations").json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let reg: Value = res.json().await.unwrap();
    let received = app.emails_to("lucia@").await;
    assert!(received[0].subject.contains("recibimos su inscripción"), "{}", received[0].subject);
    assert!(received[0].text.contains("25,00 US$"), "{}", received[0].text);
    app.pay(&coordinator, reg["invoice"]["id"].as_str().unwrap(), 2500).await;
    let login = app.logins_to("lucia@").await;
    assert_eq!(login.len(), 1);
    assert!(login[0].subject.ends_with("su acceso a la asociación"), "{}", login[0].subject);
    let code = code_in(&login[0].text);
    let link = format!("https://portal.wa-aimh.org/app/activate?token={code}");
    assert!(login[0].text.contains(&link), "{}", login[0].text);
    // The affiliate's own HTML, with the values escaped as HTML (`/` as `&#x2f;`).
    let html = login[0].html.as_deref().unwrap();
    assert!(html.starts_with("<p>Hola Ana López: <a href=\"https:"), "{html}");
    assert!(html.contains(&code) && html.ends_with("\">crear contraseña</a></p>"), "{html}");

    // Reset: the built-in wording again; the version keeps counting.
    problem(
        app.delete(LOGIN_ES).bearer_auth(&coordinator).header("If-Match", "\"0\"").send().await.unwrap(),
        412,
        "precondition_failed",
    )
    .await;
    let res = app.delete(LOGIN_ES).bearer_auth(&coordinator).header("If-Match", "\"1\"").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let reset: Value = res.json().await.unwrap();
    assert_eq!(reset["customized"], false);
    assert_eq!(reset["subject"], builtin["subject"]);

    // The list holds every template in both languages.
    let list: Value = app
        .get("/v1/affiliates/wa/mail-templates?limit=200")
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let n = entity::mail_template::MailTemplateKey::ALL.len() * 2;
    assert_eq!(list["data"].as_array().unwrap().len(), n);
    assert!(list["next_cursor"].is_null());
}

#[tokio::test]
async fn smtp_without_a_front_end_address_does_not_start() {
    let lookup = |name: &str| match name {
        "SMTP_URL" => Some("smtp://127.0.0.1:2525".to_string()),
        "DATABASE_URL" => Some("sqlite:///tmp/x.db?mode=rwc".to_string()),
        _ => None,
    };
    let err = api::config::Config::from_lookup(lookup).expect_err("refused");
    assert_eq!(err.var, "FRONTEND_BASE_URL");
    assert!(err.message.contains("SMTP_URL"), "{}", err.message);
}
