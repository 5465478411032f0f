//! Which problem codes each operation can answer, in the document and at run time.
//!
//! Every problem answer of every operation lists its codes (in its description, and as one
//! example per code from `components/examples`): the codes any operation of its shape can
//! give (a body can be malformed, a token invalid, an `If-Match` stale) and those of its
//! own rules (`SPECIFIC`). With `STRICT_PROBLEM_CODES` (the suite and the contract run set
//! it), the service answers 500 instead of a problem its operation does not list, so a new
//! rule cannot ship undocumented.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use crate::error::ProblemCode::{self, *};

/// Codes an operation's own rules give, by operationId (its shape's codes come on top).
const SPECIFIC: &[(&str, &[ProblemCode])] = &[
    ("issue_token", &[InvalidRequest, UnsupportedGrantType, InvalidGrant, InvalidClient, InvalidScope]),
    ("revoke_token", &[InvalidRequest]),
    ("register", &[EmailTaken]),
    ("activate_account", &[InvalidToken, AccountNotPending]),
    ("confirm_email_change", &[InvalidToken, EmailTaken]),
    ("confirm_password_reset", &[InvalidToken]),
    ("request_email_change", &[EmailTaken]),
    ("create_affiliate", &[AffiliateCodeTaken, EmailTaken]),
    ("grant_role", &[RoleAboveOwn, AccountNotActive]),
    ("revoke_role", &[RoleAboveOwn]),
    ("set_person_status", &[RoleAboveOwn, OwnAccount, AccountNotActivated]),
    ("rotate_client_secret", &[ClientRevoked]),
    ("create_client", &[InvalidScope]),
    ("publish_policy_version", &[PolicyVersionExists]),
    ("publish_fee", &[FeeVersionExists]),
    ("record_invoice_entry", &[OwnRecord, InvoiceVoid, ConcurrentUpdate]),
    ("join_membership", &[PlanInactive]),
    ("record_external_membership", &[OwnRecord]),
    ("start_application", &[AccountNotActive, ApplicationOpen, NoPolicy, NothingToReinstate]),
    ("sign_attestation", &[ApplicationNotEditable]),
    ("submit_application", &[SubmissionBlocked, InvalidState]),
    ("withdraw_application", &[InvalidState]),
    ("add_portfolio_entry", &[ApplicationNotEditable, PortfolioFull]),
    ("replace_portfolio_entry", &[ApplicationNotEditable]),
    ("remove_portfolio_entry", &[ApplicationNotEditable]),
    ("verify_portfolio_entry", &[OwnRecord]),
    ("invite_reference", &[ConflictOfInterest, ApplicationNotEditable, TooManyReferences]),
    ("resend_reference", &[ReferenceAnswered]),
    ("assign_reviewer", &[OwnRecord, ConflictOfInterest, InvalidState, AlreadyAssigned, ReviewersFull]),
    ("submit_recommendation", &[OwnRecord, InvalidState]),
    ("decide_application", &[OwnRecord, InvalidState, ReviewsIncomplete]),
    ("list_reviews", &[OwnRecord]),
    ("list_advisory_feedback", &[OwnRecord]),
    ("register_for_exam", &[InvalidState, AlreadyRegistered, SittingFull]),
    ("record_exam_result", &[ExamFeeUnpaid, ResultRecorded]),
    ("open_renewal", &[NotDue, RenewalExists]),
    ("attest_renewal", &[RenewalNotEditable]),
    ("add_renewal_entry", &[RenewalNotEditable, RenewalFull]),
    ("remove_renewal_entry", &[RenewalNotEditable]),
    ("get_renewal_readiness", &[NoPolicy]),
    ("submit_renewal", &[RenewalClosed, InvalidState, NoPolicy]),
    ("approve_renewal", &[OwnRecord, InvalidState, RenewalFeeUnpaid]),
    ("return_renewal", &[OwnRecord, InvalidState]),
    ("run_bulk_renewal_action", &[TooManyItems]),
    ("decide_scholarship_request", &[OwnRecord, InvalidState, BudgetExceeded]),
    ("import_people", &[InvalidCsv, ImportRejected]),
    ("import_memberships", &[InvalidCsv, ImportRejected]),
    ("sync_people", &[TooManyItems, ConcurrentSync]),
    ("sync_memberships", &[TooManyItems, ConcurrentSync]),
    ("sync_endorsements", &[TooManyItems, ConcurrentSync]),
    ("sync_renewal_entries", &[TooManyItems, ConcurrentSync]),
    ("redeliver_webhook_delivery", &[SubscriptionDisabled, InvalidState]),
    ("get_metrics", &[Unauthenticated]),
    ("record_mail_provider_event", &[InvalidSignature]),
];

