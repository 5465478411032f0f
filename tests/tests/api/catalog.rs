//! The catalog, versioned policies, evaluations pinned to a version, and the fit check.
use api::domain::roles::Role;
use endorse_tests::{TestApp, problem};
use serde_json::{Value, json};

fn ifs_ready() -> Value {
    json!({
        "education": [{"level": "high_school"}],
        "work": [{"kind": "prevention_early_intervention", "ages_served": ["infant_toddler"], "paid": true, "families_served": 14, "start_date": "2022-01-01", "end_date": "2025-12-31"}],
        "trainings": [{"date": "2024-03-01", "hours": 18.5, "tags": ["dei"], "age_focus": "infant_toddler"}, {"date": "2024-09-01", "hours": 11.5, "age_focus": "infant_toddler"}],
        "rsc": [{"start_date": "2024-01-01", "end_date": "2025-06-30", "hours": 24, "provider_endorsed": true}],
        "references": [{"kind": "supervisor", "submitted": true}, {"kind": "colleague", "submitted": true}],
        "code_of_ethics_signed": false,
        "membership_active": true
    })
}

#[tokio::test]
async fn the_catalog_is_public_and_filterable() {
    let app = TestApp::spawn().await;
    let families: Value =
        app.get("/v1/credential-families").send().await.unwrap().json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(
        families.as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect::<Vec<_>>(),
        vec!["ECMH-E", "IMH-E"]
    );
    let all: Value =
        app.get("/v1/credential-categories").send().await.unwrap().json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(all.as_array().unwrap().len(), 14);
    let imh: Value =
        app.get("/v1/credential-categories?family=IMH-E").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    let codes: Vec<&str> = imh.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["IFA", "IFS", "IFRS", "IMHS", "IMHM-C", "IMHM-P", "IMHM-R/F"]);
    assert_eq!(imh[1]["example_roles"][0], "Home Visitor/Home Visiting Supervisor");
    assert_eq!(imh[1]["age_focus"], "infant_toddler");
    let ec: Value =
        app.get("/v1/credential-categories?family=ecmh-e").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    assert!(ec.as_array().unwrap().iter().all(|c| c["age_focus"] == "early_childhood"));
    problem(app.get("/v1/credential-categories?family=XYZ").send().await.unwrap(), 400, "invalid_query").await;
    let rf: Value = app.get("/v1/credential-categories/imhm-rf").send().await.unwrap().json().await.unwrap();
    assert_eq!(rf["code"], "IMHM-R/F");
    assert_eq!(rf["track"], "research_faculty");
    let by_code: Value = app.get("/v1/credential-categories/IMHM-R%2FF").send().await.unwrap().json().await.unwrap();
    assert_eq!(by_code["slug"], "imhm-rf");
    problem(app.get("/v1/credential-categories/zzz").send().await.unwrap(), 404, "not_found").await;
}

#[tokio::test]
async fn washington_s_policies_are_seeded_for_both_families() {
    let app = TestApp::spawn().await;
    let all: Value =
        app.get("/v1/affiliates/wa/policies").send().await.unwrap().json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(all.as_array().unwrap().len(), 14);
    let ifs: Value = app.get("/v1/affiliates/wa/policies/ifs").send().await.unwrap().json().await.unwrap();
    assert_eq!(ifs["number"], 1);
    assert_eq!(
        ifs["requirements"]["training"],
        json!({"hours": 30, "age_focus": "infant_toddler", "sub_minimums": []})
    );
    assert_eq!(ifs["requirements"]["rsc"]["hours"], 24);
    let ecfs: Value = app.get("/v1/affiliates/wa/policies/ecfs").send().await.unwrap().json().await.unwrap();
    assert_eq!(ecfs["requirements"]["training"]["age_focus"], "early_childhood");
    assert_eq!(ecfs["effective_from"], "2025-01-01");
    let ecmhm: Value = app.get("/v1/affiliates/wa/policies/ecmhm-c").send().await.unwrap().json().await.unwrap();
    assert_eq!(ecmhm["requirements"]["work"]["also_meets_work_of"], "ECMHS");
    let before: Value = app
        .get("/v1/affiliates/wa/policies?on=2020-01-01")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    assert_eq!(before.as_array().unwrap().len(), 7, "no ECMH-E before 2025");
    problem(app.get("/v1/affiliates/wa/policies/ecfs?on=2020-01-01").send().await.unwrap(), 404, "not_found").await;
}

