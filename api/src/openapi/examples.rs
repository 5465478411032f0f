//! An example on every JSON request body and answer, in Washington's terms. A schema that
//! states its own `example` is shown as written; any other is composed from its schema,
//! property by property, with the value a Washington record would hold for that name
//! (`VALUES`), so that examples stay right when a DTO gains a field. The suite validates
//! each against its schema, and `MISSES` stays empty: a new text property gets its value
//! here rather than a placeholder.
use serde_json::{Map, Value, json};

/// Fills in the missing examples; answers the property names that had no value of their
/// own (and were shown as a placeholder).
pub fn fill(doc: &mut Value) -> Vec<String> {
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut synth = Synth { schemas: &schemas, misses: Vec::new() };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut().filter_map(Value::as_object_mut) {
                let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
                let mut media: Vec<&mut Value> = Vec::new();
                for (key, part) in op.iter_mut() {
                    match key.as_str() {
                        "requestBody" => {
                            let content = part.get_mut("content").and_then(Value::as_object_mut);
                            media.extend(content.into_iter().flat_map(|c| c.values_mut()));
                        }
                        "responses" => {
                            let answers =
                                part.as_object_mut().into_iter().flatten().filter(|(s, _)| s.starts_with('2'));
                            for (_, answer) in answers {
                                let content = answer.get_mut("content").and_then(Value::as_object_mut);
                                let shown = content
                                    .into_iter()
                                    .flatten()
                                    .filter(|(t, _)| t.ends_with("json") || *t == "text/csv");
                                media.extend(shown.map(|(_, m)| m));
                            }
                        }
                        _ => {}
                    }
                }
                for m in media {
                    if m.get("example").is_some() || m.get("examples").is_some() {
                        continue;
                    }
                    let Some(schema) = m.get("schema").cloned() else { continue };
                    if schema.get("type") == Some(&json!("string")) {
                        if let Some((_, csv)) = CSV.iter().find(|(op, _)| *op == id) {
                            m["example"] = Value::from(*csv);
                        }
                        continue;
                    }
                    m["example"] = synth.value(&schema, None, "", 0);
                }
            }
        }
    }
    synth.misses.sort();
    synth.misses.dedup();
    synth.misses
}

struct Synth<'a> {
    schemas: &'a Map<String, Value>,
    misses: Vec<String>,
}

impl Synth<'_> {
    /// The example of `schema`, the value of property `name` of component `owner`.
    fn value(&mut self, schema: &Value, name: Option<&str>, owner: &str, depth: usize) -> Value {
        if depth > 40 {
            return Value::Null;
        }
        if let Some(example) = schema.get("example") {
            return example.clone();
        }
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            let component = target.trim_start_matches("#/components/schemas/");
            return match self.schemas.get(component) {
                Some(s) => self.value(s, name, component, depth + 1),
                None => Value::Null,
            };
        }
        if let Some(value) = schema.get("const") {
            return value.clone();
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = schema.get(key).and_then(Value::as_array) {
                let branch = branches.iter().find(|b| b.get("type") != Some(&json!("null")));
                return branch.map_or(Value::Null, |b| self.value(b, name, owner, depth + 1));
            }
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for part in parts {
                match self.value(part, name, owner, depth + 1) {
                    Value::Object(fields) => merged.extend(fields),
                    other if parts.len() == 1 => return other,
                    _ => {}
                }
            }
            return Value::Object(merged);
        }
        let known = name.and_then(|n| known(owner, n));
        if let Some(v @ Value::Object(_)) = known {
            return v;
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return match known {
                Some(v) if values.contains(&v) => v,
                _ => values.first().cloned().unwrap_or(Value::Null),
            };
        }
        let kind = match schema.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(types)) => {
                types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null")
            }
            _ if schema.get("properties").is_some() => "object",
            _ => "",
        };
        match kind {
            "object" => self.object(schema, owner, depth),
            "array" => match known {
                Some(v @ Value::Array(_)) => v,
                _ => {
                    let items = schema.get("items").cloned().unwrap_or(Value::Null);
                    Value::Array(vec![self.value(&items, name.map(singular), owner, depth + 1)])
                }
            },
            "string" => self.string(schema, name, owner, known),
            "integer" => number_within(schema, known.as_ref().and_then(Value::as_i64).unwrap_or(1)).into(),
            "number" => known.filter(Value::is_number).unwrap_or(json!(1.5)),
            "boolean" => known.filter(Value::is_boolean).unwrap_or(Value::Bool(true)),
            "null" => Value::Null,
            // A schema that says nothing (`{}`): an object a client should not rely on.
            _ => json!({}),
        }
    }

    fn object(&mut self, schema: &Value, owner: &str, depth: usize) -> Value {
        let mut fields = Map::new();
        for (key, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            fields.insert(key.clone(), self.value(property, Some(key), owner, depth + 1));
        }
        if fields.is_empty()
            && let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object())
        {
            fields.insert("IFS".into(), self.value(values, None, owner, depth + 1));
        }
        Value::Object(fields)
    }

    fn string(&mut self, schema: &Value, name: Option<&str>, owner: &str, known: Option<Value>) -> Value {
        match known {
            Some(v @ Value::String(_)) => return v,
            Some(Value::Null)
                if schema.get("type").and_then(Value::as_array).is_some_and(|t| t.contains(&json!("null"))) =>
            {
                return Value::Null;
            }
            _ => {}
        }
        let format = schema.get("format").and_then(Value::as_str).unwrap_or_default();
        match format {
            "date-time" => return json!("2026-11-23T17:30:00Z"),
            "date" => return json!("2026-11-23"),
            "uuid" => return Value::from(uuid_for(if name == Some("id") { owner } else { name.unwrap_or(owner) })),
            "email" => return json!("ana.lopez@example.org"),
            "uri" => return json!("https://wa-aimh.org"),
            _ => {}
        }
        self.misses.push(format!("{owner}.{}", name.unwrap_or("(item)")));
        json!("…")
    }
}

