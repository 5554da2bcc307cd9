//! Strict JSON for untrusted headers and claims.
//!
//! `serde_json` alone keeps the last of two members with the same name. JOSE parsers
//! disagree on which duplicate wins, so a duplicate could let one component see a
//! different `alg` or `exp` than another; RFC 7515 §4 lets us reject, and we do, at every
//! depth. Nesting is capped well below `serde_json`'s own limit.
//!
//! Two walks apply the same rules: [`parse_object`] builds the whole object (claims, JWK
//! Sets), [`scan_object`] builds nothing but the top-level members it is asked for (the
//! protected header, whose other members only [`crate::Header::raw`] shows, on demand).

use core::cell::Cell;
use core::fmt;
use std::borrow::Cow;
use std::collections::BTreeSet;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Value};

/// Why [`parse_object`](crate::json::parse_object) refused a JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonError {
    /// Not valid JSON (syntax, encoding, trailing data).
    Syntax,
    /// An object has two members with the same name.
    Duplicate,
    /// Objects and arrays nest deeper than allowed.
    TooDeep,
    /// The top-level value is not an object.
    NotObject,
}

impl JsonError {
    /// The reason in a few words, e.g. `"duplicate member name"`.
    pub fn reason(self) -> &'static str {
        match self {
            JsonError::Syntax => "not valid JSON",
            JsonError::Duplicate => "duplicate member name",
            JsonError::TooDeep => "JSON nests too deeply",
            JsonError::NotObject => "not a JSON object",
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl core::error::Error for JsonError {}

/// Parses `bytes` as a JSON object with unique member names at every depth and at most
/// `max_depth` levels of nesting (the top-level object counts as one).
///
/// ```
/// use jose_core::json::{parse_object, JsonError};
/// assert!(parse_object(br#"{"kty":"EC","crv":"P-256"}"#, 8).is_ok());
/// assert_eq!(parse_object(br#"{"n":"a","n":"b"}"#, 8), Err(JsonError::Duplicate));
/// assert_eq!(parse_object(br#"{"a":[[[1]]]}"#, 3), Err(JsonError::TooDeep));
/// # Ok::<(), JsonError>(())
/// ```
pub fn parse_object(bytes: &[u8], max_depth: usize) -> Result<Map<String, Value>, JsonError> {
    match walk(bytes, max_depth, StrictValue)? {
        Value::Object(map) => Ok(map),
        _ => Err(JsonError::NotObject),
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

/// A top-level member kept by [`scan_object`]: strings without escapes borrow the input.
#[derive(Debug, PartialEq)]
pub(crate) enum Scanned<'de> {
    String(Cow<'de, str>),
    Bool(bool),
    Array(Vec<Value>),
    /// A number, `null` or an object: checked like everything else, but not kept.
    Other,
}

/// Checks `bytes` exactly as [`parse_object`] does and returns the top-level members named
/// in `names`, without building anything else: no map, no copy of the other members.
pub(crate) fn scan_object<'de, const N: usize>(
    bytes: &'de [u8],
    max_depth: usize,
    names: [&'static str; N],
) -> Result<[Option<Scanned<'de>>; N], JsonError> {
    walk(bytes, max_depth, ScanObject { names })?.ok_or(JsonError::NotObject)
}

/// Runs `visitor` over the whole of `bytes` under the strictness rules: the first
/// violation met, or a syntax error (including trailing data after the value).
fn walk<'de, V: StrictVisitor<'de>>(
    bytes: &'de [u8],
    max_depth: usize,
    visitor: V,
) -> Result<V::Value, JsonError> {
    let problem = Cell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let strict = Strict {
        depth_left: max_depth,
        problem: &problem,
    };
    de.deserialize_any(With { strict, visitor })
        .and_then(|v| de.end().map(|()| v))
        .map_err(|_| problem.get().unwrap_or(JsonError::Syntax))
}

/// The state every strict walk carries: nesting left and where to record a violation.
#[derive(Clone, Copy)]
struct Strict<'p> {
    depth_left: usize,
    problem: &'p Cell<Option<JsonError>>,
}

impl Strict<'_> {
    fn fail<E: de::Error>(&self, problem: JsonError) -> E {
        self.problem.set(Some(problem));
        E::custom("strict JSON violation")
    }

    /// The state for the members of a container at this depth, or an error if opening
    /// one more container is too deep.
    fn nested<E: de::Error>(&self) -> Result<Self, E> {
        match self.depth_left.checked_sub(1) {
            Some(depth_left) => Ok(Strict {
                depth_left,
                problem: self.problem,
            }),
            None => Err(self.fail(JsonError::TooDeep)),
        }
    }
}

/// What a strict walk builds from each kind of JSON value; the containers get the
/// [`Strict`] state so they can check depth and duplicates.
trait StrictVisitor<'de>: Copy {
    type Value;
    fn scalar(self, value: Scalar<'_, 'de>) -> Self::Value;
    fn seq<A: SeqAccess<'de>>(self, strict: Strict<'_>, seq: A) -> Result<Self::Value, A::Error>;
    fn map<A: MapAccess<'de>>(self, strict: Strict<'_>, map: A) -> Result<Self::Value, A::Error>;
}

