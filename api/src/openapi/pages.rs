//! Pages as a client generator should see them: utoipa names a generic page after its
//! type (`Page_Person`) and inlines the item, so every generator invents a class per list
//! (`Datum1`…). Here each page becomes `PersonPage`, its `data` items a `$ref` to the item
//! schema, and `next_cursor` required (it is `null` on the last page, never absent).
use serde_json::{Map, Value};

const PREFIX: &str = "Page_";

/// Renames and reshapes every page schema of the document, and every reference to one.
pub fn name_pages(doc: &mut Value) {
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    let pages: Vec<String> = schemas.keys().filter(|name| name.starts_with(PREFIX)).cloned().collect();
    let mut renames = Vec::new();
    for old in pages {
        let Some(mut page) = schemas.remove(&old) else { continue };
        let item = old[PREFIX.len()..].to_string();
        if let Some(items) = page.pointer_mut("/properties/data/items") {
            let inline = std::mem::replace(items, reference(&item));
            // The item's own schema was dropped if only the page used it: the inline copy is it.
            if !inline.get("$ref").is_some_and(Value::is_string) {
                schemas.entry(item.clone()).or_insert(inline);
            }
        }
        if let Some(required) = page.get_mut("required").and_then(Value::as_array_mut)
            && !required.iter().any(|r| r == "next_cursor")
        {
            required.push(Value::from("next_cursor"));
        }
        let new = format!("{item}Page");
        schemas.insert(new.clone(), page);
        renames.push((format!("#/components/schemas/{old}"), format!("#/components/schemas/{new}")));
    }
    sort(schemas);
    rewrite_refs(doc, &renames);
}

/// Renames each generic `Labeled_X` (a closed set's labels) to `XLabel`, and every
/// reference to it, for the same reason as pages.
pub fn name_labels(doc: &mut Value) {
    const LABELED: &str = "Labeled_";
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    let old: Vec<String> = schemas.keys().filter(|name| name.starts_with(LABELED)).cloned().collect();
    let mut renames = Vec::new();
    for name in old {
        if let Some(mut schema) = schemas.remove(&name) {
            let set = &name[LABELED.len()..];
            // The value is the set's own schema, not an inline copy of its enum.
            if schemas.contains_key(set) {
                schema["properties"]["value"] = reference(set);
            }
            let new = format!("{set}Label");
            schemas.insert(new.clone(), schema);
            renames.push((format!("#/components/schemas/{name}"), format!("#/components/schemas/{new}")));
        }
    }
    sort(schemas);
    rewrite_refs(doc, &renames);
}

fn reference(name: &str) -> Value {
    Value::Object(Map::from_iter([("$ref".to_string(), Value::from(format!("#/components/schemas/{name}")))]))
}

/// Component schemas stay in name order, as utoipa writes them.
fn sort(schemas: &mut Map<String, Value>) {
    let mut entries: Vec<(String, Value)> = std::mem::take(schemas).into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    schemas.extend(entries);
}

fn rewrite_refs(value: &mut Value, renames: &[(String, String)]) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref" {
                    if let Some((_, new)) = renames.iter().find(|(old, _)| v.as_str() == Some(old.as_str())) {
                        *v = Value::from(new.as_str());
                    }
                } else {
                    rewrite_refs(v, renames);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renames)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_page_is_named_for_its_item_and_refers_to_it() {
        let mut doc = json!({
            "paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page_Thing"}}}}}}}},
            "components": {"schemas": {"Page_Thing": {
                "type": "object",
                "required": ["data"],
                "properties": {"data": {"type": "array", "items": {"type": "object", "title": "inline"}}, "next_cursor": {"type": ["string", "null"]}}
            }}}
        });
        name_pages(&mut doc);
        let schemas = &doc["components"]["schemas"];
        assert!(schemas.get("Page_Thing").is_none());
        assert_eq!(schemas["ThingPage"]["properties"]["data"]["items"], json!({"$ref": "#/components/schemas/Thing"}));
        assert_eq!(schemas["ThingPage"]["required"], json!(["data", "next_cursor"]));
        assert_eq!(schemas["Thing"], json!({"type": "object", "title": "inline"}));
        assert_eq!(
            doc.pointer("/paths/~1x/get/responses/200/content/application~1json/schema/$ref"),
            Some(&json!("#/components/schemas/ThingPage"))
        );
    }

    #[test]
    fn every_list_of_the_document_answers_a_named_page_of_referenced_items() {
        let doc = crate::openapi::document_value().expect("document");
        let mut pages = 0;
        for (path, item) in doc["paths"].as_object().expect("paths") {
            let Some(schema) = item.pointer("/get/responses/200/content/application~1json/schema") else { continue };
            assert_ne!(schema.get("type"), Some(&json!("array")), "GET {path} answers a bare array");
            let Some(name) = schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) else {
                continue;
            };
            if !name.ends_with("Page") {
                continue;
            }
            pages += 1;
            let page = &doc["components"]["schemas"][name];
            let items = page["properties"]["data"]["items"]["$ref"].as_str().unwrap_or_default();
            assert_eq!(items, format!("#/components/schemas/{}", name.trim_end_matches("Page")), "{name}");
            assert!(doc["components"]["schemas"].get(name.trim_end_matches("Page")).is_some(), "{name}'s item");
            assert_eq!(page["required"], json!(["data", "next_cursor"]), "{name}");
        }
        assert!(pages >= 30, "only {pages} paged lists");
    }
}
