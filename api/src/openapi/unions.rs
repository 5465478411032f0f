//! Tagged unions as client generators want them. utoipa writes a serde-tagged enum as a
//! `oneOf` of anonymous objects, each with its tag as a one-value `enum`; generators then
//! invent `TokenRequest1`…`3`. Here each variant becomes a component named for its union
//! and tag (`TokenRequestPassword`), the `oneOf` refers to them, and a `discriminator`
//! maps each tag value to its variant.
use serde_json::{Map, Value, json};

/// Discriminates every top-level component union whose variants are tagged objects.
pub fn discriminate(doc: &mut Value) {
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    let names: Vec<String> = schemas.keys().cloned().collect();
    let mut lifted = Vec::new();
    for name in names {
        let Some(union) = schemas.get_mut(&name) else { continue };
        let Some(variants) = union.get("oneOf").and_then(Value::as_array).cloned() else { continue };
        let Some(tag) = common_tag(&variants) else { continue };
        let Some(values) = variants.iter().map(|v| tag_value(v, &tag)).collect::<Option<Vec<_>>>() else { continue };
        let mut refs = Vec::new();
        let mut mapping = Map::new();
        for (mut variant, value) in variants.into_iter().zip(values) {
            let variant_name = format!("{name}{}", pascal(&value));
            variant["title"] = Value::from(variant_name.clone());
            // A one-value enum makes generators declare an enum class per variant
            // (`Action1`…); a `const` is read as the literal it is.
            if let Some(tag_schema) = variant.pointer_mut(&format!("/properties/{tag}")).and_then(Value::as_object_mut)
            {
                tag_schema.remove("enum");
                tag_schema.insert("const".into(), Value::from(value.clone()));
            }
            let reference = format!("#/components/schemas/{variant_name}");
            refs.push(json!({ "$ref": reference }));
            mapping.insert(value, Value::from(reference));
            lifted.push((variant_name, variant));
        }
        union["oneOf"] = Value::Array(refs);
        union["discriminator"] = json!({ "propertyName": tag, "mapping": mapping });
    }
    for (name, variant) in lifted {
        schemas.insert(name, variant);
    }
    let mut entries: Vec<(String, Value)> = std::mem::take(schemas).into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    schemas.extend(entries);
}

/// The property every variant requires with a single allowed value, if there is one.
fn common_tag(variants: &[Value]) -> Option<String> {
    if variants.len() < 2 {
        return None;
    }
    let first = variants.first()?.get("properties")?.as_object()?;
    first.keys().find(|key| variants.iter().all(|v| tag_value(v, key).is_some())).cloned()
}

fn tag_value(variant: &Value, tag: &str) -> Option<String> {
    let required = variant.get("required")?.as_array()?;
    if !required.iter().any(|r| r == tag) {
        return None;
    }
    match variant.pointer(&format!("/properties/{tag}/enum"))?.as_array()?.as_slice() {
        [Value::String(value)] => Some(value.clone()),
        _ => None,
    }
}

/// `record_payment` → `RecordPayment`.
fn pascal(snake: &str) -> String {
    snake
        .split(['_', '-', '.'])
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tagged_union_gets_named_variants_and_a_discriminator() {
        let mut doc = json!({"components": {"schemas": {"Term": {"oneOf": [
            {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["calendar_year"]}}},
            {"type": "object", "required": ["months", "kind"], "properties": {"months": {"type": "integer"}, "kind": {"type": "string", "enum": ["fixed_months"]}}}
        ]}}}});
        discriminate(&mut doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["Term"]["oneOf"],
            json!([{"$ref": "#/components/schemas/TermCalendarYear"}, {"$ref": "#/components/schemas/TermFixedMonths"}])
        );
        assert_eq!(
            schemas["Term"]["discriminator"],
            json!({"propertyName": "kind", "mapping": {
                "calendar_year": "#/components/schemas/TermCalendarYear",
                "fixed_months": "#/components/schemas/TermFixedMonths"
            }})
        );
        assert_eq!(schemas["TermFixedMonths"]["title"], "TermFixedMonths");
        assert_eq!(schemas["TermFixedMonths"]["properties"]["months"], json!({"type": "integer"}));
    }

    #[test]
    fn a_union_without_a_common_tag_is_left_alone() {
        let union = json!({"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]});
        let mut doc = json!({"components": {"schemas": {"U": union.clone()}}});
        discriminate(&mut doc);
        assert_eq!(doc["components"]["schemas"]["U"], union);
    }
}
