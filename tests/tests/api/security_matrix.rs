//! The security matrix: every operation in the served OpenAPI document, tried by every
//! kind of caller (nobody, the record's owner, another person, a reviewer, the
//! affiliate's coordinator and admin, its machine clients with and without the scope,
//! and another affiliate's coordinator and client), with valid bodies so that a refusal
//! comes from authorization and not from validation. Each answer must be the documented
//! one: 401 without a token, 403 for a function the caller may not use or another
//! affiliate's path, 404 for a record the caller may not see (BOLA), and anything but
//! those for a caller that may act. Refused calls write nothing (audit log, change log).
//! The served routes are also exactly the documented ones.
use std::collections::BTreeSet;

use api::domain::roles::Role;
use chrono::Datelike;
use endorse_tests::TestApp;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    Owner,
    OtherPerson,
    Reviewer,
    Coordinator,
    Admin,
    Client,
    NarrowClient,
    OtherCoordinator,
    OtherClient,
}

const EVERYONE: [Who; 10] = [
    Who::Anonymous,
    Who::OtherPerson,
    Who::Reviewer,
    Who::NarrowClient,
    Who::OtherCoordinator,
    Who::OtherClient,
    Who::Owner,
    Who::Client,
    Who::Coordinator,
    Who::Admin,
];

