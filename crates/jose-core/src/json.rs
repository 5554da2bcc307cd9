//! Strict JSON for untrusted headers and claims.
//!
//! `serde_json` alone keeps the last of two members with the same name. JOSE parsers
//! disagree on which duplicate wins, so a duplicate could let one component see a
//! different `alg` or `exp` than another; RFC 7515 §4 lets us reject, and we do, at every
//! depth. Nesting is capped well below `serde_json`'s own limit.

use core::cell::Cell;
use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Value};

/// Why a JSON document was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonProblem {
    /// Not valid JSON (syntax, encoding, trailing data).
    Syntax,
    /// An object has two members with the same name.
    Duplicate,
    /// Objects and arrays nest deeper than allowed.
    TooDeep,
    /// The top-level value is not an object.
    NotObject,
}

/// Parses `bytes` as a JSON object with unique member names at every depth and at most
/// `max_depth` levels of nesting (the top-level object counts as one).
pub(crate) fn parse_object(
    bytes: &[u8],
    max_depth: usize,
) -> Result<Map<String, Value>, JsonProblem> {
    let problem = Cell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = StrictValue {
        depth_left: max_depth,
        problem: &problem,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    match parsed {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(JsonProblem::NotObject),
        Err(_) => Err(problem.get().unwrap_or(JsonProblem::Syntax)),
    }
}

/// The members named in `names`, found in one pass over the object's members rather than
/// one map lookup (a string comparison per tree level) for each; `None` where absent.
pub(crate) fn members<'r, const N: usize>(
    object: &'r Map<String, Value>,
    names: [&str; N],
) -> [Option<&'r Value>; N] {
    let mut found = [None; N];
    for (name, value) in object {
        if let Some(slot) = names.iter().position(|n| *n == name.as_str()) {
            found[slot] = Some(value);
        }
    }
    found
}

/// A `serde_json::Value` seed that records the first strictness violation it meets.
#[derive(Clone, Copy)]
struct StrictValue<'p> {
    depth_left: usize,
    problem: &'p Cell<Option<JsonProblem>>,
}

impl StrictValue<'_> {
    fn fail<E: de::Error>(&self, problem: JsonProblem) -> E {
        self.problem.set(Some(problem));
        E::custom("strict JSON violation")
    }

    /// The seed for the members of a container at this depth, or an error if opening
    /// one more container is too deep.
    fn nested<E: de::Error>(&self) -> Result<Self, E> {
        match self.depth_left.checked_sub(1) {
            Some(depth_left) => Ok(StrictValue {
                depth_left,
                problem: self.problem,
            }),
            None => Err(self.fail(JsonProblem::TooDeep)),
        }
    }
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(inner)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // One lookup finds a duplicate and the slot for a new member. A duplicate is
            // reported before its value is read, whatever that value holds.
            let Entry::Vacant(slot) = out.entry(key) else {
                return Err(self.fail(JsonProblem::Duplicate));
            };
            slot.insert(map.next_value_seed(inner)?);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_objects() {
        let map = parse_object(br#"{"a":1,"b":[true,null,"x"],"c":{"d":1.5}}"#, 8).unwrap();
        assert_eq!(map.len(), 3);
    }

    #[test]
    fn rejects_duplicates_at_any_depth() {
        assert_eq!(
            parse_object(br#"{"a":1,"a":2}"#, 8),
            Err(JsonProblem::Duplicate)
        );
        assert_eq!(
            parse_object(br#"{"a":{"b":1,"b":1}}"#, 8),
            Err(JsonProblem::Duplicate)
        );
        assert_eq!(
            parse_object(br#"{"a":[{"b":1,"b":1}]}"#, 8),
            Err(JsonProblem::Duplicate)
        );
        // An escaped spelling of the same name is the same name.
        assert_eq!(
            parse_object(br#"{"alg":1,"\u0061lg":2}"#, 8),
            Err(JsonProblem::Duplicate)
        );
    }

    #[test]
    fn caps_nesting() {
        assert!(parse_object(br#"{"a":{"b":{}}}"#, 3).is_ok());
        assert_eq!(
            parse_object(br#"{"a":{"b":{"c":{}}}}"#, 3),
            Err(JsonProblem::TooDeep)
        );
        assert_eq!(
            parse_object(br#"{"a":[[[]]]}"#, 3),
            Err(JsonProblem::TooDeep)
        );
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(parse_object(deep.as_bytes(), 32), Err(JsonProblem::TooDeep));
    }

    #[test]
    fn rejects_non_objects_and_bad_syntax() {
        assert_eq!(parse_object(b"[]", 8), Err(JsonProblem::NotObject));
        assert_eq!(parse_object(b"\"x\"", 8), Err(JsonProblem::NotObject));
        assert_eq!(parse_object(b"{} x", 8), Err(JsonProblem::Syntax));
        assert_eq!(parse_object(b"{\"a\":1,}", 8), Err(JsonProblem::Syntax));
        assert_eq!(
            parse_object(b"{\"a\":\"\\ud800\"}", 8),
            Err(JsonProblem::Syntax)
        );
        assert_eq!(
            parse_object(b"{\"a\":\"\xff\"}", 8),
            Err(JsonProblem::Syntax)
        );
        assert_eq!(parse_object(b"", 8), Err(JsonProblem::Syntax));
    }
}