/// The status a code is answered with, and a detail the service writes with it. A bearer
/// token's `invalid_token` is a 401 (see `shared`); a link's or code's is this 400.
pub fn example(code: ProblemCode) -> (u16, &'static str) {
    match code {
        AccountClaimed => (409, "The person has claimed this account; sync no longer changes it."),
        AccountExists => (409, "Another account already uses this email."),
        AccountNotActivated => (409, "The account was never activated; resend its temporary login instead."),
        AccountNotActive => (409, "The account is not active."),
        AccountNotPending => (409, "This account is already activated."),
        AffiliateCodeTaken => (409, "An affiliate with code `wa` already exists."),
        AlreadyAssigned => (409, "This reviewer is already assigned."),
        AlreadyRegistered => (409, "You are registered for a sitting already."),
        ApplicationNotEditable => {
            (409, "The portfolio can change only while the application is a draft or deferred; it is submitted.")
        }
        ApplicationOpen => (409, "You already have an open IFS application."),
        BadRequest => (400, "Bad Request"),
        BudgetExceeded => (409, "The fund's remaining budget does not cover this award; waitlist it or award less."),
        ClientRevoked => (409, "This client is revoked."),
        ConcurrentSync => (409, "Another sync of this affiliate's people is running; retry shortly."),
        ConcurrentUpdate => (409, "The invoice changed at the same time; retry."),
        ConflictOfInterest => (403, "A reviewer of this application cannot also rate it."),
        DuplicateItem => (409, "An earlier item of this request has the same external id."),
        EmailOwnedByPerson => (409, "This email belongs to an account its person created."),
        EmailTaken => (409, "An account with this email already exists."),
        ExamFeeUnpaid => (409, "The exam fee is not settled."),
        ExternalIdTaken => (409, "Another record of this affiliate has this external id."),
        FeeVersionExists => (409, "This fee already has a version from that date."),
        Forbidden => (403, "Only the affiliate's coordinators do this."),
        HeadersTooLarge => (431, "Request Header Fields Too Large"),
        IdempotencyKeyReused => (422, "This Idempotency-Key was already used with a different request."),
        IdempotencyRequestInProgress => {
            (409, "A request with this Idempotency-Key is still being processed; retry shortly.")
        }
        ImportRejected => (422, "1 of 2 rows have problems; nothing was imported."),
        InternalError => (500, "An unexpected error occurred."),
        InvalidClient => (401, "The client id or secret is wrong, or the client is revoked."),
        InvalidCsv => (400, "Unknown column `mail`; the columns are: external_id, email, given_name, family_name, …"),
        InvalidGrant => (400, "The email or password is not right, or the account is not active."),
        InvalidIdempotencyKey => (400, "Idempotency-Key must be 1-255 visible ASCII characters."),
        InvalidPathParameter => (400, "A path parameter is invalid: the year must be between 2000 and 2200."),
        InvalidQuery => (400, "A query parameter is invalid; see `errors`."),
        InvalidRequest => (400, "The token request is not a valid form."),
        InvalidScope => (400, "This client does not hold `payments:write`."),
        InvalidSignature => {
            (400, "The `webhook-signature` does not verify, or `webhook-timestamp` is more than 5 minutes off.")
        }
        InvalidState => (409, "This application is submitted: cannot Submit an application that is submitted."),
        InvalidToken => (400, "This link or code is not valid: it may have expired or been used already."),
        InvoiceVoid => (409, "This invoice is void."),
        LengthRequired => (411, "Length Required"),
        LinkedElsewhere => (409, "This account is linked to another external id."),
        MalformedJson => (400, "The request body is not valid JSON: EOF while parsing a value at line 1 column 14"),
        MethodNotAllowed => (405, "This resource supports GET, PATCH, OPTIONS."),
        NoPolicy => (409, "Washington has no policy for IFS in force today."),
        NotAcceptable => (406, "Not Acceptable"),
        NotDue => (409, "No endorsement of this person is due for renewal in 2026."),
        NotFound => (404, "Application was not found."),
        NotOwned => (409, "This account was not created by this affiliate's sync or imports."),
        NothingToReinstate => (409, "You hold no lapsed IFS endorsement."),
        NumberTaken => (409, "Another endorsement has this number."),
        OwnAccount => (409, "You cannot change the status of your own account."),
        OwnRecord => {
            (403, "You cannot decide, review or assign reviewers on your own record; another coordinator does it.")
        }
        PayloadTooLarge => (413, "The request body exceeds the limit of 1048576 bytes."),
        PlanInactive => (409, "This plan is no longer offered."),
        PolicyVersionExists => (409, "A version of this policy takes effect on that date already."),
        PortfolioFull => (409, "An application holds at most 500 portfolio entries."),
        PreconditionFailed => (
            412,
            "The resource has changed since you read it (If-Match does not match its ETag); read it again and retry.",
        ),
        PreconditionRequired => (428, "This request must carry an If-Match header with the resource's current ETag."),
        RateLimited => (429, "Too many requests; retry after 42 seconds."),
        RecordGone => (409, "The record this external id named was deleted."),
        ReferenceAnswered => (409, "This reference has answered; it cannot be resent."),
        RenewalClosed => (409, "The renewal period for 2026 is closed."),
        RenewalExists => (409, "This renewal was opened at the same time."),
        RenewalFeeUnpaid => (409, "The renewal fee is not settled."),
        RenewalFull => (409, "A renewal holds at most 2000 entries."),
        RenewalNotEditable => (409, "This renewal is submitted."),
        RequestTimeout => (408, "Request Timeout"),
        ResultRecorded => (409, "A result is already recorded for this registration."),
        ReviewersFull => (409, "This application has its two reviewers."),
        ReviewsIncomplete => (409, "1 of 2 reviewers have recommended."),
        RoleAboveOwn => (403, "You can grant or revoke only roles you hold yourself."),
        ServiceUnavailable => (503, "The service is temporarily unavailable; retry shortly."),
        SittingFull => (409, "This sitting is full."),
        StaffAccount => (409, "Accounts with a staff role are never changed by sync or imports."),
        SubmissionBlocked => (409, "The application is complete, but cannot be submitted yet; see `errors`."),
        SubscriptionDisabled => (409, "Enable the subscription first (PATCH with `enabled: true`)."),
        TooManyItems => (413, "A request carries at most 500 items; this one has 501. Split it."),
        TooManyReferences => (409, "An application has at most 6 references."),
        Unauthenticated => (401, "This endpoint needs an access token (`Authorization: Bearer ...`)."),
        UnreadableBody => (400, "The request body could not be read."),
        UnsupportedGrantType => {
            (400, "Grant type `implicit` is not supported; use password, refresh_token or client_credentials.")
        }
        UnsupportedMediaType => (415, "The request body must be application/json, not `text/plain`."),
        UriTooLong => (414, "URI Too Long"),
        ValidationFailed => (422, "The request failed validation; see `errors`."),
    }
}

