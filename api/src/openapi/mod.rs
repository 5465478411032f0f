//! The OpenAPI document, generated from the routes themselves. Shared answers (problem
//! responses, `Idempotency-Key`, `If-Match`) are added to every operation they apply to,
//! so that no handler can forget them; `bounds` then states the limits and headers that
//! apply everywhere.
use actix_web::App;
use serde_json::json;
use utoipa::{
    Modify, OpenApi,
    openapi::{
        self, Content, Ref, RefOr, Required,
        path::{Operation, Parameter, ParameterBuilder, ParameterIn},
        response::ResponseBuilder,
        schema::{ObjectBuilder, Type},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};
use utoipa_actix_web::AppExt;

use crate::domain::scopes::{Scope, describe};

use crate::{error::FieldError, error::Problem};

pub mod bounds;
mod events;
mod examples;
mod pages;
pub mod problems;
mod unions;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "endorse API",
        description = "Professional endorsement (IMH-E® and ECMH-E®) for infant and early childhood mental health associations: registration, membership, credential applications, renewals and scholarships.\n\nErrors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`. Lists use opaque cursors. Changes need `If-Match` with the resource's `ETag`. POSTs accept `Idempotency-Key`. A request body is at most 1 MiB (`MAX_BODY_BYTES`; 413 beyond), whatever the limits of its parts.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        contact(name = "endorse maintainers", email = "endorse@example.org")
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "auth", description = "Tokens, keys and the signed-in person"),
        (name = "affiliates", description = "Associations that run endorsement"),
        (name = "registration", description = "Registering for endorsement and activating the account"),
        (name = "accounts", description = "One's own profile, password and email"),
        (name = "people", description = "People of an affiliate, for its staff"),
        (name = "memberships", description = "Membership plans and memberships"),
        (name = "billing", description = "Fee schedules, invoices, payments, waivers and refunds"),
        (name = "catalog", description = "Credential families and categories, versioned policies, evaluations and the fit check"),
        (name = "schedule", description = "Submission deadlines, exam weeks, informational sessions, renewal periods"),
        (name = "applications", description = "Credential applications: start, readiness, Code of Ethics, submission, history"),
        (name = "portfolio", description = "An application's education, work, trainings and RSC received"),
        (name = "references", description = "Reference raters: invitations, and the rater's side (no account, a single-use link)"),
        (name = "review", description = "Reviewers, recommendations and decisions"),
        (name = "exam", description = "Exam sittings, registrations and results"),
        (name = "endorsements", description = "Endorsements held, the public registry, verification and signed credentials"),
        (name = "renewals", description = "Renewal periods, yearly renewals, lapse and reminder jobs"),
        (name = "reports", description = "Dashboard counts for coordinators and `reports:read` clients"),
        (name = "webhooks", description = "Webhook subscriptions (Standard Webhooks), their delivery log and redelivery (`webhooks:manage`)"),
        (name = "sync", description = "Partner sync: the change feed (`sync:read`), bulk upserts by external id and CSV imports (`sync:write`)"),
        (name = "scholarships", description = "Scholarship funds, requests and awards"),
        (name = "messages", description = "An affiliate's email templates: list, read, replace, reset and preview (coordinators)"),
        (name = "clients", description = "Machine clients (OAuth 2.0 client credentials) for partners and scripts"),
        (name = "operations", description = "Health, readiness, metrics and documentation")
    ),
    components(schemas(Problem, FieldError, crate::error::FieldErrorCode, crate::error::ProblemCode)),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from `POST /v1/auth/token`: a JWS (RFC 7515) signed with EdDSA and typed `at+jwt` (RFC 9068), issued and checked as RFC8725 (JSON Web Token Best Current Practices) asks: one pinned algorithm (`none`, HMAC and every other are refused), an explicit `typ`, a known key id, and required `iss`, `aud`, `exp`, `nbf` and `sub` claims.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme("oauth2", oauth2_scheme());
    }
}