/// Who may call an operation, as documented.
#[derive(Clone, Copy, Debug)]
enum Access {
    /// No token needed; nobody is refused.
    Public,
    /// Any signed-in person acting on their own account; machine clients 403.
    Person,
    /// A list of the caller's own records (people only; clients 403). Others' records
    /// never appear in it.
    OwnList,
    /// A staff list filtered to the caller's affiliate: coordinators and admins of any
    /// affiliate (and clients holding `scope`) get their own affiliate's records, never
    /// another's; people without the role 403.
    StaffList { scope: Option<&'static str> },
    /// Bulk actions answer 200 with a result per item: an item naming another
    /// affiliate's record fails on its own (and nothing is written).
    Bulk,
    /// A person's own record under /v1/me: other people (staff included) 404, clients 403.
    OwnRecord,
    /// A person record: the person and the affiliate's staff (clients with `scope`).
    SelfOrStaff { scope: Option<&'static str> },
    /// Only a reviewer assigned to the application; nobody in the matrix is (404).
    AssignedReviewer,
    /// The owner's record: the owner and the affiliate's staff read it; other people
    /// and other affiliates find nothing (404); clients 404 unless `scope` lets them.
    OwnerOrStaff { scope: Option<&'static str> },
    /// The owner alone changes it: staff 403, other people and every client 404.
    OwnerOnly,
    /// The affiliate's coordinators and admins, and its clients holding `scope`
    /// (None: no client may). On an affiliate path people without the role and another
    /// affiliate get 403; on a record of this affiliate they find nothing (404, or 403
    /// where the route refuses the role before looking).
    Staff { scope: Option<&'static str>, record: bool },
    /// Admins only.
    AdminOnly,
}

const NOT_FOUND: &[u16] = &[404];
const FORBIDDEN: &[u16] = &[403];
const HIDDEN: &[u16] = &[403, 404];

impl Access {
    /// The documented answers for a refusal of `who`, or None when `who` may act.
    fn refusal(self, who: Who) -> Option<&'static [u16]> {
        use Who::*;
        if matches!(self, Access::Public) {
            return None;
        }
        if who == Anonymous {
            return Some(&[401]);
        }
        let scoped = |scope: Option<&str>, client_scopes_all: bool| match scope {
            Some(s) if client_scopes_all || s == "people:read" => None,
            _ => Some(FORBIDDEN),
        };
        match self {
            Access::Public => None,
            Access::Person => matches!(who, Client | NarrowClient | OtherClient).then_some(FORBIDDEN),
            Access::OwnList => matches!(who, Client | NarrowClient | OtherClient).then_some(FORBIDDEN),
            Access::StaffList { scope } => match who {
                Coordinator | Admin | OtherCoordinator => None,
                Client | OtherClient => scoped(scope, true),
                NarrowClient => scoped(scope, false),
                _ => Some(FORBIDDEN),
            },
            Access::Bulk => match who {
                Owner | OtherPerson | Reviewer | NarrowClient => Some(FORBIDDEN),
                _ => None,
            },
            Access::OwnRecord => match who {
                Owner => None,
                Client | NarrowClient | OtherClient => Some(FORBIDDEN),
                _ => Some(NOT_FOUND),
            },
            Access::SelfOrStaff { scope } => match who {
                Owner | Coordinator | Admin => None,
                OtherPerson | Reviewer | OtherCoordinator | OtherClient => Some(HIDDEN),
                Client => scoped(scope, true).map(|_| HIDDEN),
                NarrowClient => scoped(scope, false).map(|_| HIDDEN),
                Anonymous => Some(&[401]),
            },
            Access::AssignedReviewer => Some(HIDDEN),
            Access::OwnerOrStaff { scope } => match who {
                Owner | Coordinator | Admin => None,
                OtherPerson | Reviewer | OtherCoordinator | OtherClient => Some(NOT_FOUND),
                Client if scope.is_some() => None,
                NarrowClient if scope == Some("people:read") => None,
                _ => Some(NOT_FOUND),
            },
            Access::OwnerOnly => match who {
                Owner => None,
                Coordinator | Admin => Some(FORBIDDEN),
                _ => Some(NOT_FOUND),
            },
            Access::Staff { scope, record } => match who {
                Coordinator | Admin => None,
                Owner | OtherPerson | Reviewer => Some(if record { HIDDEN } else { FORBIDDEN }),
                OtherCoordinator => Some(if record { NOT_FOUND } else { FORBIDDEN }),
                OtherClient => Some(if record { HIDDEN } else { FORBIDDEN }),
                Client => scoped(scope, true).map(|f| if record { HIDDEN } else { f }),
                NarrowClient => scoped(scope, false).map(|f| if record { HIDDEN } else { f }),
                Anonymous => Some(&[401]),
            },
            Access::AdminOnly => (who != Admin).then_some(FORBIDDEN),
        }
    }
}

/// The table: every documented operation and who may call it.
fn access(method: &str, path: &str) -> Access {
    use Access::*;
    let staff = |scope| Staff { scope, record: false };
    let staff_record = |scope| Staff { scope, record: true };
    match (method, path) {
        ("GET", "/healthz" | "/readyz" | "/metrics" | "/openapi.json" | "/docs" | "/docs/{asset}")
        | ("GET", "/.well-known/jwks.json" | "/.well-known/oauth-authorization-server")
        | ("POST", "/v1/auth/token" | "/v1/auth/revoke" | "/v1/auth/temporary-login/resend" | "/v1/auth/activate")
        | ("POST", "/v1/auth/email-change/confirm" | "/v1/auth/password-reset" | "/v1/auth/password-reset/confirm")
        | ("GET", "/v1/affiliates" | "/v1/affiliates/{affiliate}")
        | ("POST", "/v1/affiliates/{affiliate}/registrations")
        | ("GET", "/v1/affiliates/{affiliate}/membership-plans" | "/v1/affiliates/{affiliate}/fees")
        | (
            "GET",
            "/v1/credential-families"
            | "/v1/credential-categories"
            | "/v1/credential-categories/{category}"
            | "/v1/labels",
        )
        | ("GET", "/v1/affiliates/{affiliate}/policies" | "/v1/affiliates/{affiliate}/policies/{category}/versions")
        | ("GET", "/v1/affiliates/{affiliate}/policies/{category}" | "/v1/policy-versions/{id}")
        | ("POST", "/v1/policy-versions/{id}/evaluations" | "/v1/affiliates/{affiliate}/fit-checks")
        | ("GET", "/v1/affiliates/{affiliate}/schedule" | "/v1/code-of-ethics")
        | (
            "POST",
            "/v1/reference-requests/open" | "/v1/reference-requests/rating" | "/v1/reference-requests/decline",
        )
        | ("GET", "/v1/affiliates/{affiliate}/exam-sittings" | "/v1/registry" | "/v1/registry/{number}")
        | ("GET", "/v1/registry/{number}/credential" | "/v1/affiliates/{affiliate}/renewal-periods/{year}")
        | ("GET", "/v1/affiliates/{affiliate}/scholarship-funds")
        // Signed by the mail provider, not authenticated by a token.
        | ("POST", "/v1/mail/events") => Public,

        ("GET" | "PATCH", "/v1/me")
        | ("POST", "/v1/me/password" | "/v1/me/email-change")
        | ("GET" | "POST", "/v1/me/memberships")
        | ("GET", "/v1/me/invoices" | "/v1/me/fit-check" | "/v1/me/endorsements" | "/v1/me/reviews")
        | ("GET", "/v1/me/scholarship-requests")
        | ("POST", "/v1/applications")
        | ("GET" | "POST", "/v1/me/renewals/{year}")
        | ("GET", "/v1/me/renewals/{year}/readiness" | "/v1/me/renewals/{year}/entries/{kind}")
        | ("POST", "/v1/me/renewals/{year}/attestation" | "/v1/me/renewals/{year}/submission")
        | ("POST", "/v1/me/renewals/{year}/entries/{kind}")
        | ("DELETE", "/v1/me/renewals/{year}/entries/{kind}/{entry}") => Person,
        ("PATCH", "/v1/me/endorsements/{id}") => OwnRecord,

        ("POST", "/v1/affiliates") => AdminOnly,
        ("PATCH", "/v1/affiliates/{affiliate}") => staff(None),

        ("GET", "/v1/people") => StaffList { scope: Some("people:read") },
        ("GET", "/v1/people/{id}") => SelfOrStaff { scope: Some("people:read") },
        ("GET", "/v1/people/{id}/memberships" | "/v1/people/{id}/membership-status") => {
            SelfOrStaff { scope: Some("memberships:read") }
        }
        ("PATCH", "/v1/people/{id}")
        | ("POST", "/v1/people/{id}/roles")
        | ("DELETE", "/v1/people/{id}/roles/{role}")
        | ("PUT" | "DELETE", "/v1/people/{id}/mail-bounce") => staff_record(None),
        ("POST", "/v1/people/{id}/memberships") => staff_record(Some("memberships:write")),

        ("POST", "/v1/affiliates/{affiliate}/membership-plans") => staff(None),
        // Plans are public, so another affiliate's coordinator is told 403 rather than 404.
        ("PATCH", "/v1/membership-plans/{id}") => staff(None),
        ("GET", "/v1/memberships") => StaffList { scope: Some("memberships:read") },
        ("POST", "/v1/affiliates/{affiliate}/fees") => staff(None),
        ("GET", "/v1/invoices") => StaffList { scope: Some("invoices:read") },
        ("GET", "/v1/invoices/{id}") => OwnerOrStaff { scope: Some("invoices:read") },
        ("POST", "/v1/invoices/{id}/entries") => staff_record(Some("payments:write")),

        ("POST", "/v1/affiliates/{affiliate}/clients") => staff(None),
        ("GET", "/v1/clients") => StaffList { scope: None },
        ("GET" | "DELETE", "/v1/clients/{id}") | ("POST", "/v1/clients/{id}/secret") => staff_record(None),

        ("POST", "/v1/affiliates/{affiliate}/policies/{category}/versions") => staff(None),
        ("POST", "/v1/affiliates/{affiliate}/schedule") => staff(None),

        ("GET", "/v1/applications") => OwnList,
        ("GET", "/v1/applications/{id}" | "/v1/applications/{id}/history" | "/v1/applications/{id}/readiness") => {
            OwnerOrStaff { scope: None }
        }
        ("GET", "/v1/applications/{id}/portfolio/{kind}" | "/v1/applications/{id}/portfolio/{kind}/{entry}") => {
            OwnerOrStaff { scope: None }
        }
        ("GET", "/v1/applications/{id}/references") => OwnerOrStaff { scope: None },
        ("POST", "/v1/applications/{id}/withdrawal" | "/v1/applications/{id}/submission")
        | ("POST", "/v1/applications/{id}/attestations" | "/v1/applications/{id}/portfolio/{kind}")
        | ("PUT" | "DELETE", "/v1/applications/{id}/portfolio/{kind}/{entry}")
        | ("POST", "/v1/applications/{id}/references" | "/v1/applications/{id}/references/{reference}/resend")
        | ("POST", "/v1/applications/{id}/exam-registrations") => OwnerOnly,
        ("GET", "/v1/applications/{id}/advisory-feedback") => OwnerOrStaff { scope: None },
        ("POST", "/v1/applications/{id}/portfolio/{kind}/{entry}/verification") => staff_record(None),
        ("GET" | "POST", "/v1/applications/{id}/reviews") | ("POST", "/v1/applications/{id}/decision") => {
            staff_record(None)
        }
        ("POST", "/v1/applications/{id}/reviews/mine") => AssignedReviewer,
        ("POST", "/v1/affiliates/{affiliate}/exam-sittings") => staff(None),
        (
            "POST",
            "/v1/affiliates/{affiliate}/application-jobs/reference-reminders"
            | "/v1/affiliates/{affiliate}/application-jobs/exam-reminders",
        ) => staff(None),
        ("POST", "/v1/exam-registrations/{id}/result") => staff_record(None),

        ("PUT", "/v1/affiliates/{affiliate}/renewal-periods/{year}") => staff(None),
        ("GET", "/v1/affiliates/{affiliate}/mail-templates")
        | ("GET" | "PUT" | "DELETE", "/v1/affiliates/{affiliate}/mail-templates/{template}/{language}")
        | ("POST", "/v1/affiliates/{affiliate}/mail-templates/{template}/{language}/preview") => staff(None),
        ("POST", "/v1/renewals/{id}/approval" | "/v1/renewals/{id}/return") => staff_record(Some("renewals:write")),
        ("GET", "/v1/renewals") => StaffList { scope: Some("renewals:read") },
        ("POST", "/v1/renewals/bulk") => Bulk,
        (
            "POST",
            "/v1/affiliates/{affiliate}/renewal-jobs/lapse" | "/v1/affiliates/{affiliate}/renewal-jobs/reminders",
        ) => staff(Some("renewals:write")),

        ("GET", "/v1/affiliates/{affiliate}/exports/endorsees.csv") => staff(Some("people:read")),
        ("GET", p) if p.starts_with("/v1/affiliates/{affiliate}/reports/") || p.contains("/exports/") => {
            staff(Some("reports:read"))
        }
        ("GET", "/v1/affiliates/{affiliate}/changes") => staff(Some("sync:read")),
        ("POST", p)
            if p.starts_with("/v1/affiliates/{affiliate}/sync/")
                || p.starts_with("/v1/affiliates/{affiliate}/imports/") =>
        {
            staff(Some("sync:write"))
        }
        ("GET" | "POST", "/v1/affiliates/{affiliate}/webhooks") => staff(Some("webhooks:manage")),
        ("GET" | "DELETE" | "PATCH", "/v1/webhooks/{id}")
        | ("POST", "/v1/webhooks/{id}/secret-rotation")
        | ("GET", "/v1/webhooks/{id}/deliveries" | "/v1/webhooks/{id}/deliveries/{delivery}")
        | ("POST", "/v1/webhooks/{id}/deliveries/{delivery}/redelivery") => staff_record(Some("webhooks:manage")),

        ("POST", "/v1/affiliates/{affiliate}/scholarship-funds") => staff(None),
        ("GET", "/v1/scholarship-requests") => StaffList { scope: None },
        ("POST", "/v1/scholarship-requests") => Person,
        ("POST", "/v1/scholarship-requests/{id}/decision") => staff_record(None),
        _ => panic!("{method} {path} is documented but missing from the security matrix"),
    }
}

/// The records the calls point at, all of Washington and most owned by `Owner`.
struct Fixture {
    tokens: Vec<(Who, String)>,
    ids: std::collections::HashMap<&'static str, String>,
    year: i32,
    requirements: Value,
}

impl Fixture {
    fn token(&self, who: Who) -> Option<&str> {
        self.tokens.iter().find(|(w, _)| *w == who).map(|(_, t)| t.as_str())
    }

    fn id(&self, name: &str) -> &str {
        self.ids.get(name).map(String::as_str).unwrap_or_else(|| panic!("fixture {name}"))
    }

    /// The documented path with its parameters filled from the fixture.
    fn path(&self, template: &str) -> String {
        let id = match template {
            t if t.starts_with("/v1/people/") => self.id("person"),
            t if t.starts_with("/v1/membership-plans/") => self.id("plan"),
            t if t.starts_with("/v1/invoices/") => self.id("invoice"),
            t if t.starts_with("/v1/clients/") => self.id("client"),
            t if t.starts_with("/v1/policy-versions/") => self.id("policy_version"),
            t if t.starts_with("/v1/applications/") => self.id("application"),
            t if t.starts_with("/v1/me/endorsements/") => self.id("endorsement"),
            t if t.starts_with("/v1/renewals/") => self.id("renewal"),
            t if t.starts_with("/v1/webhooks/") => self.id("webhook"),
            t if t.starts_with("/v1/scholarship-requests/") => self.id("scholarship_request"),
            _ => self.id("unknown"),
        };
        let entry = if template.contains("/renewals/") { self.id("renewal_entry") } else { self.id("portfolio_entry") };
        let query = if template.ends_with("/renewals") || template.ends_with("/renewals.csv") {
            format!("?year={}", self.year)
        } else {
            String::new()
        };
        let path = template
            .replace("{affiliate}", "wa")
            .replace("{id}", id)
            .replace("{category}", "IFS")
            .replace("{kind}", "trainings")
            .replace("{template}", "temporary_login")
            .replace("{language}", "es")
            .replace("{entry}", entry)
            .replace("{reference}", self.id("reference"))
            .replace("{role}", "reviewer")
            .replace("{year}", &self.year.to_string())
            .replace("{number}", self.id("number"))
            .replace("{asset}", "swagger-ui.css")
            .replace("{delivery}", self.id("unknown"));
        path + &query
    }
}

const ALL_SCOPES: [&str; 12] = [
    "people:read",
    "people:write",
    "memberships:read",
    "memberships:write",
    "invoices:read",
    "payments:write",
    "sync:read",
    "sync:write",
    "renewals:read",
    "renewals:write",
    "reports:read",
    "webhooks:manage",
];

async fn json_of(res: reqwest::Response, what: &str) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{what}: {status} {text}");
    serde_json::from_str(&text).unwrap()
}

async fn fixture(app: &TestApp) -> Fixture {
    let coordinator = app.token("wa", &[Role::Coordinator]).await;
    let (person, owner) = super::renewals::member(app, "owner@matrix.example", &coordinator).await;
    let (_, other_person) = app.applicant("other@matrix.example").await;
    app.create_affiliate("or").await;
    let other_coordinator = app.token("or", &[Role::Coordinator]).await;
    let made = json_of(
        app.post("/v1/affiliates/or/clients")
            .bearer_auth(&other_coordinator)
            .json(&json!({"name": "other", "scopes": ALL_SCOPES}))
            .send()
            .await
            .unwrap(),
        "other client",
    )
    .await;
    let other_client = json_of(
        app.post("/v1/auth/token")
            .json(&json!({"grant_type": "client_credentials", "client_id": made["client_id"], "client_secret": made["client_secret"]}))
            .send()
            .await
            .unwrap(),
        "other client token",
    )
    .await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let tokens = vec![
        (Who::Owner, owner.clone()),
        (Who::OtherPerson, other_person),
        (Who::Reviewer, app.token("wa", &[Role::Reviewer]).await),
        (Who::Coordinator, coordinator.clone()),
        (Who::Admin, app.token("wa", &[Role::Admin]).await),
        (Who::Client, app.client_token(&coordinator, &ALL_SCOPES).await),
        (Who::NarrowClient, app.client_token(&coordinator, &["people:read"]).await),
        (Who::OtherCoordinator, other_coordinator),
        (Who::OtherClient, other_client),
    ];

    let mut ids = std::collections::HashMap::new();
    ids.insert("person", person.clone());
    ids.insert("unknown", uuid::Uuid::now_v7().to_string());
    let plans: Value =
        app.get("/v1/affiliates/wa/membership-plans").send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    ids.insert("plan", plans[0]["id"].as_str().unwrap().to_string());
    let invoices: Value = app.get("/v1/me/invoices").bearer_auth(&owner).send().await.unwrap().json().await.unwrap();
    ids.insert("invoice", invoices["data"][0]["id"].as_str().unwrap().to_string());
    let client = json_of(
        app.post("/v1/affiliates/wa/clients")
            .bearer_auth(&coordinator)
            .json(&json!({"name": "target", "scopes": ["people:read"]}))
            .send()
            .await
            .unwrap(),
        "target client",
    )
    .await;
    ids.insert("client", client["id"].as_str().unwrap().to_string());
    let policy: Value = app.get("/v1/affiliates/wa/policies/IFS").send().await.unwrap().json().await.unwrap();
    ids.insert("policy_version", policy["id"].as_str().unwrap().to_string());
    let application = json_of(
        app.post("/v1/applications").bearer_auth(&owner).json(&json!({"category": "IFS"})).send().await.unwrap(),
        "application",
    )
    .await;
    let application = application["id"].as_str().unwrap().to_string();
    let entry = json_of(
        app.post(&format!("/v1/applications/{application}/portfolio/trainings"))
            .bearer_auth(&owner)
            .json(&training())
            .send()
            .await
            .unwrap(),
        "portfolio entry",
    )
    .await;
    ids.insert("portfolio_entry", entry["id"].as_str().unwrap().to_string());
    let reference = json_of(
        app.post(&format!("/v1/applications/{application}/references"))
            .bearer_auth(&owner)
            .json(&json!({"name": "Maria Chen", "email": "maria@matrix.example", "relationship": "Supervisor", "kind": "supervisor"}))
            .send()
            .await
            .unwrap(),
        "reference",
    )
    .await;
    ids.insert("reference", reference["id"].as_str().unwrap().to_string());
    ids.insert("application", application);

    // An endorsement due this year, so the owner has a renewal with an entry.
    let year = super::renewals::today().year();
    let number = super::renewals::endorse(
        app,
        &person,
        "IFS",
        super::renewals::d(year - 2, 1, 1),
        super::renewals::d(year, 12, 31),
    )
    .await;
    let mine: Value =
        app.get("/v1/me/endorsements").bearer_auth(&owner).send().await.unwrap().json::<Value>().await.unwrap()["data"]
            .clone();
    ids.insert("endorsement", mine[0]["id"].as_str().unwrap().to_string());
    ids.insert("number", number);
    let renewal =
        json_of(app.post(&format!("/v1/me/renewals/{year}")).bearer_auth(&owner).send().await.unwrap(), "renewal")
            .await;
    ids.insert("renewal", renewal["id"].as_str().unwrap().to_string());
    let renewal_entry = json_of(
        app.post(&format!("/v1/me/renewals/{year}/entries/trainings"))
            .bearer_auth(&owner)
            .json(&training_in(year))
            .send()
            .await
            .unwrap(),
        "renewal entry",
    )
    .await;
    ids.insert("renewal_entry", renewal_entry["id"].as_str().unwrap().to_string());

    let webhook = json_of(
        app.post("/v1/affiliates/wa/webhooks")
            .bearer_auth(&coordinator)
            .json(&json!({"url": "http://127.0.0.1:9/hooks"}))
            .send()
            .await
            .unwrap(),
        "webhook",
    )
    .await;
    ids.insert("webhook", webhook["id"].as_str().unwrap().to_string());
    let fund = json_of(
        app.post("/v1/affiliates/wa/scholarship-funds")
            .bearer_auth(&coordinator)
            .json(&json!({"name": "Fund", "sponsor": "A foundation", "budget": {"amount_cents": 100000, "currency": "USD"}, "starts_on": "2000-01-01", "ends_on": "2099-12-31", "covers": ["processing", "renewal"]}))
            .send()
            .await
            .unwrap(),
        "fund",
    )
    .await;
    ids.insert("fund", fund["id"].as_str().unwrap().to_string());
    let request = json_of(
        app.post("/v1/scholarship-requests")
            .bearer_auth(&owner)
            .json(&json!({"fund_id": fund["id"], "amount": {"amount_cents": 1000, "currency": "USD"}, "purpose": "processing", "statement": "I need help"}))
            .send()
            .await
            .unwrap(),
        "scholarship request",
    )
    .await;
    ids.insert("scholarship_request", request["id"].as_str().unwrap().to_string());
    Fixture { tokens, ids, year, requirements: policy["requirements"].clone() }
}

fn training() -> Value {
    json!({"title": "Infant mental health foundations", "provider": "WA-AIMH", "date": "2025-05-01", "hours": 6, "age_focus": "infant_toddler"})
}

fn training_in(year: i32) -> Value {
    let mut t = training();
    t["date"] = json!(format!("{year}-03-01"));
    t
}

enum Body {
    Json(Value),
    Csv(&'static str),
}

/// A valid body for each operation that takes one, so refusals are not validation errors.
fn body(fx: &Fixture, method: &str, path: &str) -> Option<Body> {
    let money = |cents: i64| json!({"amount_cents": cents, "currency": "USD"});
    let unique = || format!("{}@matrix.example", uuid::Uuid::new_v4().simple());
    let b = match (method, path) {
        ("POST", "/v1/auth/token") => {
            json!({"grant_type": "password", "username": "nobody@matrix.example", "password": "wrong password"})
        }
        ("POST", "/v1/auth/revoke") => json!({"token": "not-a-token"}),
        ("PATCH", "/v1/me") => json!({"phone": "+1 206 555 0101"}),
        ("POST", "/v1/affiliates") => {
            let code = format!("x{}", &uuid::Uuid::new_v4().simple().to_string()[..4]);
            json!({"code": code, "name": "Another association", "time_zone": "America/Chicago", "currency": "USD"})
        }
        ("PATCH", "/v1/affiliates/{affiliate}") => json!({"website_url": "https://wa-aimh.example"}),
        ("POST", "/v1/affiliates/{affiliate}/registrations") => {
            let mut r = endorse_tests::registration_body(&unique());
            r["email"] = json!(unique());
            r
        }
        ("POST", "/v1/auth/temporary-login/resend" | "/v1/auth/password-reset") => json!({"email": unique()}),
        ("POST", "/v1/auth/activate" | "/v1/auth/password-reset/confirm") => {
            json!({"token": "0123456789abcdef0123456789abcdef", "password": "a long new passphrase 1"})
        }
        ("POST", "/v1/me/password") => {
            json!({"current_password": "wrong passphrase", "new_password": "a long new passphrase 1"})
        }
        ("POST", "/v1/me/email-change") => json!({"new_email": unique(), "current_password": "wrong passphrase"}),
        ("POST", "/v1/auth/email-change/confirm" | "/v1/reference-requests/open") => {
            json!({"token": "0123456789abcdef0123456789abcdef"})
        }
        ("PATCH", "/v1/people/{id}") => json!({"status": "active"}),
        ("PUT", "/v1/people/{id}/mail-bounce") => json!({"email": "someone@example.org", "kind": "hard"}),
        ("POST", "/v1/mail/events") => json!({"email": "someone@example.org", "kind": "hard"}),
        (
            "POST",
            "/v1/affiliates/{affiliate}/application-jobs/reference-reminders"
            | "/v1/affiliates/{affiliate}/application-jobs/exam-reminders",
        ) => json!({}),
        ("POST", "/v1/people/{id}/roles") => json!({"role": "reviewer"}),
        ("POST", "/v1/people/{id}/memberships") => {
            json!({"plan_id": fx.id("plan"), "bought_on": format!("{}-01-02", fx.year), "reference": "order 1"})
        }
        ("POST", "/v1/affiliates/{affiliate}/membership-plans") => {
            json!({"name": "Student", "dues": money(3000), "term": {"kind": "calendar_year", "next_year_from": "10-01"}, "qualifies_for_endorsement": true})
        }
        ("PATCH", "/v1/membership-plans/{id}") => json!({"name": "Individual membership"}),
        ("POST", "/v1/me/memberships") => json!({"plan_id": fx.id("plan")}),
        ("POST", "/v1/affiliates/{affiliate}/fees") => {
            json!({"kind": "exam", "amount": money(15000), "effective_from": format!("{}-01-01", fx.year + 2)})
        }
        ("POST", "/v1/invoices/{id}/entries") => {
            json!({"kind": "payment", "method": "check", "amount": money(1), "reference": "check"})
        }
        ("POST", "/v1/affiliates/{affiliate}/clients") => json!({"name": "script", "scopes": ["renewals:read"]}),
        ("POST", "/v1/clients/{id}/secret") => json!({"keep_previous_for_seconds": 0}),
        ("POST", "/v1/affiliates/{affiliate}/policies/{category}/versions") => {
            json!({"effective_from": format!("{}-01-01", fx.year + 3), "requirements": fx.requirements})
        }
        ("POST", "/v1/policy-versions/{id}/evaluations" | "/v1/affiliates/{affiliate}/fit-checks") => {
            json!({"profile": {"education": [], "work": [], "trainings": [], "rsc": []}})
        }
        ("POST", "/v1/affiliates/{affiliate}/schedule") => {
            json!({"kind": "submission_deadline", "title": "Deadline", "starts_on": format!("{}-01-15", fx.year + 1), "categories": []})
        }
        ("POST", "/v1/applications") => json!({"category": "IFS"}),
        ("POST", "/v1/applications/{id}/withdrawal") => json!({"reason": "moving"}),
        ("POST", "/v1/applications/{id}/attestations") => {
            json!({"text_version": api::features::applications::dto::CODE_OF_ETHICS_VERSION})
        }
        ("POST", "/v1/applications/{id}/portfolio/{kind}")
        | ("PUT", "/v1/applications/{id}/portfolio/{kind}/{entry}") => training(),
        ("POST", "/v1/applications/{id}/references") => {
            json!({"name": "Rater", "email": unique(), "relationship": "Supervisor", "kind": "supervisor"})
        }
        ("POST", "/v1/reference-requests/rating") => {
            json!({"token": "0123456789abcdef0123456789abcdef", "ratings": [{"competency": "theoretical_foundations", "rating": 4}]})
        }
        ("POST", "/v1/reference-requests/decline") => json!({"token": "0123456789abcdef0123456789abcdef"}),
        ("POST", "/v1/applications/{id}/reviews") => json!({"reviewer_id": fx.id("person")}),
        ("POST", "/v1/applications/{id}/reviews/mine") => json!({"recommendation": "approve"}),
        ("POST", "/v1/applications/{id}/decision") => json!({"decision": "approve"}),
        ("PUT", "/v1/affiliates/{affiliate}/mail-templates/{template}/{language}") => {
            json!({"subject": "{{ affiliate }}", "text": "Hola {{ name }}: {{ link }}"})
        }
        ("POST", "/v1/affiliates/{affiliate}/mail-templates/{template}/{language}/preview") => json!({}),
        ("POST", "/v1/affiliates/{affiliate}/exam-sittings") => {
            json!({"sitting_on": format!("{}-06-01", fx.year + 1), "location": "Seattle", "capacity": 20})
        }
        ("POST", "/v1/applications/{id}/exam-registrations") => json!({"sitting_id": fx.id("unknown")}),
        ("POST", "/v1/exam-registrations/{id}/result") => json!({"part1_score": 80, "part2_passed": true}),
        ("PATCH", "/v1/me/endorsements/{id}") => json!({"listed": true}),
        ("PUT", "/v1/affiliates/{affiliate}/renewal-periods/{year}") => {
            json!({"opens_on": format!("{}-10-01", fx.year + 1), "closes_on": format!("{}-12-31", fx.year + 1)})
        }
        ("POST", "/v1/me/renewals/{year}/attestation") => {
            json!({"text_version": api::features::applications::dto::CODE_OF_ETHICS_VERSION, "provides_rsc": false})
        }
        ("POST", "/v1/me/renewals/{year}/entries/{kind}") => training_in(fx.year),
        ("POST", "/v1/renewals/{id}/return") => json!({"reasons": "Missing hours"}),
        ("POST", "/v1/renewals/bulk") => json!({"action": "approve", "items": [{"renewal_id": fx.id("renewal")}]}),
        (
            "POST",
            "/v1/affiliates/{affiliate}/renewal-jobs/lapse" | "/v1/affiliates/{affiliate}/renewal-jobs/reminders",
        ) => {
            json!({})
        }
        ("POST", "/v1/affiliates/{affiliate}/sync/people") => {
            json!({"items": [{"external_id": "crm-1", "given_name": "Lee", "family_name": "Park", "email": unique()}]})
        }
        ("POST", "/v1/affiliates/{affiliate}/sync/memberships") => {
            json!({"items": [{"external_id": "m-1", "person": {"id": fx.id("person")}, "plan_id": fx.id("plan"), "bought_on": format!("{}-01-02", fx.year)}]})
        }
        ("POST", "/v1/affiliates/{affiliate}/sync/renewal-entries") => {
            json!({"items": [{"external_id": "e-1", "person": {"id": fx.id("person")}, "year": fx.year, "kind": "trainings", "item": training_in(fx.year)}]})
        }
        ("POST", "/v1/affiliates/{affiliate}/sync/endorsements") => {
            json!({"items": [{"external_id": "n-1", "person": {"id": fx.id("person")}, "category": "IFS", "number": "WA-LEGACY-1", "issued_on": "2020-01-01", "expires_on": format!("{}-12-31", fx.year + 1)}]})
        }
        ("POST", "/v1/affiliates/{affiliate}/imports/people") => {
            return Some(Body::Csv("given_name,family_name,email\nLee,Park,lee.csv@matrix.example\n"));
        }
        ("POST", "/v1/affiliates/{affiliate}/imports/memberships") => {
            return Some(Body::Csv("email,plan,bought_on\nowner@matrix.example,Individual membership,2026-01-02\n"));
        }
        ("POST", "/v1/affiliates/{affiliate}/webhooks") => json!({"url": "http://127.0.0.1:9/other"}),
        ("PATCH", "/v1/webhooks/{id}") => json!({"description": "CRM"}),
        ("POST", "/v1/webhooks/{id}/secret-rotation") => json!({"overlap_hours": 1}),
        ("POST", "/v1/affiliates/{affiliate}/scholarship-funds") => {
            json!({"name": "Fund 2", "sponsor": "S", "budget": money(1000), "starts_on": "2000-01-01", "ends_on": "2099-12-31", "covers": ["exam"]})
        }
        ("POST", "/v1/scholarship-requests") => {
            json!({"fund_id": fx.id("fund"), "amount": money(500), "purpose": "processing", "statement": "Please"})
        }
        ("POST", "/v1/scholarship-requests/{id}/decision") => json!({"decision": "deny", "reason": "No funds"}),
        _ => return None,
    };
    Some(Body::Json(b))
}

async fn written(app: &TestApp) -> (i64, i64) {
    (app.count("audit_events", "").await, app.count("change_log", "").await)
}

#[tokio::test]
async fn every_documented_operation_answers_each_caller_as_documented() {
    let app =
        TestApp::spawn_with(&[("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true"), ("LOGIN_RATE_LIMIT_PER_MINUTE", "1000")])
            .await;
    let doc: Value = app.get("/openapi.json").send().await.unwrap().json().await.unwrap();
    let fx = fixture(&app).await;
    let mut failures = Vec::new();
    let mut checked = 0;
    // Deletions last, so the records the other operations point at still exist.
    let mut operations: Vec<(String, &String, &Value)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().iter().map(move |(m, op)| (m.to_uppercase(), path, op)))
        .filter(|(m, ..)| ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()))
        .collect();
    operations.sort_by_key(|(m, ..)| m == "DELETE");
    {
        for (method, path, op) in operations {
            let rule = access(&method, path);
            let documented: BTreeSet<u16> =
                op["responses"].as_object().unwrap().keys().filter_map(|k| k.parse().ok()).collect();
            for who in EVERYONE {
                let url = fx.path(path);
                let mut req = app.client.request(method.parse().unwrap(), app.url(&url));
                if let Some(token) = fx.token(who) {
                    req = req.bearer_auth(token);
                }
                if ["PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
                    req = req.header("If-Match", "\"1\"");
                }
                match body(&fx, &method, path) {
                    Some(Body::Json(b)) => req = req.json(&b),
                    Some(Body::Csv(c)) => req = req.header("Content-Type", "text/csv").body(c),
                    None => {}
                }
                let refusal = rule.refusal(who);
                let before = if refusal.is_some() { Some(written(&app).await) } else { None };
                let before_bulk = if matches!(rule, Access::Bulk) { Some(written(&app).await) } else { None };
                let res = req.send().await.unwrap();
                let status = res.status().as_u16();
                let content_type =
                    res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                let text = res.text().await.unwrap();
                checked += 1;
                let mut fail =
                    |why: String| failures.push(format!("{method} {path} as {who:?}: {why} ({status} {text:.160})"));
                if status >= 500 {
                    fail("server error".into());
                }
                if !documented.contains(&status) {
                    fail(format!("undocumented status {status}"));
                }
                match refusal {
                    Some(expected) => {
                        if !expected.contains(&status) {
                            fail(format!("expected {expected:?}"));
                        } else if !content_type.starts_with("application/problem+json") {
                            fail("refusal is not a problem document".into());
                        }
                        if let Some(before) = before
                            && written(&app).await != before
                        {
                            fail("a refused call wrote to the audit or change log".into());
                        }
                    }
                    None if [401, 403].contains(&status) => fail("refused a caller who may act".into()),
                    // The fixture's records exist: a caller who may see them must find them.
                    None if status == 404
                        && matches!(
                            rule,
                            Access::OwnerOrStaff { .. }
                                | Access::OwnRecord
                                | Access::SelfOrStaff { .. }
                                | Access::Staff { record: true, .. }
                        )
                        && method != "DELETE"
                        && !path.contains("{delivery}")
                        && !path.starts_with("/v1/exam-registrations/") =>
                    {
                        fail("a caller who may see the record did not find it".into())
                    }
                    None if matches!(rule, Access::OwnList | Access::StaffList { .. })
                        && matches!(
                            who,
                            Who::OtherPerson | Who::Reviewer | Who::OtherCoordinator | Who::OtherClient
                        )
                        && ["person", "application", "client", "invoice", "renewal", "scholarship_request"]
                            .iter()
                            .any(|k| text.contains(fx.id(k))) =>
                    {
                        fail("the list shows another's records".into())
                    }
                    None if matches!(rule, Access::Bulk)
                        && matches!(who, Who::OtherCoordinator | Who::OtherClient)
                        && (serde_json::from_str::<Value>(&text).map(|b| b["failed"] != 1).unwrap_or(true)
                            || before_bulk != Some(written(&app).await)) =>
                    {
                        fail("another affiliate's bulk item did not fail on its own, or wrote".into())
                    }
                    None => {}
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} calls");
    assert!(failures.is_empty(), "{} of {checked} calls answered wrongly:\n{}", failures.len(), failures.join("\n"));
}

/// The routes served are the routes documented. Every documented operation reaches a
/// handler (the matrix above gets a documented answer from each, never the fallback's
/// 405); here, every undocumented method on a documented path reaches no handler (the
/// fallback's 405) and OPTIONS advertises exactly the documented methods. Routes are
/// registered through utoipa-actix-web, so a path with no document entry does not compile.
#[tokio::test]
async fn served_methods_are_the_documented_methods() {
    let app = TestApp::spawn().await;
    let doc: Value = app.get("/openapi.json").send().await.unwrap().json().await.unwrap();
    let any = uuid::Uuid::now_v7().to_string();
    let mut mismatches = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let mut documented: BTreeSet<String> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_uppercase())
            .filter(|m| ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()))
            .collect();
        documented.insert("OPTIONS".into());
        let url = path
            .replace("{affiliate}", "wa")
            .replace("{category}", "IFS")
            .replace("{kind}", "trainings")
            .replace("{template}", "temporary_login")
            .replace("{language}", "es")
            .replace("{role}", "reviewer")
            .replace("{year}", "2026")
            .replace("{number}", "WA-IFS-000001")
            .replace("{id}", &any)
            .replace("{entry}", &any)
            .replace("{reference}", &any)
            .replace("{delivery}", &any);
        let res = app.client.request(reqwest::Method::OPTIONS, app.url(&url)).send().await.unwrap();
        let allowed: BTreeSet<String> = res
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(", ")
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect();
        if res.status() != 204 || allowed != documented {
            mismatches.push(format!("{path}: allows {allowed:?} ({}), documented {documented:?}", res.status()));
        }
        // No route serves an undocumented method there: the fallback answers 405.
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if documented.contains(method) {
                continue;
            }
            let res = app.client.request(method.parse().unwrap(), app.url(&url)).send().await.unwrap();
            let status = res.status();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            if status != 405 || body["code"] != "method_not_allowed" {
                mismatches.push(format!("{method} {path}: served ({status} {body}) but not documented"));
            }
        }
    }
    assert!(doc["paths"].as_object().unwrap().len() > 100);
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Mass assignment: protected fields (status, state, roles, affiliate, owner, version,
/// verification) added to otherwise valid bodies are refused by name (422
/// `unknown_field`) on every operation that takes them, and nothing is written.
#[tokio::test]
async fn protected_fields_cannot_be_assigned() {
    let app = TestApp::spawn_with(&[("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")]).await;
    let fx = fixture(&app).await;
    let other_affiliate = uuid::Uuid::now_v7().to_string();
    let cases: Vec<(Who, &str, String, Value, &str, Value)> = vec![
        (Who::Owner, "POST", "/v1/applications".into(), json!({"category": "IFS"}), "state", json!("endorsed")),
        (
            Who::Owner,
            "POST",
            "/v1/applications".into(),
            json!({"category": "IFS"}),
            "person_id",
            json!(fx.id("unknown")),
        ),
        (
            Who::Owner,
            "POST",
            "/v1/applications".into(),
            json!({"category": "IFS"}),
            "affiliate_id",
            json!(other_affiliate),
        ),
        (Who::Owner, "POST", "/v1/me/memberships".into(), json!({"plan_id": fx.id("plan")}), "status", json!("active")),
        (Who::Owner, "PATCH", "/v1/me".into(), json!({"phone": "+1 206 555 0199"}), "roles", json!(["admin"])),
        (
            Who::Owner,
            "PATCH",
            "/v1/me".into(),
            json!({"phone": "+1 206 555 0199"}),
            "affiliate_id",
            json!(other_affiliate),
        ),
        (
            Who::Owner,
            "POST",
            format!("/v1/applications/{}/portfolio/trainings", fx.id("application")),
            training(),
            "verified",
            json!(true),
        ),
        (
            Who::Owner,
            "POST",
            "/v1/scholarship-requests".into(),
            json!({"fund_id": fx.id("fund"), "amount": {"amount_cents": 500, "currency": "USD"}, "purpose": "processing", "statement": "Please"}),
            "status",
            json!("approved"),
        ),
        (
            Who::Coordinator,
            "POST",
            "/v1/affiliates/wa/clients".into(),
            json!({"name": "script", "scopes": ["renewals:read"]}),
            "affiliate_id",
            json!(other_affiliate),
        ),
        (
            Who::Coordinator,
            "PATCH",
            format!("/v1/membership-plans/{}", fx.id("plan")),
            json!({"name": "Individual"}),
            "affiliate_id",
            json!(other_affiliate),
        ),
        (
            Who::Coordinator,
            "PATCH",
            format!("/v1/webhooks/{}", fx.id("webhook")),
            json!({"description": "CRM"}),
            "owner_id",
            json!(fx.id("person")),
        ),
        (
            Who::Coordinator,
            "POST",
            format!("/v1/people/{}/roles", fx.id("person")),
            json!({"role": "reviewer"}),
            "affiliate_id",
            json!(other_affiliate),
        ),
        (
            Who::Anonymous,
            "POST",
            "/v1/affiliates/wa/registrations".into(),
            endorse_tests::registration_body("mass@matrix.example"),
            "status",
            json!("active"),
        ),
        (
            Who::Anonymous,
            "POST",
            "/v1/affiliates/wa/registrations".into(),
            endorse_tests::registration_body("mass2@matrix.example"),
            "roles",
            json!(["coordinator"]),
        ),
    ];
    for (who, method, path, mut body, field, value) in cases {
        body[field] = value;
        let before = written(&app).await;
        let mut req = app.client.request(method.parse().unwrap(), app.url(&path)).json(&body);
        if let Some(token) = fx.token(who) {
            req = req.bearer_auth(token);
        }
        if method == "PATCH" {
            req = req.header("If-Match", "\"1\"");
        }
        let res = req.send().await.unwrap();
        let problem = endorse_tests::problem(res, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{method} {path}");
        assert_eq!(problem["errors"][0]["code"], "unknown_field", "{method} {path}");
        assert_eq!(written(&app).await, before, "{method} {path} with {field}: nothing written");
    }
    assert_eq!(app.count("people", "email LIKE 'mass%'").await, 0);
}

/// The scopes each operation names in the document's OAuth 2.0 requirements are the ones
/// the service accepts from a machine client: a client holding only one of them is let in,
/// and a client holding every other scope is refused (403, or 404 for a record it may not
/// see).
#[tokio::test]
async fn each_documented_scope_is_one_the_service_accepts() {
    let app = TestApp::spawn_with(&[("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")]).await;
    let doc: Value = app.get("/openapi.json").send().await.unwrap().json().await.unwrap();
    let fx = fixture(&app).await;
    let coordinator = fx.token(Who::Coordinator).unwrap().to_string();
    let mut scoped: Vec<(String, &String, Vec<&str>)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let mut scopes = Vec::new();
            for requirement in op["security"].as_array().into_iter().flatten() {
                let named: Vec<&str> =
                    requirement["oauth2"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                assert!(named.len() <= 1, "{method} {path}: one requirement names several scopes");
                scopes.extend(named);
            }
            if !scopes.is_empty() {
                assert!(scopes.iter().all(|s| ALL_SCOPES.contains(s)), "{method} {path}: unknown scope in {scopes:?}");
                scoped.push((method.to_uppercase(), path, scopes));
            }
        }
    }
    assert!(scoped.len() >= 30, "only {} operations name a scope", scoped.len());
    scoped.sort_by_key(|(m, ..)| m == "DELETE");
    let mut tokens: std::collections::HashMap<Vec<&str>, String> = std::collections::HashMap::new();
    let mut failures = Vec::new();
    for (method, path, accepted) in &scoped {
        let without: Vec<&str> = ALL_SCOPES.iter().copied().filter(|s| !accepted.contains(s)).collect();
        // Refused first, so the allowed calls (which may delete) come after.
        let mut tries = vec![(without, false)];
        tries.extend(accepted.iter().map(|s| (vec![*s], true)));
        for (held, allowed) in tries {
            if !tokens.contains_key(&held) {
                let token = app.client_token(&coordinator, &held).await;
                tokens.insert(held.clone(), token);
            }
            let mut req =
                app.client.request(method.parse().unwrap(), app.url(&fx.path(path))).bearer_auth(&tokens[&held]);
            if ["PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
                req = req.header("If-Match", "\"1\"");
            }
            match body(&fx, method, path) {
                Some(Body::Json(b)) => req = req.json(&b),
                Some(Body::Csv(c)) => req = req.header("Content-Type", "text/csv").body(c),
                None => {}
            }
            let status = req.send().await.unwrap().status().as_u16();
            // The fixture's records exist, so a client the scope lets in also finds them
            // (a 404 would hide a scope that does not open the record); deletions and
            // deliveries may already be gone.
            let may_be_gone = method == "DELETE" || path.contains("{delivery}");
            let refused: &[u16] = if may_be_gone { &[401, 403] } else { &[401, 403, 404] };
            let ok = if allowed { !refused.contains(&status) } else { [403, 404].contains(&status) };
            if !ok {
                let who = if allowed { format!("holding only {held:?}") } else { format!("without {accepted:?}") };
                failures.push(format!("{method} {path}: a client {who} got {status}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
