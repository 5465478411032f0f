//! The committed OpenAPI document is what the code generates, and it documents the
//! shared answers on every operation.
use endorse_tests::TestApp;
use serde_json::Value;

fn committed() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn committed_document_is_current() {
    let generated = api::openapi::document_json().unwrap();
    assert!(
        generated == committed(),
        "openapi/openapi.json is stale: run `cargo run -p api --bin endorse -- openapi > openapi/openapi.json` and commit it"
    );
}

#[tokio::test]
async fn served_document_matches_and_docs_render() {
    let app = TestApp::spawn().await;
    let served: Value = app.get("/openapi.json").send().await.unwrap().json().await.unwrap();
    let committed: Value = serde_json::from_str(&committed()).unwrap();
    assert_eq!(served, committed);
    let docs = app.get("/docs").send().await.unwrap();
    assert!(docs.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(docs.text().await.unwrap().contains("<html"));
}

#[test]
fn every_operation_documents_its_problems() {
    let doc: Value = serde_json::from_str(&committed()).unwrap();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let responses = op["responses"].as_object().unwrap();
            let secured = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.as_object().is_some_and(|o| !o.is_empty())));
            for status in ["400", "500", "503"] {
                assert!(responses.contains_key(status), "{method} {path} lacks {status}");
            }
            if secured {
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
            }
            if matches!(method.as_str(), "patch" | "put" | "delete") {
                assert!(responses.contains_key("412") && responses.contains_key("428"), "{method} {path}");
                let params = op["parameters"].as_array().unwrap();
                assert!(params.iter().any(|p| p["name"] == "If-Match" && p["required"] == true), "{method} {path}");
            }
            if method == "post" && !path.starts_with("/v1/auth/") {
                let params = op["parameters"].as_array().unwrap();
                assert!(params.iter().any(|p| p["name"] == "Idempotency-Key"), "{method} {path}");
            }
            assert!(op["operationId"].is_string(), "{method} {path}");
        }
    }
    assert!(operations >= 14, "{operations}");
}

/// The typed change event refuses a representation of the wrong kind, so a feed check
/// against it means something.
#[test]
fn a_change_event_is_typed_by_its_kind() {
    let event = |kind: &str, representation: Value| {
        serde_json::json!({
            "event_id": "chg_7", "kind": kind, "record_id": "0195b1e2-7c1a-7000-8000-000000000001",
            "external_id": null, "version": 2, "operation": "upsert", "changed_at": "2026-11-30T17:02:11Z",
            "representation": representation,
        })
    };
    let validator = endorse_tests::schema_validator("ChangeEvent");
    assert!(validator.is_valid(&event("person", Value::Null)), "a tombstone of a person");
    assert!(!validator.is_valid(&event("person", serde_json::json!({"number": "IMH-E-0042"}))));
    assert!(!validator.is_valid(&event("planet", Value::Null)), "an unknown kind");
}

/// Names a client reads once: operation ids are unique `verb_noun` snake case, summaries
/// fit in 80 characters on one line, and every operation's description says who may call
/// it; no field of the document is named `state` (the lifecycle word is `status`).
#[test]
fn operations_are_named_summarized_and_described_alike() {
    const VERBS: &[&str] = &[
        "activate",
        "preview",
        "reset",
        "add",
        "approve",
        "assign",
        "attest",
        "change",
        "check",
        "confirm",
        "create",
        "decide",
        "decline",
        "delete",
        "evaluate",
        "export",
        "get",
        "grant",
        "import",
        "invite",
        "issue",
        "join",
        "list",
        "open",
        "publish",
        "record",
        "redeliver",
        "register",
        "remove",
        "replace",
        "request",
        "resend",
        "return",
        "revoke",
        "rotate",
        "run",
        "search",
        "set",
        "sign",
        "start",
        "submit",
        "sync",
        "update",
        "verify",
        "withdraw",
    ];
    let doc: Value = serde_json::from_str(&committed()).unwrap();
    let mut ids = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default();
            let verb = id.split('_').next().unwrap_or_default();
            if !VERBS.contains(&verb) || !id.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                problems.push(format!("{method} {path}: operationId `{id}` is not verb_noun"));
            }
            if !ids.insert(id.to_string()) {
                problems.push(format!("{method} {path}: operationId `{id}` repeats"));
            }
            let summary = op["summary"].as_str().unwrap_or_default();
            if summary.is_empty() || summary.chars().count() > 80 || summary.contains('\n') {
                problems.push(format!("{method} {path}: summary `{summary}`"));
            }
            if !op["description"].as_str().unwrap_or_default().contains("**Who may call it:**") {
                problems.push(format!("{method} {path}: the description does not say who may call it"));
            }
        }
    }
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        for field in schema["properties"].as_object().into_iter().flatten().map(|(k, _)| k) {
            if field == "state" || field.ends_with("_state") {
                problems.push(format!("{name}.{field}: the lifecycle word is `status`"));
            }
            if (field == "email" || field.ends_with("_email")) && schema["properties"][field]["format"] != "email" {
                problems.push(format!("{name}.{field}: an email is `format: email`"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Every example the document gives (on a schema, a request body or an answer) is valid
/// against the schema it illustrates, so a client may trust it as a sample.
#[test]
fn every_example_is_valid_against_its_schema() {
    let doc: Value = serde_json::from_str(&committed()).unwrap();
    let mut checked = 0;
    let mut invalid = Vec::new();
    let mut missing = Vec::new();
    let mut check = |where_: String, schema: &Value, example: &Value| {
        let root = serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": [schema],
            "components": doc["components"],
        });
        let validator = jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("{where_}: {e}"));
        checked += 1;
        let errors: Vec<String> =
            validator.iter_errors(example).map(|e| format!("{e} at {}", e.instance_path)).collect();
        if !errors.is_empty() {
            invalid.push(format!("{where_}: {errors:?}"));
        }
    };
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if let Some(example) = schema.get("example") {
            let mut bare = schema.clone();
            bare.as_object_mut().unwrap().remove("example");
            check(format!("schema {name}"), &bare, example);
        }
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let bodies = op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(t, m)| (format!("request {t}"), m));
            let answers = op["responses"].as_object().into_iter().flatten().flat_map(|(status, r)| {
                r["content"].as_object().into_iter().flatten().map(move |(t, m)| (format!("{status} {t}"), m))
            });
            for (what, media) in bodies.chain(answers) {
                let named = media["examples"].as_object().into_iter().flatten().map(|(k, e)| {
                    let shared = e["$ref"].as_str().and_then(|r| doc.pointer(r.trim_start_matches('#')));
                    (k.clone(), &shared.unwrap_or(e)["value"])
                });
                let examples: Vec<(String, &Value)> =
                    media.get("example").map(|e| (String::new(), e)).into_iter().chain(named).collect();
                // Every request body and every successful answer shows one.
                let json_answer = what.starts_with('2') && what.ends_with("json") && !path.starts_with("/docs");
                if examples.is_empty() && (what.starts_with("request") || json_answer) {
                    missing.push(format!("{method} {path} {what}"));
                }
                for (name, example) in examples {
                    check(format!("{method} {path} {what} {name}"), &media["schema"], example);
                }
            }
        }
    }
    assert!(checked >= 200, "only {checked} examples");
    assert!(invalid.is_empty(), "{invalid:#?}");
    assert!(missing.is_empty(), "no example: {missing:#?}");
}
