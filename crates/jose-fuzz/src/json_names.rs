//! An independent duplicate-name detector for the JSON oracles. `serde_json`, which the
//! oracles compare with, keeps the last of two equal member names, so on its own it
//! agrees with a parser that lets duplicates through.

use std::collections::HashSet;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// Whether an object anywhere in `json` names a member twice (names compared after
/// unescaping); `None` when `json` is not one JSON value.
pub(crate) fn has_duplicate_names(json: &[u8]) -> Option<bool> {
    serde_json::from_slice::<Walk>(json).ok().map(|walk| walk.0)
}

/// A JSON value walked for duplicates: `true` once any object repeats a name.
struct Walk(bool);

impl<'de> Deserialize<'de> for Walk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Walk, D::Error> {
        deserializer.deserialize_any(WalkVisitor)
    }
}

struct WalkVisitor;

impl<'de> Visitor<'de> for WalkVisitor {
    type Value = Walk;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Walk, A::Error> {
        let mut names = HashSet::new();
        let mut duplicate = false;
        while let Some(name) = map.next_key::<String>()? {
            duplicate |= !names.insert(name);
            duplicate |= map.next_value::<Walk>()?.0;
        }
        Ok(Walk(duplicate))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Walk, A::Error> {
        let mut duplicate = false;
        while let Some(item) = seq.next_element::<Walk>()? {
            duplicate |= item.0;
        }
        Ok(Walk(duplicate))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Walk, E> {
        Ok(Walk(false))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Walk, E> {
        Ok(Walk(false))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Walk, E> {
        Ok(Walk(false))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Walk, E> {
        Ok(Walk(false))
    }
    fn visit_str<E>(self, _: &str) -> Result<Walk, E> {
        Ok(Walk(false))
    }
    fn visit_unit<E>(self) -> Result<Walk, E> {
        Ok(Walk(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates_at_any_depth_after_unescaping() {
        let cases: [(&str, Option<bool>); 7] = [
            (r#"{"a":1,"b":2}"#, Some(false)),
            (r#"{"a":1,"a":2}"#, Some(true)),
            (r#"{"x":[{"k":1},{"k":2,"k":3}]}"#, Some(true)),
            (r#"{"a":{"b":1},"c":{"b":1}}"#, Some(false)),
            (r#"{"a":1,"\u0061":2}"#, Some(true)),
            (r#"[1,"two",null,true,1.5,-3]"#, Some(false)),
            ("{", None),
        ];
        for (json, expected) in cases {
            assert_eq!(has_duplicate_names(json.as_bytes()), expected, "{json}");
        }
    }
}