/// A stable UUID (version 7 layout) for a name, so one record keeps its id everywhere.
fn uuid_for(name: &str) -> String {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!(
        "0194f3a0-{:04x}-7{:03x}-8{:03x}-{:012x}",
        hash >> 48,
        (hash >> 36) & 0xfff,
        (hash >> 24) & 0xfff,
        hash & 0xffff_ffff_ffff
    )
}

fn number_within(schema: &Value, wanted: i64) -> i64 {
    let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(i64::MIN);
    let max = schema.get("maximum").and_then(Value::as_i64).unwrap_or(i64::MAX);
    wanted.clamp(min, max)
}

/// `entries` → `entry`, for the value of one item of a list property.
fn singular(name: &str) -> &str {
    name.strip_suffix('s').unwrap_or(name)
}

/// The value a Washington record holds for a property: `Owner.name` first, then `name`.
fn known(owner: &str, name: &str) -> Option<Value> {
    let qualified = format!("{owner}.{name}");
    VALUES.iter().find(|(k, _)| *k == qualified).or_else(|| VALUES.iter().find(|(k, _)| *k == name)).map(|(_, v)| v())
}

/// The CSV documents of the imports and exports, by operation.
const CSV: &[(&str, &str)] = &[
    (
        "import_people",
        "external_id,email,given_name,family_name,preferred_language,city,region,country\n\
         wa-crm-10482,ana.lopez@example.org,Ana,López,es,Seattle,WA,US\n",
    ),
    (
        "import_memberships",
        "external_id,person_external_id,plan_id,starts_on,ends_on,status\n\
         wa-mem-2026-0042,wa-crm-10482,0194f3a0-0000-7000-8000-0000000000a1,2026-01-01,2026-12-31,paid\n",
    ),
    (
        "export_endorsees_csv",
        "number,category,status,issued_on,expires_on,given_name,family_name,email\n\
         WA-IFS-2026-0042,IFS,active,2026-03-15,2027-03-31,Ana,López,ana.lopez@example.org\n",
    ),
    (
        "export_renewals_csv",
        "person_id,name,email,status,renewal_id,endorsements\n\
         0194f3a0-3e4f-7f78-8e00-f78e00e95598,Ana López,ana.lopez@example.org,due,,WA-IFS-2026-0042\n",
    ),
];

type Make = fn() -> Value;