/// Codes the transport answers on any route (an unknown method, oversized headers): they
/// are documented once, in the document's description, not per operation.
const TRANSPORT: &[ProblemCode] =
    &[MethodNotAllowed, NotAcceptable, RequestTimeout, LengthRequired, UriTooLong, HeadersTooLarge];

/// What an operation's shape lets a request get wrong.
struct Shape {
    secured: bool,
    body: bool,
    query: bool,
    path: bool,
    idempotent_post: bool,
}

impl Shape {
    fn of(path: &str, method: &str, op: &Value) -> Shape {
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let has = |place: &str| params.iter().any(|p| p["in"] == place);
        let secured = op["security"]
            .as_array()
            .is_some_and(|reqs| reqs.iter().any(|r| r.as_object().is_some_and(|m| !m.is_empty())));
        Shape {
            secured,
            body: op.get("requestBody").is_some(),
            query: has("query"),
            path: has("path"),
            idempotent_post: method == "post" && !path.starts_with("/v1/auth/"),
        }
    }

    /// The codes any operation of this shape can give with `status`.
    fn shared(&self, status: u16) -> Vec<ProblemCode> {
        match status {
            400 => [
                (true, BadRequest),
                (self.body, MalformedJson),
                (self.body, UnreadableBody),
                (self.query, InvalidQuery),
                (self.path, InvalidPathParameter),
                (self.idempotent_post, InvalidIdempotencyKey),
            ]
            .into_iter()
            .filter_map(|(applies, code)| applies.then_some(code))
            .collect(),
            401 if self.secured => vec![Unauthenticated, InvalidToken, InvalidRequest],
            403 if self.secured => vec![Forbidden],
            404 => vec![NotFound],
            409 if self.idempotent_post => vec![IdempotencyRequestInProgress],
            412 => vec![PreconditionFailed],
            413 => vec![PayloadTooLarge],
            415 => vec![UnsupportedMediaType],
            422 if self.idempotent_post => vec![ValidationFailed, IdempotencyKeyReused],
            422 => vec![ValidationFailed],
            428 => vec![PreconditionRequired],
            429 => vec![RateLimited],
            500 => vec![InternalError],
            503 => vec![ServiceUnavailable],
            _ => Vec::new(),
        }
    }
}