/// A JSON scalar as `serde_json` hands it over. A string with escapes arrives unescaped in
/// a scratch buffer (`Transient`), and is copied only by a visitor that keeps it.
enum Scalar<'t, 'de> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Borrowed(&'de str),
    Transient(&'t str),
}

/// A [`StrictVisitor`] with the walk's state: the serde seed and visitor for one value.
#[derive(Clone, Copy)]
struct With<'p, V> {
    strict: Strict<'p>,
    visitor: V,
}

impl<'p, V> With<'p, V> {
    fn new(strict: Strict<'p>, visitor: V) -> Self {
        With { strict, visitor }
    }
}

impl<'de, V: StrictVisitor<'de>> DeserializeSeed<'de> for With<'_, V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, V: StrictVisitor<'de>> Visitor<'de> for With<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<V::Value, E> {
        Ok(self.visitor.scalar(Scalar::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<V::Value, E> {
        Ok(self.visitor.scalar(Scalar::Number(v.into())))
    }

    fn visit_u64<E>(self, v: u64) -> Result<V::Value, E> {
        Ok(self.visitor.scalar(Scalar::Number(v.into())))
    }

    fn visit_f64<E>(self, v: f64) -> Result<V::Value, E> {
        // serde_json refuses numbers out of f64 range, so this is always finite.
        Ok(self
            .visitor
            .scalar(serde_json::Number::from_f64(v).map_or(Scalar::Null, Scalar::Number)))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<V::Value, E> {
        Ok(self.visitor.scalar(Scalar::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<V::Value, E> {
        Ok(self.visitor.scalar(Scalar::Transient(v)))
    }

    fn visit_unit<E>(self) -> Result<V::Value, E> {
        Ok(self.visitor.scalar(Scalar::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.visitor.seq(self.strict, seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.map(self.strict, map)
    }
}

/// Builds a `serde_json::Value`.
#[derive(Clone, Copy)]
struct StrictValue;

impl<'de> StrictVisitor<'de> for StrictValue {
    type Value = Value;

    fn scalar(self, value: Scalar<'_, 'de>) -> Value {
        match value {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Number(n) => Value::Number(n),
            Scalar::Borrowed(s) | Scalar::Transient(s) => Value::String(s.to_owned()),
        }
    }

    fn seq<A: SeqAccess<'de>>(self, strict: Strict<'_>, seq: A) -> Result<Value, A::Error> {
        values(strict, seq).map(Value::Array)
    }

    fn map<A: MapAccess<'de>>(self, strict: Strict<'_>, mut map: A) -> Result<Value, A::Error> {
        let inner = With::new(strict.nested()?, self);
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // One lookup finds a duplicate and the slot for a new member. A duplicate is
            // reported before its value is read, whatever that value holds.
            let Entry::Vacant(slot) = out.entry(key) else {
                return Err(strict.fail(JsonError::Duplicate));
            };
            slot.insert(map.next_value_seed(inner)?);
        }
        Ok(Value::Object(out))
    }
}

/// The elements of an array, as values.
fn values<'de, A: SeqAccess<'de>>(strict: Strict<'_>, mut seq: A) -> Result<Vec<Value>, A::Error> {
    let inner = With::new(strict.nested()?, StrictValue);
    let mut out = Vec::new();
    while let Some(v) = seq.next_element_seed(inner)? {
        out.push(v);
    }
    Ok(out)
}

/// Builds nothing.
#[derive(Clone, Copy)]
struct Skip;

impl<'de> StrictVisitor<'de> for Skip {
    type Value = ();

    fn scalar(self, _: Scalar<'_, 'de>) {}

    fn seq<A: SeqAccess<'de>>(self, strict: Strict<'_>, mut seq: A) -> Result<(), A::Error> {
        let inner = With::new(strict.nested()?, self);
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }

    /// Builds nothing, but still refuses a repeated member name.
    fn map<A: MapAccess<'de>>(self, strict: Strict<'_>, mut map: A) -> Result<(), A::Error> {
        let inner = With::new(strict.nested()?, self);
        let mut seen = SeenNames::new();
        while let Some(name) = map.next_key_seed(Name)? {
            if !seen.insert(name) {
                return Err(strict.fail(JsonError::Duplicate));
            }
            map.next_value_seed(inner)?;
        }
        Ok(())
    }
}

/// Keeps a top-level member for [`scan_object`]: strings and booleans as they are, arrays
/// as values (the header's `crit`), the rest checked and dropped.
#[derive(Clone, Copy)]
struct ScanMember;

impl<'de> StrictVisitor<'de> for ScanMember {
    type Value = Scanned<'de>;

    fn scalar(self, value: Scalar<'_, 'de>) -> Scanned<'de> {
        match value {
            Scalar::Borrowed(s) => Scanned::String(Cow::Borrowed(s)),
            Scalar::Transient(s) => Scanned::String(Cow::Owned(s.to_owned())),
            Scalar::Bool(b) => Scanned::Bool(b),
            Scalar::Null | Scalar::Number(_) => Scanned::Other,
        }
    }

    fn seq<A: SeqAccess<'de>>(self, strict: Strict<'_>, seq: A) -> Result<Scanned<'de>, A::Error> {
        values(strict, seq).map(Scanned::Array)
    }

    fn map<A: MapAccess<'de>>(self, strict: Strict<'_>, map: A) -> Result<Scanned<'de>, A::Error> {
        Skip.map(strict, map).map(|()| Scanned::Other)
    }
}