/// The token endpoint as OAuth 2.0 (RFC 6749) describes it: people sign in with the
/// password flow, machine clients with client credentials, and both refresh at the same
/// URL. Operations a machine client may call name the scope it needs.
fn oauth2_scheme() -> SecurityScheme {
    use utoipa::openapi::security::{ClientCredentials, Flow, OAuth2, Password, Scopes};
    const TOKEN_URL: &str = "/v1/auth/token";
    let scopes = || Scopes::from_iter(Scope::ALL.iter().map(|s| (s.as_str(), describe(*s))));
    SecurityScheme::OAuth2(OAuth2::with_description(
        [
            Flow::Password(Password::with_refresh_url(TOKEN_URL, Scopes::new(), TOKEN_URL)),
            Flow::ClientCredentials(ClientCredentials::new(TOKEN_URL, scopes())),
        ],
        "`POST /v1/auth/token` (as JSON or a form). A person's token (password flow, then `refresh_token`) \
         carries no scope: what a person may do follows their roles, as each operation says. A machine \
         client's token (client credentials) carries the scopes it asks for among those it holds; an \
         operation a client may call lists the one scope it needs. Either token is sent as `Authorization: \
         Bearer` (the `bearer` scheme): a JWS typed `at+jwt` (RFC 9068), issued and checked as RFC8725 \
         (JSON Web Token Best Current Practices) asks, short-lived (15 minutes by default); client \
         credentials get no refresh token and ask again.",
    ))
}

/// The complete document: routes collected from the app, then the shared answers added.
pub fn document() -> openapi::OpenApi {
    let (_, mut doc) =
        App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(crate::features::configure).split_for_parts();
    add_shared_answers(&mut doc);
    prune_unreferenced_schemas(&mut doc);
    doc
}

/// Drops component schemas nothing refers to (generic pages inline their items, leaving
/// the item's own schema behind), repeating until none is left over.
fn prune_unreferenced_schemas(doc: &mut openapi::OpenApi) {
    loop {
        let text = serde_json::to_string(&*doc).unwrap_or_default();
        let Some(components) = doc.components.as_mut() else { return };
        let unused: Vec<String> = components
            .schemas
            .keys()
            .filter(|name| !text.contains(&format!("\"#/components/schemas/{name}\"")))
            .filter(|name| !["Problem", "FieldError", "FieldErrorCode", "ProblemCode"].contains(&name.as_str()))
            .cloned()
            .collect();
        if unused.is_empty() {
            return;
        }
        for name in unused {
            components.schemas.remove(&name);
        }
    }
}

/// An import row's field error carries its row's problem code, so the document's
/// `FieldErrorCode` lists every `ProblemCode` too (one enum, which every generator types).
fn field_codes_include_problem_codes(doc: &mut serde_json::Value) {
    let Some(codes) = doc.pointer_mut("/components/schemas/FieldErrorCode/enum").and_then(|v| v.as_array_mut()) else {
        return;
    };
    for code in crate::error::ProblemCode::ALL {
        if !codes.iter().any(|c| c == code.as_str()) {
            codes.push(serde_json::Value::from(code.as_str()));
        }
    }
}

/// The document as served and committed: [`document`] with the limits and headers of
/// [`bounds`] filled in (some, such as a response header being required, have no place
/// in utoipa's types).
pub fn document_value() -> Result<serde_json::Value, serde_json::Error> {
    finish(&document())
}

/// [`document_value`] of a document already built.
pub fn finish(doc: &openapi::OpenApi) -> Result<serde_json::Value, serde_json::Error> {
    finish_counting_misses(doc).map(|(value, _)| value)
}

/// [`finish`], with the properties whose example had no value of its own.
fn finish_counting_misses(doc: &openapi::OpenApi) -> Result<(serde_json::Value, Vec<String>), serde_json::Error> {
    let mut value = serde_json::to_value(doc)?;
    pages::name_pages(&mut value);
    field_codes_include_problem_codes(&mut value);
    pages::name_labels(&mut value);
    events::describe(&mut value);
    unions::discriminate(&mut value);
    problems::describe(&mut value);
    bounds::apply(&mut value);
    let misses = examples::fill(&mut value);
    Ok((value, misses))
}

pub fn document_json() -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&document_value()?).map(|s| s + "\n")
}