fn specific(op_id: &str) -> &'static [ProblemCode] {
    SPECIFIC.iter().find(|(id, _)| *id == op_id).map_or(&[], |(_, codes)| codes)
}

/// Writes each operation's problem answers with their codes: a shared answer becomes the
/// operation's own copy, and an operation's own rule adds the answer when it was missing.
pub fn describe(doc: &mut Value) {
    let shared: Map<String, Value> =
        doc.pointer("/components/responses").and_then(Value::as_object).cloned().unwrap_or_default();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            if op.get("operationId").is_none() {
                continue;
            }
            let shape = Shape::of(path, method, op);
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            let mut by_status: BTreeMap<u16, Vec<ProblemCode>> = BTreeMap::new();
            for status in responses.keys().filter_map(|s| s.parse::<u16>().ok()).filter(|s| *s >= 400) {
                by_status.entry(status).or_default().extend(shape.shared(status));
            }
            for code in specific(&id) {
                by_status.entry(example(*code).0).or_default().push(*code);
            }
            for (status, mut codes) in by_status {
                if codes.is_empty() {
                    codes.push(crate::http::problem_guard::code_for(
                        actix_web::http::StatusCode::from_u16(status)
                            .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST),
                    ));
                }
                let mut seen = BTreeSet::new();
                codes.retain(|c| seen.insert(*c));
                let key = status.to_string();
                let answer = responses.remove(&key).unwrap_or_else(|| json!({"description": reason(status)}));
                responses.insert(key, own_answer(answer, &shared, &codes));
            }
        }
    }
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else { return };
    components.remove("responses");
    let examples: Map<String, Value> = ProblemCode::ALL
        .iter()
        .filter(|c| !TRANSPORT.contains(c))
        .map(|code| {
            let (status, detail) = example(*code);
            let title = actix_web::http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error");
            let value = json!({
                "type": format!("urn:endorse:problem:{code}"),
                "title": title,
                "status": status,
                "detail": detail,
                "code": code.as_str(),
            });
            (example_name(*code), json!({"summary": code.as_str(), "value": value}))
        })
        .collect();
    components.insert("examples".into(), Value::Object(examples));
}

fn reason(status: u16) -> &'static str {
    actix_web::http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error")
}

fn example_name(code: ProblemCode) -> String {
    format!("problem-{code}")
}