/// The top level of [`scan_object`]: `None` when the document is not an object (checked
/// all the same, so a violation inside is reported first, as [`parse_object`] does).
#[derive(Clone, Copy)]
struct ScanObject<const N: usize> {
    names: [&'static str; N],
}

impl<'de, const N: usize> StrictVisitor<'de> for ScanObject<N> {
    type Value = Option<[Option<Scanned<'de>>; N]>;

    fn scalar(self, _: Scalar<'_, 'de>) -> Self::Value {
        None
    }

    fn seq<A: SeqAccess<'de>>(self, strict: Strict<'_>, seq: A) -> Result<Self::Value, A::Error> {
        Skip.seq(strict, seq).map(|()| None)
    }

    fn map<A: MapAccess<'de>>(
        self,
        strict: Strict<'_>,
        mut map: A,
    ) -> Result<Self::Value, A::Error> {
        let kept = With::new(strict.nested()?, ScanMember);
        let skipped = With::new(kept.strict, Skip);
        let mut found = [const { None }; N];
        // A kept name's duplicate is an occupied slot; the other names, a distinct set,
        // are remembered apart.
        let mut seen = SeenNames::new();
        while let Some(name) = map.next_key_seed(Name)? {
            match self.names.iter().position(|n| *n == name) {
                Some(slot) if found[slot].is_some() => {
                    return Err(strict.fail(JsonError::Duplicate));
                }
                Some(slot) => found[slot] = Some(map.next_value_seed(kept)?),
                None if !seen.insert(name) => return Err(strict.fail(JsonError::Duplicate)),
                None => map.next_value_seed(skipped)?,
            }
        }
        Ok(Some(found))
    }
}

/// A member name, borrowed from the input unless it has escapes.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// How many names [`SeenNames`] keeps on the stack: more than a header has.
const FEW: usize = 8;

/// The member names of one object met so far. The first [`FEW`] live in an array, so a
/// header needs no heap; the rest in a tree, so an object with thousands of members costs
/// O(n log n) comparisons, not O(n²).
struct SeenNames<'de> {
    few: [Cow<'de, str>; FEW],
    len: usize,
    more: BTreeSet<Cow<'de, str>>,
}

impl<'de> SeenNames<'de> {
    fn new() -> Self {
        SeenNames {
            few: [const { Cow::Borrowed("") }; FEW],
            len: 0,
            more: BTreeSet::new(),
        }
    }