/// (status, component name, description, example code, example detail)
const SHARED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "400",
        "BadRequest",
        "Malformed request: invalid JSON, bad path or query parameters",
        "malformed_json",
        "The request body is not valid JSON: EOF while parsing an object at line 1 column 1",
    ),
    (
        "401",
        "Unauthorized",
        "Missing, expired or invalid access token",
        "invalid_token",
        "The access token is invalid or has expired.",
    ),
    (
        "403",
        "Forbidden",
        "The caller may not do this: a missing role or scope, a machine client on a route for people, or another affiliate's path",
        "forbidden",
        "You may not do this.",
    ),
    (
        "409",
        "Conflict",
        "Conflicts with the current state, or the same Idempotency-Key is still in progress",
        "idempotency_request_in_progress",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
    ),
    (
        "412",
        "PreconditionFailed",
        "If-Match does not match the current ETag",
        "precondition_failed",
        "The resource has changed since you read it (If-Match does not match its ETag); read it again and retry.",
    ),
    (
        "413",
        "PayloadTooLarge",
        "Request body over the size limit",
        "payload_too_large",
        "The request body exceeds the limit of 1048576 bytes.",
    ),
    (
        "415",
        "UnsupportedMediaType",
        "Request body is not JSON",
        "unsupported_media_type",
        "The request body must be application/json, not `text/plain`.",
    ),
    (
        "422",
        "UnprocessableContent",
        "Validation failed (see `errors`), or the Idempotency-Key was used with another request",
        "validation_failed",
        "The request failed validation; see `errors`.",
    ),
    (
        "428",
        "PreconditionRequired",
        "If-Match is required",
        "precondition_required",
        "This request must carry an If-Match header with the resource's current ETag.",
    ),
    (
        "429",
        "TooManyRequests",
        "Over the rate limit (per caller, or a stricter one of the route); see Retry-After",
        "rate_limited",
        "Too many requests; retry after 42 seconds.",
    ),
    (
        "500",
        "InternalError",
        "Unexpected error (details are logged, never returned)",
        "internal_error",
        "An unexpected error occurred.",
    ),
    (
        "503",
        "ServiceUnavailable",
        "A dependency (the database) is unavailable; retry later",
        "service_unavailable",
        "The service is temporarily unavailable; retry shortly.",
    ),
];

fn add_shared_answers(doc: &mut openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    for (status, name, description, code, detail) in SHARED {
        let title = actix_web::http::StatusCode::from_bytes(status.as_bytes())
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error");
        let example = json!({
            "type": format!("urn:endorse:problem:{code}"),
            "title": title,
            "status": status.parse::<u16>().unwrap_or(500),
            "detail": detail,
            "code": code,
        });
        let mut content = Content::new(Some(Ref::from_schema_name("Problem")));
        content.example = Some(example);
        let mut response =
            ResponseBuilder::new().description(*description).content("application/problem+json", content);
        if *status == "412" {
            let etag = utoipa::openapi::header::HeaderBuilder::new()
                .schema(Some(utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String)))
                .description(Some(
                    "The resource's current version: retry with it in `If-Match` after reading the change.",
                ))
                .build();
            response = response.header("ETag", etag);
        }
        let response = response.build();
        components.responses.insert((*name).to_string(), RefOr::T(response));
    }

    let mut used = std::collections::BTreeSet::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        let is_auth = path.starts_with("/v1/auth/");
        let ops: [(&str, &mut Option<Operation>); 5] = [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("patch", &mut item.patch),
            ("delete", &mut item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op.as_mut() else { continue };
            // A shared path parameter (`AffiliatePath`) and the one actix infers from the
            // route are the same parameter: keep the first, which carries the description.
            if let Some(params) = op.parameters.as_mut() {
                let mut seen = std::collections::BTreeSet::new();
                params.retain(|p| match p {
                    RefOr::T(p) => {
                        seen.insert((p.name.clone(), serde_json::to_string(&p.parameter_in).unwrap_or_default()))
                    }
                    RefOr::Ref(_) => true,
                });
            }
            // An operation that declares no security takes a person's token, by the bearer or
            // the OAuth 2.0 scheme (public ones say `security(())`; those a machine client may
            // call name its scope), so handlers do not repeat it.
            if op.security.is_none() {
                op.security = Some(vec![
                    utoipa::openapi::security::SecurityRequirement::new("bearer", Vec::<String>::new()),
                    utoipa::openapi::security::SecurityRequirement::new("oauth2", Vec::<String>::new()),
                ]);
            }
            describe_operation(method, op);
            let secured = op.security.as_ref().is_some_and(|reqs| reqs.iter().any(|r| r != &Default::default()));
            let has_body = op.request_body.is_some();
            let changes = matches!(method, "put" | "patch" | "delete");
            // Any route refuses a cross-origin request from an origin outside CORS_ORIGINS.
            let mut wanted = vec!["400", "429", "500", "503"];
            if secured {
                wanted.extend(["401", "403"]);
            }
            if has_body {
                wanted.extend(["413", "415", "422"]);
            }
            if method == "post" && !is_auth {
                wanted.extend(["409", "422"]);
                push_param(op, idempotency_key_param());
            }
            if changes {
                wanted.extend(["412", "428"]);
                push_param(op, if_match_param());
            }
            for status in wanted {
                if op.responses.responses.contains_key(status) {
                    continue;
                }
                if let Some((_, name, ..)) = SHARED.iter().find(|(s, ..)| *s == status) {
                    op.responses.responses.insert(status.to_string(), RefOr::Ref(Ref::from_response_name(*name)));
                    used.insert(*name);
                }
            }
        }
    }
    prune_unused(doc, &used);
}

