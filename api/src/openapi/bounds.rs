//! The limits every part of the document states, added to what the routes declare:
//! a `maxLength` on every string, a `maxItems` on every array, a range and a format on
//! every integer, and the headers every answer carries (the rate limit, CORS, and
//! `Retry-After` on 429). Each limit written here is one the service enforces or cannot
//! exceed: the JSON and query ceilings of `http::json_limits`, the wire format of a
//! UUID or a date, the range of the integer type. A field's own, tighter limit is kept.
use serde_json::{Map, Value, json};

use crate::{
    http::json_limits::MAX_ARRAY_ITEMS, http::json_limits::MAX_PARAM_CHARS, http::json_limits::MAX_STRING_CHARS,
};

/// 2^53 - 1, the largest integer a JSON number keeps exactly in JavaScript.
const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// The default request body limit (`MAX_BODY_BYTES`), the size of a CSV import.
const DEFAULT_BODY_BYTES: u64 = 1024 * 1024;

pub fn apply(doc: &mut Value) {
    describe_servers(doc);
    if let Some(doc) = doc.as_object_mut() {
        let components = doc.entry("components").or_insert_with(|| json!({}));
        components["headers"] = shared_headers();
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut().filter_map(Value::as_object_mut) {
                for param in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                    if let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut) {
                        bound_string(schema, MAX_PARAM_CHARS as u64);
                    }
                }
                if let Some(body) = op.get_mut("requestBody") {
                    bound_text_bodies(body, false);
                }
                if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                    for (status, response) in responses.iter_mut() {
                        bound_text_bodies(response, true);
                        add_headers(status, response);
                    }
                }
            }
        }
    }
    if let Some(responses) = doc.pointer_mut("/components/responses").and_then(Value::as_object_mut) {
        for response in responses.values_mut() {
            // Shared answers are problems; the status is in the name's place only for 429.
            let status = if response.pointer("/content/application~1problem+json/example/status") == Some(&json!(429)) {
                "429"
            } else {
                "4XX"
            };
            add_headers(status, response);
        }
    }
    bound_schemas(doc);
}

/// OWASP API9: say which environment a server is and whether it is internal.
/// The servers: an absolute URL whose scheme and host are variables (the same document
/// describes every deployment; a client fills in its own host), then the serving host
/// itself, which the interactive documentation can call as it is.
fn describe_servers(doc: &mut Value) {
    doc["servers"] = json!([{
        "url": "{scheme}://{host}",
        "description": "The deployment this document describes: production, staging or local (`BASE_URL`)",
        "variables": {
            "scheme": {"default": "https", "enum": ["https", "http"], "description": "`http` only for a local server"},
            "host": {"default": "localhost:8080", "description": "The deployment's host, with its port when not the default"},
        },
        "x-internal": false,
    }, {
        "url": "/",
        "description": "The server this document is served from, whether production, staging or local (for /docs)",
        "x-internal": false,
    }]);
}

/// CSV, HTML and metrics text are documents, not JSON values: a response's is described
/// by its operation; a CSV import is bounded by the request body limit.
fn bound_text_bodies(holder: &mut Value, is_response: bool) {
    let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) else { return };
    for (media, entry) in content.iter_mut() {
        if media.contains("json") {
            continue;
        }
        let Some(entry) = entry.as_object_mut() else { continue };
        if is_response {
            entry.remove("schema");
        } else if let Some(schema) = entry.get_mut("schema").and_then(Value::as_object_mut) {
            schema.entry("maxLength").or_insert(json!(DEFAULT_BODY_BYTES));
        }
    }
}

fn header(description: &str, schema: Value, required: bool) -> Value {
    json!({"description": description, "required": required, "schema": schema})
}

/// The headers the middleware puts on answers (http::rate_limit, http::cors), declared
/// once under `components/headers`.
fn shared_headers() -> Value {
    json!({
        "RateLimit": header(
            "The caller's quota left under the policy (`r`, requests) and the seconds until it is whole again (`t`), as in draft-ietf-httpapi-ratelimit-headers. Callers are counted by token subject, or by client address without a valid token, on each replica.",
            json!({"type": "string", "maxLength": 64, "pattern": "^\"default\";r=[0-9]+;t=[0-9]+$"}),
            true,
        ),
        "RateLimit-Policy": header(
            "The policy: `q` requests per `w` seconds (RATE_LIMIT_PER_MINUTE, 1200 by default).",
            json!({"type": "string", "maxLength": 64, "pattern": "^\"default\";q=[0-9]+;w=60$"}),
            true,
        ),
        "Access-Control-Allow-Origin": header(
            "The request's Origin, when it is one of CORS_ORIGINS (browsers only).",
            json!({"type": "string", "maxLength": 2048}),
            false,
        ),
        "Retry-After": header(
            "Seconds to wait before retrying.",
            json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": 86400}),
            true,
        ),
    })
}

/// Every answer names the headers it carries, by reference.
fn add_headers(status: &str, response: &mut Value) {
    let Some(response) = response.as_object_mut() else { return };
    if response.contains_key("$ref") {
        return;
    }
    let headers = response.entry("headers").or_insert_with(|| json!({}));
    let Some(headers) = headers.as_object_mut() else { return };
    let mut names = vec!["RateLimit", "RateLimit-Policy", "Access-Control-Allow-Origin"];
    if status == "429" {
        names.push("Retry-After");
    }
    for name in names {
        headers.insert(name.into(), json!({"$ref": format!("#/components/headers/{name}")}));
    }
}