    /// Records `name`; `false` if it was already there.
    fn insert(&mut self, name: Cow<'de, str>) -> bool {
        if self.few[..self.len].contains(&name) {
            return false;
        }
        match self.few.get_mut(self.len) {
            Some(slot) => {
                *slot = name;
                self.len += 1;
                true
            }
            None => self.more.insert(name),
        }
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
            Err(JsonError::Duplicate)
        );
        assert_eq!(
            parse_object(br#"{"a":{"b":1,"b":1}}"#, 8),
            Err(JsonError::Duplicate)
        );
        assert_eq!(
            parse_object(br#"{"a":[{"b":1,"b":1}]}"#, 8),
            Err(JsonError::Duplicate)
        );
        // An escaped spelling of the same name is the same name.
        assert_eq!(
            parse_object(br#"{"alg":1,"\u0061lg":2}"#, 8),
            Err(JsonError::Duplicate)
        );
    }

    #[test]
    fn caps_nesting() {
        assert!(parse_object(br#"{"a":{"b":{}}}"#, 3).is_ok());
        assert_eq!(
            parse_object(br#"{"a":{"b":{"c":{}}}}"#, 3),
            Err(JsonError::TooDeep)
        );
        assert_eq!(parse_object(br#"{"a":[[[]]]}"#, 3), Err(JsonError::TooDeep));
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(parse_object(deep.as_bytes(), 32), Err(JsonError::TooDeep));
    }

    #[test]
    fn rejects_non_objects_and_bad_syntax() {
        assert_eq!(parse_object(b"[]", 8), Err(JsonError::NotObject));
        assert_eq!(parse_object(b"\"x\"", 8), Err(JsonError::NotObject));
        assert_eq!(parse_object(b"{} x", 8), Err(JsonError::Syntax));
        assert_eq!(parse_object(b"{\"a\":1,}", 8), Err(JsonError::Syntax));
        assert_eq!(
            parse_object(b"{\"a\":\"\\ud800\"}", 8),
            Err(JsonError::Syntax)
        );
        assert_eq!(parse_object(b"{\"a\":\"\xff\"}", 8), Err(JsonError::Syntax));
        assert_eq!(parse_object(b"", 8), Err(JsonError::Syntax));
    }

    /// Documents each walk must judge alike: every strictness rule, at the top level, in
    /// a kept member, in a skipped one, and past the names [`SeenNames`] keeps inline.
    fn corpus() -> Vec<String> {
        let many: String = (0..40).map(|i| format!(r#""m{i}":{i},"#)).collect();
        let mut docs: Vec<String> = [
            r#"{}"#,
            r#"{"alg":"RS256","kid":"k","x":1}"#,
            r#"{"alg":1,"alg":2}"#,
            r#"{"alg":1,"\u0061lg":2}"#,
            r#"{"x":1,"\u0078":2}"#,
            r#"{"x":1,"y":2,"x":3}"#,
            r#"{"alg":{"a":1,"a":2}}"#,
            r#"{"x":{"a":1,"a":2}}"#,
            r#"{"x":[{"a":1,"a":2}]}"#,
            r#"{"crit":[{"a":1,"a":2}]}"#,
            r#"{"x":[[[]]]}"#,
            r#"{"alg":[[[]]]}"#,
            r#"{"x":{"y":{}}}"#,
            r#"{"x":"\ud800"}"#,
            r#"{"x":1,}"#,
            r#"{} x"#,
            r#"[{"a":1,"a":2}]"#,
            r#"[] x"#,
            r#"[]"#,
            r#""alg""#,
            r#"1"#,
            r#""#,
        ]
        .map(String::from)
        .to_vec();
        docs.push(format!("{{{many}\"z\":0}}"));
        docs.push(format!("{{{many}\"m3\":0}}"));
        docs.push(format!("{{{many}\"m39\":0}}"));
        docs.push(format!("{{\"x\":{{{many}\"m1\":0}}}}"));
        docs
    }

    #[test]
    fn scan_judges_every_document_as_parse_does() {
        for doc in corpus() {
            let parsed = parse_object(doc.as_bytes(), 3).map(drop);
            let scanned = scan_object(doc.as_bytes(), 3, ["alg", "kid", "crit"]).map(drop);
            assert_eq!(scanned, parsed, "{doc}");
        }
    }

    #[test]
    fn scan_keeps_the_named_members_only() {
        let doc = br#"{"alg":"RS256","kid":"k\u0031","b64":false,"crit":["b64"],"exp":1,"jwk":{}}"#;
        let [alg, kid, b64, crit, exp, jwk, absent] =
            scan_object(doc, 4, ["alg", "kid", "b64", "crit", "exp", "jwk", "typ"]).unwrap();
        // Unescaped strings borrow the input; one with an escape is unescaped into a copy.
        assert!(matches!(alg, Some(Scanned::String(Cow::Borrowed("RS256")))));
        assert!(matches!(kid, Some(Scanned::String(Cow::Owned(ref k))) if k == "k1"));
        assert_eq!(b64, Some(Scanned::Bool(false)));
        assert_eq!(crit, Some(Scanned::Array(vec![Value::from("b64")])));
        assert_eq!(
            (exp, jwk, absent),
            (Some(Scanned::Other), Some(Scanned::Other), None)
        );
    }

    #[test]
    fn seen_names_refuse_repeats_inline_and_beyond() {
        let mut seen = SeenNames::new();
        for i in 0..1000 {
            assert!(seen.insert(Cow::Owned(format!("n{i}"))), "n{i}");
        }
        for i in [0, FEW - 1, FEW, 999] {
            assert!(!seen.insert(Cow::Owned(format!("n{i}"))), "n{i}");
        }
    }
}
