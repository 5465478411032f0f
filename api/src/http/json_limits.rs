//! Ceilings on every JSON request, checked before the body is turned into a DTO: no
//! string longer than [`MAX_STRING_CHARS`], no array longer than [`MAX_ARRAY_ITEMS`], no
//! key longer than [`MAX_KEY_CHARS`], whatever the field. The OpenAPI document states
//! these as the `maxLength`/`maxItems` of every string and array that has no tighter
//! limit of its own (see `openapi::bounds`), so the published limits are the enforced ones.
//!
//! The walk borrows from the input and allocates nothing unless it finds something too
//! large; the path to that value is built on the way back up.
use std::{borrow::Cow, cell::RefCell, fmt};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::FieldError;

pub const MAX_STRING_CHARS: usize = 4000;
pub const MAX_ARRAY_ITEMS: usize = 10_000;
pub const MAX_KEY_CHARS: usize = 100;
/// Path and query parameters: short enough that a request with several of them, each
/// percent-encoded (up to 12 bytes a character), stays within the HTTP head limit.
pub const MAX_PARAM_CHARS: usize = 256;

/// A value over a ceiling: its path segments (innermost first, while unwinding) and what is wrong.
struct Found {
    segments: Vec<Segment>,
    code: &'static str,
    message: String,
}

enum Segment {
    Key(String),
    Index(usize),
}

/// Checks a JSON document. `None` when it is within the ceilings (or is not valid JSON:
/// the typed parse that follows reports that); otherwise the field error to answer with.
pub fn check<'de, D: Deserializer<'de>>(de: D) -> Option<FieldError> {
    let found = RefCell::new(None);
    let _ = Walk { found: &found, multiline: false }.deserialize(de);
    let found = found.into_inner()?;
    let mut path = String::new();
    for segment in found.segments.iter().rev() {
        match segment {
            Segment::Key(key) if path.is_empty() => path.push_str(key),
            Segment::Key(key) => {
                path.push('.');
                path.push_str(key);
            }
            Segment::Index(i) => path.push_str(&format!("[{i}]")),
        }
    }
    if path.is_empty() {
        path.push_str("body");
    }
    Some(FieldError::new(path, found.code, found.message))
}

#[derive(Clone, Copy)]
struct Walk<'f> {
    found: &'f RefCell<Option<Found>>,
    /// Inside a field of free text, where line breaks and tabs belong.
    multiline: bool,
}

/// The fields that hold free text of several lines; every other string is a single line.
const MULTILINE_FIELDS: &[&str] = &[
    "comment",
    "comments",
    "description",
    "disabled_reason",
    "notes",
    "reason",
    "reasons",
    "return_reasons",
    "scope_of_work",
    "statement",
    "text",
];