/// `answer` (the operation's, or the shared one it referred to) listing `codes`.
fn own_answer(answer: Value, shared: &Map<String, Value>, codes: &[ProblemCode]) -> Value {
    let mut answer = match answer.get("$ref").and_then(Value::as_str) {
        Some(target) => {
            shared.get(target.trim_start_matches("#/components/responses/")).cloned().unwrap_or_else(|| json!({}))
        }
        None => answer,
    };
    let listed = codes.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
    let description = answer["description"].as_str().unwrap_or_default().trim_end_matches('.').to_string();
    answer["description"] = Value::from(format!("{description}. Codes: {listed}."));
    let examples: Map<String, Value> = codes
        .iter()
        .map(|c| (c.as_str().to_string(), json!({"$ref": format!("#/components/examples/{}", example_name(*c))})))
        .collect();
    let mut media = answer.pointer("/content/application~1problem+json").cloned().unwrap_or_else(|| json!({}));
    media["schema"] = json!({"$ref": "#/components/schemas/Problem"});
    if let Some(m) = media.as_object_mut() {
        m.remove("example");
        m.insert("examples".into(), Value::Object(examples));
    }
    answer["content"] = json!({ "application/problem+json": media });
    answer
}

/// The codes the document lists for each operation's answers: what `STRICT_PROBLEM_CODES`
/// holds the service to.
pub struct Catalog {
    ops: HashMap<(String, String), HashMap<u16, BTreeSet<String>>>,
}

impl Catalog {
    pub fn from_document(doc: &Value) -> Catalog {
        let mut ops = HashMap::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let mut statuses = HashMap::new();
                for (status, answer) in op["responses"].as_object().into_iter().flatten() {
                    let Ok(status) = status.parse::<u16>() else { continue };
                    let codes = answer
                        .pointer("/content/application~1problem+json/examples")
                        .and_then(Value::as_object)
                        .map(|e| e.keys().cloned().collect())
                        .unwrap_or_default();
                    statuses.insert(status, codes);
                }
                ops.insert((method.to_uppercase(), path.clone()), statuses);
            }
        }
        Catalog { ops }
    }

    /// Whether the operation at `pattern` (actix's, `{kind:a|b}` read as `{kind}`) lists
    /// `code` for `status`. Routes outside the document and transport codes are not held.
    pub fn allows(&self, method: &str, pattern: &str, status: u16, code: ProblemCode) -> bool {
        if TRANSPORT.contains(&code) {
            return true;
        }
        let Some(statuses) = self.ops.get(&(method.to_string(), document_path(pattern))) else { return true };
        statuses.get(&status).is_some_and(|codes| codes.contains(code.as_str()))
    }
}

/// `/v1/x/{kind:a|b}` as the document writes it: `/v1/x/{kind}`.
fn document_path(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut in_regex = false;
    for ch in pattern.chars() {
        match ch {
            ':' if out.rfind('{') > out.rfind('}') => in_regex = true,
            '}' => {
                in_regex = false;
                out.push(ch);
            }
            _ if in_regex => {}
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actix_patterns_read_as_document_paths() {
        assert_eq!(
            document_path("/v1/me/renewals/{year}/entries/{kind:trainings|rsc}/{entry}"),
            "/v1/me/renewals/{year}/entries/{kind}/{entry}"
        );
        assert_eq!(document_path("/v1/people/{id}"), "/v1/people/{id}");
    }

    #[test]
    fn every_specific_entry_names_an_operation() {
        let doc = crate::openapi::document_value().unwrap();
        let ids: BTreeSet<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        for (id, _) in SPECIFIC {
            assert!(ids.contains(id), "{id} is not an operation");
        }
    }

    #[test]
    fn each_problem_answer_lists_its_codes_with_examples() {
        let doc = crate::openapi::document_value().unwrap();
        let submit = &doc["paths"]["/v1/applications/{id}/submission"]["post"]["responses"]["409"];
        let examples = submit["content"]["application/problem+json"]["examples"].as_object().unwrap();
        for code in ["submission_blocked", "invalid_state", "idempotency_request_in_progress"] {
            assert!(examples.contains_key(code), "{code} missing from {examples:?}");
        }
        assert!(submit["description"].as_str().unwrap().contains("`submission_blocked`"));
        let catalog = Catalog::from_document(&doc);
        assert!(catalog.allows("POST", "/v1/applications/{id}/submission", 409, SubmissionBlocked));
        assert!(!catalog.allows("POST", "/v1/applications/{id}/submission", 409, BudgetExceeded));
        assert!(!catalog.allows("GET", "/v1/people/{id}", 409, InvalidState));
    }
}
