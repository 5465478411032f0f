//! The change feed's events and the webhooks that carry them, as a partner types them.
//! `ChangeEvent` becomes a union keyed by `kind` (each variant's `representation` is that
//! kind's own schema, or null for a delete), and the OpenAPI 3.1 `webhooks` section gets
//! one entry per event type a subscription receives, with the Standard Webhooks headers.
use serde_json::{Map, Value, json};

use crate::features::partners::dto::sync::representation_schema;
use entity::{change_log::Operation, sets::RecordKind};

const VERIFY: &str = "Verify before trusting the body (Standard Webhooks): compute \
    `base64(HMAC-SHA256(key, \"{webhook-id}.{webhook-timestamp}.{body}\"))` with the key being \
    the base64-decoded part of the subscription's secret after `whsec_`, over the raw body bytes, \
    and compare it in constant time with each `v1,` signature in `webhook-signature` (two while a \
    rotated secret overlaps); refuse a `webhook-timestamp` more than 5 minutes from your clock, \
    and drop a `webhook-id` already processed (redeliveries reuse it). Answer 2xx quickly; \
    any other answer, a redirect or a timeout is retried with backoff.";

/// Adds the typed change events and the `webhooks` section to the document.
pub fn describe(doc: &mut Value) {
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    let Some(base) = schemas.get("ChangeEvent").cloned() else { return };
    let variants: Vec<Value> = RecordKind::ALL.iter().map(|kind| change_event(&base, *kind)).collect();
    schemas.insert(
        "ChangeEvent".into(),
        json!({
            "description": base.get("description").cloned().unwrap_or(Value::Null),
            "oneOf": variants,
        }),
    );
    let mut events = Vec::new();
    let mut hooks = Map::new();
    for kind in RecordKind::ALL {
        for operation in Operation::ALL {
            let event = crate::domain::webhooks::event_type(*kind, *operation);
            events.push(json!({
                "type": "object",
                "required": ["type", "timestamp", "data"],
                "properties": {
                    "type": {"type": "string", "enum": [event]},
                    "timestamp": {"type": "string", "format": "date-time", "description": "When the change was committed."},
                    "data": {"$ref": format!("#/components/schemas/ChangeEvent{}", pascal(kind.as_str()))},
                },
            }));
            hooks.insert(event.clone(), webhook(&event, kind.as_str(), *operation));
        }
    }
    schemas.insert(
        "WebhookEvent".into(),
        json!({"description": "The body of every webhook delivery: the event type, when, and the change.", "oneOf": events}),
    );
    // A delivery's logged payload is that body.
    if let Some(payload) = doc.pointer_mut("/components/schemas/DeliveryDetail/allOf/1/properties/payload") {
        *payload = json!({
            "description": "The body that is POSTed (the same on every attempt).",
            "$ref": "#/components/schemas/WebhookEvent",
        });
    }
    doc["webhooks"] = Value::Object(hooks);
}

fn change_event(base: &Value, kind: RecordKind) -> Value {
    let mut variant = base.clone();
    if let Some(map) = variant.as_object_mut() {
        map.remove("description");
    }
    variant["properties"]["kind"] = json!({"type": "string", "enum": [kind.as_str()]});
    variant["properties"]["representation"] = json!({
        "description": "The record after the change; null for a delete.",
        "oneOf": [{"$ref": format!("#/components/schemas/{}", representation_schema(kind))}, {"type": "null"}],
    });
    let required = variant["required"].as_array().cloned().unwrap_or_default();
    if !required.iter().any(|r| r == "representation") {
        let mut required = required;
        required.push(json!("representation"));
        variant["required"] = Value::Array(required);
    }
    variant
}

fn webhook(event: &str, kind: &str, operation: Operation) -> Value {
    let what = match operation {
        Operation::Upsert => format!("A {} was created or changed.", kind.replace('_', " ")),
        Operation::Delete => {
            format!("A {} was deleted (a tombstone: `representation` is null).", kind.replace('_', " "))
        }
    };
    let header = |name: &str, description: &str, schema: Value| json!({"name": name, "in": "header", "required": true, "description": description, "schema": schema});
    json!({"post": {
        "operationId": format!("on_{}", event.replace('.', "_")),
        "summary": format!("`{event}`"),
        "description": format!("{what} Sent to each active subscription of the affiliate whose `kinds` include `{kind}` (or that names none). {VERIFY}"),
        "tags": ["webhooks"],
        "parameters": [
            header("webhook-id", "The event's id: the same on every redelivery, so dedupe by it.", json!({"type": "string", "maxLength": 64})),
            header("webhook-timestamp", "Seconds since the Unix epoch when this attempt was signed.", json!({"type": "string", "pattern": "^[0-9]{1,12}$"})),
            header("webhook-signature", "Space-separated `v1,<base64 signature>` values, one per secret in force.", json!({"type": "string", "maxLength": 1024})),
        ],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
            "$ref": format!("#/components/schemas/WebhookEvent{}", pascal(event)),
        }}}},
        "responses": {"2XX": {"description": "Received: the delivery is done."}},
        "security": [],
    }})
}

fn pascal(snake: &str) -> String {
    snake
        .split(['_', '.'])
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_event_type_is_a_webhook_with_a_typed_body() {
        let doc = crate::openapi::document_value().expect("document");
        let hooks = doc["webhooks"].as_object().expect("webhooks");
        assert_eq!(hooks.len(), entity::sets::RecordKind::ALL.len() * 2);
        let body = &hooks["person.upserted"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(body, "#/components/schemas/WebhookEventPersonUpserted");
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["WebhookEventPersonUpserted"]["properties"]["data"]["$ref"],
            "#/components/schemas/ChangeEventPerson"
        );
        assert_eq!(schemas["ChangeEvent"]["discriminator"]["propertyName"], "kind");
        assert_eq!(schemas["WebhookEvent"]["discriminator"]["propertyName"], "type");
        let repr = &schemas["ChangeEventRenewalEntry"]["properties"]["representation"]["oneOf"][0]["$ref"];
        assert_eq!(repr, "#/components/schemas/RenewalEntry");
        let names: Vec<&str> = hooks["person.deleted"]["post"]["parameters"]
            .as_array()
            .expect("headers")
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(names, ["webhook-id", "webhook-timestamp", "webhook-signature"]);
        for kind in entity::sets::RecordKind::ALL {
            let name = crate::features::partners::dto::sync::representation_schema(*kind);
            assert!(schemas.get(name).is_some(), "{kind}'s representation {name} is not in the document");
        }
    }
}