/// Values by property name (or `Component.property` where one name means different
/// things). Dates and times are Washington's (America/Los_Angeles) seasons.
const VALUES: &[(&str, Make)] = &[
    ("abbreviation", || json!("IFS")),
    ("access_token", || {
        json!(
            "eyJhbGciOiJFZERTQSIsImtpZCI6IndhLTIwMjYtMTEiLCJ0eXAiOiJhdCtqd3QifQ.eyJzdWIiOiIwMTk0ZjNhMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMTAifQ.2cT5mZXJhbGQtc2lnbmF0dXJl"
        )
    }),
    ("affiliate", || json!("wa")),
    ("affiliate_name", || json!("Washington Association for Infant Mental Health")),
    ("age_focus", || json!("infant_toddler")),
    ("also_meets_work_of", || json!("IFS")),
    ("applicant_name", || json!("Ana López")),
    ("category", || json!("IFS")),
    ("category_name", || json!("Infant Family Specialist")),
    ("city", || json!("Seattle")),
    ("client_id", || json!("wa-renewal-script")),
    ("client_secret", || json!("cs_4b1d9e0f6a2c48f7b3e5d1a9c7f2e8b0")),
    ("code", || json!("IFS")),
    ("Affiliate.code", || json!("wa")),
    ("NewAffiliate.code", || json!("wa")),
    ("comment", || json!("Ana reflects on her own responses to families and brings them to supervision.")),
    ("comments", || json!("Ana's portfolio shows sustained relationship-based work with families of infants.")),
    ("country", || json!("US")),
    ("credential", || {
        json!("eyJhbGciOiJFZERTQSIsImtpZCI6IndhLTIwMjYtMTEiLCJ0eXAiOiJ2Yytqd3QifQ.eyJpc3MiOiJ3YSJ9.c2lnbmF0dXJl")
    }),
    ("current_password", || json!("a long passphrase")),
    ("current_status", || json!("submitted")),
    ("description", || json!("For professionals working with infants, toddlers and their families in Washington.")),
    ("detail", || json!("The application is not in a status that allows this.")),
    ("employer", || json!("Childhaven")),
    ("en", || json!("Infant Family Specialist")),
    ("end_time", || json!("16:30")),
    ("endorsement_number", || json!("WA-IFS-2026-0042")),
    ("error", || json!("The endpoint answered 503 Service Unavailable.")),
    ("es", || json!("Especialista en Familia e Infancia")),
    ("event_id", || json!("01JD2Q6X4W8R7M3N5P9K2T6V8Z")),
    ("event_type", || json!("application.submitted")),
    ("external_id", || json!("wa-crm-10482")),
    ("external_reference", || json!("Check 1042 from Childhaven")),
    ("family", || json!("IMH-E")),
    ("family_name", || json!("López")),
    ("field", || json!("time_zone")),
    ("figures", || json!("Counts as of 23 November 2026, in America/Los_Angeles.")),
    ("given_name", || json!("Ana")),
    ("holder_name", || json!("Ana López")),
    ("institution", || json!("University of Washington")),
    ("issuer", || json!("https://wa.endorse.example")),
    ("jwks_uri", || json!("https://wa.endorse.example/.well-known/jwks.json")),
    ("key", || json!("IFS")),
    ("label", || json!("Infant Family Specialist")),
    ("last_error", || json!("The endpoint answered 503 Service Unavailable.")),
    ("line1", || json!("1100 Olive Way")),
    ("line2", || json!("Suite 200")),
    ("location", || json!("Seattle Central Library, 1000 4th Ave, Seattle")),
    ("message", || json!("`Mars/Olympus` is not an IANA time zone")),
    ("missing", || json!("12 more hours of reflective supervision received")),
    ("name", || json!("Washington Association for Infant Mental Health")),
    ("Category.name", || json!("Infant Family Specialist")),
    ("Plan.name", || json!("Individual membership")),
    ("name_es", || json!("Membresía individual")),
    ("Category.name_es", || json!("Especialista en Familia e Infancia")),
    ("NewPlan.name", || json!("Individual membership")),
    ("PlanPatch.name", || json!("Individual membership")),
    ("Fund.name", || json!("Tribal Communities Scholarship")),
    ("NewFund.name", || json!("Tribal Communities Scholarship")),
    ("Client.name", || json!("Renewal reminder script")),
    ("NewClient.name", || json!("Renewal reminder script")),
    ("ClientWithSecret.name", || json!("Renewal reminder script")),
    ("new_password", || json!("another long passphrase")),
    ("next_cursor", || Value::Null),
    ("ChangeFeed.next_cursor", || json!("eyJzZXEiOjQ4MjF9")),
    ("AttestationText.version", || json!("2025-07")),
    ("application_step", || json!("Three references: a supervisor, a colleague and a person served or their family")),
    ("gap", || json!("24 months of post-master's work with infants, toddlers and their families")),
    ("grant_types_supported", || json!(["password", "refresh_token", "client_credentials"])),
    ("token_endpoint_auth_methods_supported", || json!(["none", "client_secret_post", "client_secret_basic"])),
    ("next_year_from", || json!("10-01")),
    ("notes", || json!("Paid by Childhaven for its home visiting team.")),
    ("number", || json!("WA-2026-000123")),
    ("password", || json!("a long passphrase")),
    ("person_external_id", || json!("wa-crm-10482")),
    ("phone", || json!("+1 206 555 0100")),
    ("postal_code", || json!("98101")),
    ("provider", || json!("Dr. Rosa Martínez, IMHM-C")),
    ("provider_endorsement_number", || json!("WA-IMHM-C-2019-0007")),
    ("provider_name", || json!("Dr. Rosa Martínez")),
    ("rater_name", || json!("Jordan Lee")),
    ("reason", || json!("Moved out of state")),
    ("reasons", || json!("The RSC log does not show 24 hours with an endorsed provider.")),
    ("return_reasons", || json!("Please add the RSC log for 2026.")),
    ("reference", || json!("Check 1042")),
    ("refresh_token", || json!("rt_2f6c0b9e4d7a41c3a8e5f1b7d9c3e6a0")),
    ("region", || json!("WA")),
    ("relationship", || json!("Clinical supervisor at Childhaven")),
    ("revocation_endpoint", || json!("https://wa.endorse.example/v1/auth/revoke")),
    ("scope", || json!("renewals:write sync:read")),
    ("scope_of_work", || {
        json!(
            "Prevention and early intervention: serving the social emotional well-being of infants and toddlers (0-3)."
        )
    }),
    ("secret", || json!("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")),
    ("slug", || json!("ifs")),
    ("sponsor", || json!("Childhaven")),
    ("start_time", || json!("09:00")),
    ("statement", || json!("I agree to abide by the Code of Ethics and the Endorsement Agreement.")),
    ("target_category", || json!("IFS")),
    ("text", || json!("I agree to abide by the Code of Ethics and the Endorsement Agreement.")),
    ("text_version", || json!("2025-07")),
    ("time_zone", || json!("America/Los_Angeles")),
    ("title", || json!("Informational session: the IMH-E® portfolio")),
    ("token", || json!("lt_8d3f1a6c9b2e47d0a5c8f3e1b6d9a2c4")),
    ("token_endpoint", || json!("https://wa.endorse.example/v1/auth/token")),
    ("token_type", || json!("Bearer")),
    ("token_type_hint", || json!("refresh_token")),
    ("type", || json!("application.submitted")),
    ("url", || json!("https://crm.wa-aimh.org/hooks/endorse")),
    ("username", || json!("ana.lopez@example.org")),
    ("version", || json!(3)),
    ("webhook_id", || json!("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W")),
    ("website_url", || json!("https://wa-aimh.org")),
    // Numbers and flags whose placeholder (1, true) would mislead.
    ("amount_cents", || json!(2500)),
    ("capacity", || json!(40)),
    ("part1_pass_percent", || json!(80)),
    ("part1_score", || json!(86)),
    ("rating", || json!(5)),
    ("year", || json!(2026)),
    ("years_of_experience", || json!(3)),
    ("months", || json!(12)),
    ("window_months", || json!(12)),
    ("approval_valid_months", || json!(12)),
    ("retake_wait_days", || json!(90)),
    ("after_years", || json!(2)),
    ("seats_left", || json!(12)),
    ("expires_in", || json!(900)),
    ("keep_previous_for_seconds", || json!(86400)),
    ("latency_ms", || json!(182)),
    ("attempts", || json!(1)),
    ("status_code", || json!(200)),
    ("last_status_code", || json!(200)),
    ("rsc_hours_received", || json!(24.0)),
    ("have", || json!(12.5)),
    ("need", || json!(24.0)),
    ("completion", || json!(0.75)),
    ("families_served", || json!(12)),
    ("min_families_served", || json!(5)),
    ("overlap_hours", || json!(0)),
    ("currency", || json!("USD")),
    ("revoked_at", || Value::Null),
    ("Invoice.paid", || json!({"amount_cents": 0, "currency": "USD"})),
    ("Invoice.refunded", || json!({"amount_cents": 0, "currency": "USD"})),
    ("Invoice.credited", || json!({"amount_cents": 0, "currency": "USD"})),
    ("Invoice.waived", || json!({"amount_cents": 0, "currency": "USD"})),
    ("settled_at", || Value::Null),
    ("decided_at", || Value::Null),
    ("submitted_at", || Value::Null),
    ("reinstates_endorsement_id", || Value::Null),
    ("disabled_reason", || Value::Null),
    ("next_attempt_at", || Value::Null),
    ("previous_secret_expires_at", || Value::Null),
    ("InvoiceEntry.reason", || Value::Null),
    ("InvoiceLine.description", || json!("Registration fee")),
    ("disabled", || json!(false)),
    ("has_more", || json!(false)),
    ("emerging", || json!(false)),
    ("reinstatement", || json!(false)),
];

#[cfg(test)]
mod tests {
    /// Every text property an example shows has a value of its own, not a placeholder.
    #[test]
    fn every_example_text_has_a_washington_value() {
        let (_, misses) = super::super::finish_counting_misses(&super::super::document()).unwrap();
        assert!(misses.is_empty(), "give these a value in VALUES: {misses:#?}");
    }

    #[test]
    fn ids_are_stable_uuids() {
        let id = super::uuid_for("Person");
        assert_eq!(id, super::uuid_for("Person"));
        assert_ne!(id, super::uuid_for("Invoice"));
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    }
}