/// Characters no text may hold: C0/C1 controls (in free text, line breaks and tabs
/// aside) and the bidirectional embeddings, overrides and isolates that can make text
/// read differently from what it is (U+202A-U+202E, U+2066-U+2069).
fn forbidden(c: char, multiline: bool) -> bool {
    (c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl Walk<'_> {
    fn refuse<E: de::Error>(&self, code: &'static str, message: String) -> E {
        *self.found.borrow_mut() = Some(Found { segments: Vec::new(), code, message });
        E::custom("over a JSON ceiling")
    }

    /// Adds this level's segment to the path of a value found below it.
    fn unwind<E>(&self, err: E, segment: impl FnOnce() -> Segment) -> E {
        if let Some(found) = self.found.borrow_mut().as_mut() {
            found.segments.push(segment());
        }
        err
    }

    fn string<E: de::Error>(&self, s: &str) -> Result<(), E> {
        // At most N bytes is at most N characters: count only when it might matter.
        if s.len() > MAX_STRING_CHARS && s.chars().count() > MAX_STRING_CHARS {
            return Err(self.refuse("too_long", format!("must be at most {MAX_STRING_CHARS} characters long")));
        }
        if s.chars().any(|c| forbidden(c, self.multiline)) {
            let what = if self.multiline {
                "must not contain control characters or bidirectional overrides"
            } else {
                "must be a single line without control characters (CR, LF, NUL, tabs) or bidirectional overrides"
            };
            return Err(self.refuse("control_character", what.to_string()));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        self.string(s)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        loop {
            if index == MAX_ARRAY_ITEMS {
                // One more item is one too many; the rest need not be read.
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(self.refuse("too_many_items", format!("must have at most {MAX_ARRAY_ITEMS} items")));
                }
                return Ok(());
            }
            match seq.next_element_seed(self) {
                Ok(Some(())) => index += 1,
                Ok(None) => return Ok(()),
                Err(e) => return Err(self.unwind(e, || Segment::Index(index))),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key>()? {
            if key.0.len() > MAX_KEY_CHARS && key.0.chars().count() > MAX_KEY_CHARS {
                return Err(self.refuse("too_long", format!("a key must be at most {MAX_KEY_CHARS} characters long")));
            }
            let value = Walk { multiline: MULTILINE_FIELDS.contains(&key.0.as_ref()), ..self };
            if let Err(e) = map.next_value_seed(value) {
                return Err(self.unwind(e, || Segment::Key(key.0.into_owned())));
            }
        }
        Ok(())
    }
}

/// A key, borrowed from the input when it can be.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
        }
        de.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check_bytes(text: &str) -> Option<FieldError> {
        check(&mut serde_json::Deserializer::from_str(text))
    }

    #[test]
    fn within_the_ceilings_passes() {
        let body = json!({"a": "x".repeat(MAX_STRING_CHARS), "b": [1, 2, {"c": null}], "d": true, "e\\u00e9": 1.5});
        assert_eq!(check_bytes(&body.to_string()), None);
        assert_eq!(check(&body), None);
        // Multi-byte characters count as one each.
        assert_eq!(check(json!({"name": "é".repeat(MAX_STRING_CHARS)})), None);
        // Not JSON: left to the typed parse.
        assert_eq!(check_bytes("{\"a\": "), None);
    }

    #[test]
    fn a_long_string_is_named_by_its_path() {
        let body = json!({"items": [{"name": "ok"}, {"address": {"line1": "x".repeat(MAX_STRING_CHARS + 1)}}]});
        for found in [check_bytes(&body.to_string()), check(&body)] {
            let found = found.expect("refused");
            assert_eq!((found.field.as_str(), found.code.as_str()), ("items[1].address.line1", "too_long"));
        }
        let top = check(json!("y".repeat(MAX_STRING_CHARS + 1))).expect("refused");
        assert_eq!(top.field, "body");
    }

    #[test]
    fn control_characters_are_refused_in_single_lines_and_bidi_overrides_everywhere() {
        for bad in ["Ana\r\nBcc: x@y.org", "Ana\u{0}", "Ana\tLópez", "\u{202E}gpj.exe", "a\u{2066}b"] {
            let found = check(json!({"items": [{"given_name": bad}]})).expect("refused");
            assert_eq!(
                (found.field.as_str(), found.code.as_str()),
                ("items[0].given_name", "control_character"),
                "{bad:?}"
            );
        }
        assert_eq!(check(json!({"comments": "line one\nline two\twith a tab"})), None);
        assert_eq!(check(json!({"reasons": ["ok\r\n"]})), None, "arrays of free text");
        let found = check(json!({"comments": "a\u{202E}b"})).expect("bidi refused in free text");
        assert_eq!(found.code, "control_character");
        let found = check(json!({"comments": "nul\u{0}"})).expect("NUL refused in free text");
        assert_eq!(found.field, "comments");
        assert_eq!(check(json!({"name": "José Ñúñez-O'Brien 李"})), None);
    }

    #[test]
    fn long_arrays_and_keys_are_refused() {
        let many = json!({"ids": vec![0; MAX_ARRAY_ITEMS + 1]});
        let found = check_bytes(&many.to_string()).expect("refused");
        assert_eq!((found.field.as_str(), found.code.as_str()), ("ids", "too_many_items"));
        assert_eq!(check(json!({"ids": vec![0; MAX_ARRAY_ITEMS]})), None);
        let key = "k".repeat(MAX_KEY_CHARS + 1);
        let found = check_bytes(&format!("{{\"outer\": {{\"{key}\": 1}}}}")).expect("refused");
        assert_eq!(found.field, "outer");
    }
}