#[tokio::test]
async fn the_fit_check_shows_what_fits_and_the_gaps() {
    let app = TestApp::spawn().await;
    let res = app
        .post("/v1/affiliates/wa/fit-checks")
        .json(&json!({"profile": ifs_ready(), "on": "2026-01-15"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let fit: Value = res.json().await.unwrap();
    assert_eq!(fit["on"], "2026-01-15");
    let by =
        |code: &str| fit["categories"].as_array().unwrap().iter().find(|c| c["category"] == code).cloned().unwrap();
    let ifs = by("IFS");
    assert_eq!(ifs["qualifies"], true, "{ifs}");
    let steps: Vec<&str> = ifs["application_steps"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert_eq!(steps, vec!["1 more reference rating", "Sign the Code of Ethics and Endorsement Agreement"]);
    let figures = ifs["evaluation"]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "rsc.hours")
        .unwrap()["figures"]
        .clone();
    assert_eq!(figures, "RSC: 24 of 24 hours within 24 months");
    let imhs = by("IMHS");
    assert_eq!(imhs["qualifies"], false);
    let gaps: Vec<&str> = imhs["gaps"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(gaps[0].contains("master's degree"), "{gaps:?}");
    assert!(gaps.iter().any(|g| g.contains("26 more hours of reflective supervision")), "{gaps:?}");
    let ecfs = by("ECFS");
    assert_eq!(ecfs["qualifies"], false, "the 0-3 trainings do not count for 3-6");
    assert_eq!(fit["categories"].as_array().unwrap().len(), 14);
}

#[tokio::test]
async fn bad_profiles_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({"trainings": [{"date": "2024-01-01", "hours": -2}]}), "profile.trainings[0].hours"),
        (json!({"trainings": [{"date": "2024-01-01", "hours": 1.1}]}), "profile.trainings[0].hours"),
        (json!({"trainings": [{"date": "2024-01-01", "hours": 2, "tags": ["yoga"]}]}), "profile.trainings[0].tags[0]"),
        (json!({"work": [{"kind": "astronaut", "paid": true, "start_date": "2020-01-01"}]}), "profile.work[0].kind"),
        (
            json!({"rsc": [{"start_date": "2024-01-01", "end_date": "2024-13-01", "hours": 2}]}),
            "profile.rsc[0].end_date",
        ),
        (json!({"shoe_size": 9}), "profile.shoe_size"),
    ];
    for (profile, field) in cases {
        let res = app.post("/v1/affiliates/wa/fit-checks").json(&json!({"profile": profile})).send().await.unwrap();
        let body = problem(res, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], field, "{body}");
    }
    let res = app
        .post("/v1/affiliates/wa/fit-checks")
        .json(&json!({"profile": {"rsc": [{"start_date": "2024-05-01", "end_date": "2024-01-01", "hours": 2}]}}))
        .send()
        .await
        .unwrap();
    let body = problem(res, 422, "validation_failed").await;
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("rsc[0].end_date"), "{body}");
    problem(
        app.post("/v1/affiliates/nowhere/fit-checks").json(&json!({"profile": {}})).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn publishing_a_version_does_not_change_evaluations_pinned_to_the_old_one() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let v1: Value = app.get("/v1/affiliates/wa/policies/ifs").send().await.unwrap().json().await.unwrap();
    let v1_id = v1["id"].as_str().unwrap().to_string();
    let eval = |id: String| {
        let req = app.post(&format!("/v1/policy-versions/{id}/evaluations")).json(&json!({"profile": ifs_ready()}));
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let before = eval(v1_id.clone()).await;
    let training_met = |e: &Value| {
        e["requirements"].as_array().unwrap().iter().find(|r| r["key"] == "training.hours").unwrap()["met"].clone()
    };
    assert_eq!(training_met(&before), true);

    let today = api::domain::affiliate::TimeZone::parse("America/Los_Angeles").unwrap().local_date(chrono::Utc::now());
    let mut stricter = v1["requirements"].clone();
    stricter["training"]["hours"] = json!(40);
    let url = "/v1/affiliates/wa/policies/ifs/versions";
    let res = app
        .post(url)
        .bearer_auth(&coordinator)
        .json(&json!({"effective_from": today, "requirements": stricter, "notes": "40 hours from now on"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v2: Value = res.json().await.unwrap();
    assert_eq!(v2["number"], 2);

    let after = eval(v1_id).await;
    assert_eq!(after, before, "the old version evaluates exactly as before");
    let fit: Value = app
        .post("/v1/affiliates/wa/fit-checks")
        .json(&json!({"profile": ifs_ready()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ifs = fit["categories"].as_array().unwrap().iter().find(|c| c["category"] == "IFS").cloned().unwrap();
    assert_eq!(ifs["policy_version_id"], v2["id"]);
    assert_eq!(ifs["qualifies"], false);
    assert_eq!(ifs["gaps"][0], "10 more hours of specialized training focused on infants and toddlers (0-3)");
    let versions: Value =
        app.get("/v1/affiliates/wa/policies/ifs/versions").send().await.unwrap().json().await.unwrap();
    assert_eq!(versions["data"].as_array().unwrap().len(), 2);
    // One a page: the first, then the second with no page after it.
    let first: Value =
        app.get("/v1/affiliates/wa/policies/ifs/versions?limit=1").send().await.unwrap().json().await.unwrap();
    assert_eq!(first["data"][0]["id"], versions["data"][0]["id"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = app
        .get(&format!("/v1/affiliates/wa/policies/ifs/versions?limit=1&cursor={cursor}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((second["data"][0]["id"].clone(), second["next_cursor"].clone()), (v2["id"].clone(), Value::Null));

    // Invalid policies and dates are refused, naming the problem.
    let mut bad = stricter.clone();
    bad["training"]["sub_minimums"] = json!([{"tag": "dei", "hours": 50}]);
    let tomorrow = today.succ_opt().unwrap();
    let res = app
        .post(url)
        .bearer_auth(&coordinator)
        .json(&json!({"effective_from": tomorrow, "requirements": bad}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(res, 422, "validation_failed").await["errors"][0]["field"],
        "requirements.training.sub_minimums[0].hours"
    );
    let mut bad = stricter.clone();
    bad["training"]["sub_minimums"] = json!([{"tag": "knitting", "hours": 1}]);
    let res = app
        .post(url)
        .bearer_auth(&coordinator)
        .json(&json!({"effective_from": tomorrow, "requirements": bad}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(res, 422, "validation_failed").await["errors"][0]["field"],
        "requirements.training.sub_minimums[0].tag"
    );
    let res = app
        .post(url)
        .bearer_auth(&coordinator)
        .json(&json!({"effective_from": "2020-01-01", "requirements": stricter}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["code"], "in_the_past");
    let res = app
        .post(url)
        .bearer_auth(&coordinator)
        .json(&json!({"effective_from": today, "requirements": stricter}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "validation_failed").await["errors"][0]["code"], "not_after_latest");
    let res = app
        .post("/v1/affiliates/wa/policies/zzz/versions")
        .bearer_auth(&coordinator)
        .json(&json!({"effective_from": tomorrow, "requirements": stricter}))
        .send()
        .await
        .unwrap();
    problem(res, 404, "not_found").await;
    let applicant = app.token("wa", &[]).await;
    let res = app
        .post(url)
        .bearer_auth(&applicant)
        .json(&json!({"effective_from": tomorrow, "requirements": stricter}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "forbidden").await;
    app.create_affiliate("mi").await;
    let michigan = app.token("mi", &[Role::Coordinator]).await;
    let res = app
        .post(url)
        .bearer_auth(&michigan)
        .json(&json!({"effective_from": tomorrow, "requirements": stricter}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "forbidden").await;
    assert_eq!(app.count("policy_versions", "category_code = 'IFS'").await, 2);
}

#[tokio::test]
async fn a_signed_in_person_gets_a_fit_check_from_their_registration() {
    let app = TestApp::spawn().await;
    let (_, token) = app.applicant("fit@example.org").await;
    let res = app.get("/v1/me/fit-check").bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let fit: Value = res.json().await.unwrap();
    assert_eq!(fit["source"], "registration");
    let ifa = fit["categories"].as_array().unwrap().iter().find(|c| c["category"] == "IFA").cloned().unwrap();
    let edu =
        ifa["evaluation"]["requirements"].as_array().unwrap().iter().find(|r| r["key"] == "education").unwrap()["met"]
            .clone();
    assert_eq!(edu, true, "a bachelor's degree meets IFA's education");
    let training = ifa["gaps"].as_array().unwrap().iter().any(|g| g.as_str().unwrap().contains("30 more hours"));
    assert!(training, "{ifa}");
}

/// Front ends read the labels of the closed sets in English and Spanish from the service.
#[tokio::test]
async fn closed_sets_are_labelled_in_english_and_spanish() {
    let app = TestApp::spawn().await;
    let res = app.get("/v1/labels").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    let labels: Value = res.json().await.unwrap();
    endorse_tests::assert_conforms("Labels", &labels);
    let reflection = labels["competency_domains"].as_array().unwrap().iter().find(|d| d["value"] == "reflection");
    assert_eq!(reflection.map(|d| (d["en"].clone(), d["es"].clone())), Some((json!("Reflection"), json!("Reflexión"))));
    let kinds: Vec<&str> =
        labels["reference_kinds"].as_array().unwrap().iter().filter_map(|k| k["value"].as_str()).collect();
    assert_eq!(kinds, ["supervisor", "reflective_supervisor", "colleague", "supervisee"]);
    assert_eq!(labels["work_kinds"].as_array().unwrap().len(), 10);
}