/// Walks every schema in the document (not examples) and fills in the missing limits.
fn bound_schemas(value: &mut Value) {
    match value {
        Value::Object(map) => {
            bound_schema(map);
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    bound_schemas(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(bound_schemas),
        _ => {}
    }
}

fn has_type(map: &Map<String, Value>, wanted: &str) -> bool {
    match map.get("type") {
        Some(Value::String(t)) => t == wanted,
        Some(Value::Array(types)) => types.iter().any(|t| t == wanted),
        _ => false,
    }
}

/// A string's `maxLength`: the longest text its format's parser takes as that format
/// (RFC 9562, RFC 3339 with nanoseconds and an offset, RFC 5321), else `ceiling`.
fn bound_string(map: &mut Map<String, Value>, ceiling: u64) {
    if has_type(map, "string") && !["maxLength", "enum", "const"].iter().any(|k| map.contains_key(*k)) {
        let max = match map.get("format").and_then(Value::as_str) {
            Some("uuid") => 36,
            Some("date") => 10,
            Some("date-time") => 35,
            Some("email") => 254,
            _ => ceiling,
        };
        map.insert("maxLength".into(), json!(max));
    }
}

fn bound_schema(map: &mut Map<String, Value>) {
    bound_string(map, MAX_STRING_CHARS as u64);
    if has_type(map, "array") && !map.contains_key("maxItems") {
        map.insert("maxItems".into(), json!(MAX_ARRAY_ITEMS));
    }
    if has_type(map, "integer") {
        let format = map.get("format").and_then(Value::as_str).unwrap_or("int64").to_string();
        map.entry("format").or_insert(json!(format));
        let (min, max): (Value, Value) = match format.as_str() {
            "int32" => (json!(i32::MIN), json!(i32::MAX)),
            "u-int8" => (json!(0), json!(u8::MAX)),
            "u-int16" => (json!(0), json!(u16::MAX)),
            "u-int32" => (json!(0), json!(u32::MAX)),
            // Wider integers stay within JavaScript's safe range, which every figure the
            // service keeps (counts, versions, sequence numbers, cents) does by far.
            "u-int64" => (json!(0), json!(MAX_SAFE_INTEGER)),
            _ => (json!(-MAX_SAFE_INTEGER), json!(MAX_SAFE_INTEGER)),
        };
        // Only the standard formats: unsigned Rust types are stated by their range.
        let standard = if matches!(format.as_str(), "int32" | "u-int8" | "u-int16") { "int32" } else { "int64" };
        map.insert("format".into(), json!(standard));
        if !map.contains_key("minimum") && !map.contains_key("exclusiveMinimum") {
            map.insert("minimum".into(), min);
        }
        if !map.contains_key("maximum") && !map.contains_key("exclusiveMaximum") {
            map.insert("maximum".into(), max);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_missing_limits_and_keeps_declared_ones() {
        let mut doc = json!({"components": {"schemas": {"T": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": ["string", "null"]},
            "code": {"type": "string", "maxLength": 8},
            "kind": {"type": "string", "enum": ["a"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "count": {"type": "integer", "format": "int32", "minimum": 0},
            "big": {"type": "integer"}
        }, "example": {"name": {"type": "string"}}}}}});
        apply(&mut doc);
        let p =
            |name: &str| doc.pointer(&format!("/components/schemas/T/properties/{name}")).cloned().unwrap_or_default();
        assert_eq!(p("id")["maxLength"], 36);
        assert_eq!(p("name")["maxLength"], MAX_STRING_CHARS);
        assert_eq!(p("code")["maxLength"], 8);
        assert!(p("kind").get("maxLength").is_none());
        assert_eq!(
            (p("tags")["maxItems"].clone(), p("tags")["items"]["maxLength"].clone()),
            (json!(MAX_ARRAY_ITEMS), json!(MAX_STRING_CHARS))
        );
        assert_eq!((p("count")["minimum"].clone(), p("count")["maximum"].clone()), (json!(0), json!(i32::MAX)));
        assert_eq!(
            (p("big")["format"].clone(), p("big")["minimum"].clone()),
            (json!("int64"), json!(-MAX_SAFE_INTEGER))
        );
        // Examples are data, not schemas.
        assert!(doc.pointer("/components/schemas/T/example/name/maxLength").is_none());
    }

    #[test]
    fn every_answer_documents_the_rate_limit_and_429_its_retry() {
        let mut doc = json!({"paths": {"/x": {"get": {"responses": {
            "200": {"description": "ok", "content": {"text/csv": {"schema": {"type": "string"}}}},
            "429": {"description": "slow down"},
            "404": {"$ref": "#/components/responses/NotFound"}
        }}}}});
        apply(&mut doc);
        let ok = &doc["paths"]["/x"]["get"]["responses"]["200"];
        assert_eq!(ok["headers"]["RateLimit"]["$ref"], "#/components/headers/RateLimit");
        assert_eq!(doc["components"]["headers"]["RateLimit"]["required"], true);
        assert!(ok["headers"].get("Retry-After").is_none());
        assert!(ok["content"]["text/csv"].get("schema").is_none());
        let slow = &doc["paths"]["/x"]["get"]["responses"]["429"]["headers"]["Retry-After"];
        assert_eq!(slow["$ref"], "#/components/headers/Retry-After");
        assert_eq!(doc["components"]["headers"]["Retry-After"]["required"], true);
        assert!(doc["paths"]["/x"]["get"]["responses"]["404"].get("headers").is_none());
    }
}