/// A summary a client reads at a glance (at most 80 characters: the first sentence, or its
/// head), and a description with the whole text, who may call the operation and, for a
/// read, that it changes nothing.
fn describe_operation(method: &str, op: &mut Operation) {
    let full = op.summary.take().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
    let mut parts = vec![full.clone()];
    parts.extend(op.description.take());
    parts.push(format!("**Who may call it:** {}", who_may_call(op.security.as_deref().unwrap_or_default())));
    if method == "get" {
        parts.push("**What it changes:** nothing; it only reads.".to_string());
    }
    op.summary = Some(short_summary(&full));
    op.description = Some(parts.join("\n\n"));
}

/// The head of `text` that fits in 80 characters: its first sentence, else that
/// sentence up to its first parenthesis, colon or semicolon, else cut at a word.
fn short_summary(text: &str) -> String {
    const MAX: usize = 80;
    let sentence = text.split(". ").next().unwrap_or(text).trim_end_matches('.');
    let heads = [
        sentence,
        sentence.split(" (").next().unwrap_or(sentence),
        sentence.split([':', ';']).next().unwrap_or(sentence),
    ];
    if let Some(head) = heads.iter().find(|h| !h.is_empty() && h.chars().count() <= MAX) {
        return head.trim_end_matches([',', ' ']).to_string();
    }
    let mut cut = String::new();
    for word in sentence.split(' ') {
        if cut.chars().count() + word.chars().count() + 2 > MAX {
            break;
        }
        cut = if cut.is_empty() { word.to_string() } else { format!("{cut} {word}") };
    }
    format!("{cut}…")
}

/// Who may call an operation, read off its security requirements.
fn who_may_call(requirements: &[utoipa::openapi::security::SecurityRequirement]) -> String {
    let value = serde_json::to_value(requirements).unwrap_or_default();
    let reqs = value.as_array().cloned().unwrap_or_default();
    let open = reqs.iter().any(|r| r.as_object().is_some_and(|m| m.is_empty()));
    let scopes: Vec<String> = reqs
        .iter()
        .filter_map(|r| r.get("oauth2").and_then(|s| s.as_array()))
        .flatten()
        .filter_map(|s| s.as_str().map(|s| format!("`{s}`")))
        .collect();
    match (open, reqs.len()) {
        (true, 1) => "anyone; no token is needed.".to_string(),
        (true, _) => "anyone; a token, when one is sent, may show more, as said above.".to_string(),
        _ if scopes.is_empty() => "a signed-in person whose roles allow it, as said above; machine clients hold no \
            scope that opens it."
            .to_string(),
        _ => format!(
            "a signed-in person whose roles allow it, as said above, or a machine client of the affiliate holding {}.",
            scopes.join(" or ")
        ),
    }
}

fn prune_unused(doc: &mut openapi::OpenApi, used: &std::collections::BTreeSet<&str>) {
    if let Some(components) = doc.components.as_mut() {
        components.responses.retain(|name, _| used.contains(name.as_str()));
    }
}

fn push_param(op: &mut Operation, param: Parameter) {
    op.parameters.get_or_insert_with(Vec::new).push(RefOr::T(param));
}

fn idempotency_key_param() -> Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes the POST safe to retry: the first outcome is stored for 24 hours and replayed (with `Idempotent-Replayed: true`) for the same key and body; another body with the same key answers 422; a retry while the first is running answers 409. Keys belong to the caller: the token's subject or, without a token, the client address and the route.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!-~]+$")),
        ))
        .build()
}

fn if_match_param() -> Parameter {
    ParameterBuilder::new()
        .name("If-Match")
        .parameter_in(ParameterIn::Header)
        .required(Required::True)
        .description(Some("The resource's current ETag (e.g. `\"3\"`). Without it: 428; stale: 412."))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}
