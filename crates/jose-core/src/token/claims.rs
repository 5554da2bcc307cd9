//! JWT claims (RFC 7519 §4): the registered claims, typed, each absent, valid or
//! malformed, and the whole claims object for the caller's own type.

use serde::Deserialize;
use serde_json::{Map, Number, Value};

use super::json::{self, JsonError};
use crate::error::{Error, Result};

/// The largest NumericDate accepted: 9999-12-31T23:59:59Z. Anything larger is a forged
/// or broken token, and keeping values this small means adding a leeway cannot overflow.
const MAX_NUMERIC_DATE: u64 = 253_402_300_799;

/// The verified claims of a JWT.
///
/// Registered claims are checked for type when the token is validated: a present but
/// malformed claim (`"exp": "tomorrow"`, `"aud": 5`) is an error, never treated as absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    exp: Option<u64>,
    nbf: Option<u64>,
    iat: Option<u64>,
    /// `iss`, `sub`, `aud` and `jti` are read from here: [`Claims::parse`] checked their
    /// types, and copying them out would cost a heap block per string for every token.
    raw: Map<String, Value>,
}

/// The registered claims of a claims object, typed, borrowed from it: what validation
/// reads, found once.
pub(crate) struct Registered<'r> {
    pub(crate) iss: Option<&'r str>,
    /// A string or an array of strings.
    pub(crate) aud: Option<&'r Value>,
    pub(crate) exp: Option<NumericDate>,
    pub(crate) nbf: Option<NumericDate>,
    pub(crate) iat: Option<NumericDate>,
    /// The whole object, for claims the caller requires by name.
    pub(crate) all: &'r Map<String, Value>,
}

impl Claims {
    /// Parses a payload as a strict JSON object, types its registered claims and runs
    /// `check` on them before the object becomes a `Claims`.
    pub(crate) fn parse(
        payload: &[u8],
        max_depth: usize,
        check: impl FnOnce(&Registered<'_>) -> Result<()>,
    ) -> Result<Claims> {
        let raw = json::parse_object(payload, max_depth).map_err(|p| match p {
            JsonError::Duplicate => Error::JwtInvalid {
                reason: "duplicate claim name",
            },
            JsonError::TooDeep => Error::LimitExceeded {
                limit: "claims JSON nesting",
                max: max_depth,
            },
            JsonError::NotObject => Error::JwtInvalid {
                reason: "payload is not a JSON object",
            },
            JsonError::Syntax => Error::JwtInvalid {
                reason: "payload is not valid JSON",
            },
        })?;
        let registered = Registered::find(&raw)?;
        check(&registered)?;
        let Registered { exp, nbf, iat, .. } = registered;
        Ok(Claims {
            exp: exp.map(NumericDate::floor),
            nbf: nbf.map(NumericDate::floor),
            iat: iat.map(NumericDate::floor),
            raw,
        })
    }

    /// The registered claims, typed again from the kept object (no JSON is parsed).
    pub(crate) fn registered(&self) -> Result<Registered<'_>> {
        Registered::find(&self.raw)
    }

    /// `iss`: the issuer.
    pub fn iss(&self) -> Option<&str> {
        self.string("iss")
    }

    /// `sub`: the subject.
    pub fn sub(&self) -> Option<&str> {
        self.string("sub")
    }

    /// `aud`: the audiences, in order (a single string is one audience). Yields nothing
    /// when the claim is absent; [`Claims::has_aud`] tells the two cases apart.
    pub fn aud(&self) -> impl Iterator<Item = &str> {
        audiences(self.raw.get("aud"))
    }

    /// Whether `aud` is present.
    pub fn has_aud(&self) -> bool {
        self.raw.contains_key("aud")
    }

    /// `exp`: expiration time, whole seconds since the epoch (a fraction is dropped here;
    /// validation rounds it the way that fails closed).
    pub fn exp(&self) -> Option<u64> {
        self.exp
    }

    /// `nbf`: not-before time, whole seconds since the epoch (a fraction is dropped here;
    /// validation rounds it the way that fails closed).
    pub fn nbf(&self) -> Option<u64> {
        self.nbf
    }

    /// `iat`: issued-at time, whole seconds since the epoch (a fraction is dropped here;
    /// validation rounds it the way that fails closed).
    pub fn iat(&self) -> Option<u64> {
        self.iat
    }

    /// `jti`: the token's identifier.
    pub fn jti(&self) -> Option<&str> {
        self.string("jti")
    }

    /// A claim that [`Claims::parse`] checked is a string when present.
    fn string(&self, name: &str) -> Option<&str> {
        self.raw.get(name).and_then(Value::as_str)
    }

    /// Any claim by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.raw.get(name)
    }

    /// The whole claims object.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.raw
    }

    /// Deserializes the claims into the caller's own type.
    ///
    /// ```
    /// # use jose_core::Claims;
    /// #[derive(serde::Deserialize)]
    /// struct MyClaims<'a> { sub: &'a str, scope: Option<String> }
    /// # fn f(claims: &Claims) -> Result<(), jose_core::Error> {
    /// let mine: MyClaims<'_> = claims.deserialize()?;
    /// # Ok(()) }
    /// ```
    pub fn deserialize<'de, T: Deserialize<'de>>(&'de self) -> Result<T> {
        T::deserialize(&self.raw).map_err(|e| Error::ClaimsType {
            reason: redact_quoted(&e.to_string()),
        })
    }
}

/// serde's messages quote offending input; claims may be personal data, so quoted parts
/// are dropped from the error. Two quoting styles occur:
/// - `"…"`: a string value in `Debug` form (`invalid type: string "…"`), where `"` and `\`
///   inside are escaped, so the closing quote is the first unescaped one;
/// - `` `…` ``: a number, or a member or variant name printed raw (`unknown field`).
///   A raw name may itself contain backticks, so a backtick region is trusted to end at
///   the next backtick only when no other backtick follows; otherwise the rest of the
///   message is dropped.
fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push_str("\"…\"");
                let mut escaped = false;
                for c in chars.by_ref() {
                    match (c, escaped) {
                        (_, true) => escaped = false,
                        ('\\', false) => escaped = true,
                        ('"', false) => break,
                        _ => {}
                    }
                }
            }
            '`' => {
                out.push_str("`…`");
                if chars.as_str().matches('`').count() != 1 {
                    return out;
                }
                chars.by_ref().find(|&c| c == '`');
            }
            c => out.push(c),
        }
    }
    out
}

impl<'r> Registered<'r> {
    /// Finds and types the registered claims. The order of the checks decides which
    /// malformed claim is reported.
    fn find(all: &'r Map<String, Value>) -> Result<Registered<'r>> {
        let [iss, sub, aud, exp, nbf, iat, jti] =
            json::members(all, ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]);
        let iss = string_claim(iss, "iss")?;
        string_claim(sub, "sub")?;
        let aud = audience_claim(aud)?;
        let exp = date_claim(exp, "exp")?;
        let nbf = date_claim(nbf, "nbf")?;
        let iat = date_claim(iat, "iat")?;
        string_claim(jti, "jti")?;
        Ok(Registered {
            iss,
            aud,
            exp,
            nbf,
            iat,
            all,
        })
    }
}

/// Checks that a string claim is a string when present.
fn string_claim<'r>(value: Option<&'r Value>, name: &'static str) -> Result<Option<&'r str>> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::ClaimMalformed { claim: name }),
    }
}

/// Checks that `aud` is a string or an array of strings when present.
fn audience_claim(value: Option<&Value>) -> Result<Option<&Value>> {
    let well_formed = match value {
        None | Some(Value::String(_)) => true,
        Some(Value::Array(items)) => items.iter().all(Value::is_string),
        Some(_) => false,
    };
    if well_formed {
        Ok(value)
    } else {
        Err(Error::ClaimMalformed { claim: "aud" })
    }
}

/// The audiences in an `aud` claim that [`audience_claim`] accepted.
pub(crate) fn audiences(aud: Option<&Value>) -> impl Iterator<Item = &str> {
    let (one, many) = match aud {
        Some(Value::String(s)) => (Some(s.as_str()), &[][..]),
        Some(Value::Array(items)) => (None, items.as_slice()),
        _ => (None, &[][..]),
    };
    one.into_iter().chain(many.iter().filter_map(Value::as_str))
}

/// A NumericDate (RFC 7519 §2) as whole seconds and whether a fraction was dropped.
///
/// The clock reads whole seconds, so each check rounds a fractional date the way that
/// fails closed: `exp` and the age of `iat` round down (a token counts as expired, or as
/// old, from the start of that second), while `nbf` and "`iat` in the future" round up
/// (a token is accepted only once that second has fully begun). Rounding `nbf` down
/// would accept a token up to a second before its `nbf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NumericDate {
    secs: u64,
    fractional: bool,
}

impl NumericDate {
    /// The largest whole second not after the date.
    pub(crate) fn floor(self) -> u64 {
        self.secs
    }

    /// The smallest whole second not before the date.
    pub(crate) fn ceil(self) -> u64 {
        self.secs + u64::from(self.fractional)
    }
}

/// A NumericDate (RFC 7519 §2): a JSON number of seconds, possibly fractional. Strings,
/// `null`, negative and absurdly large values are malformed.
fn date_claim(value: Option<&Value>, name: &'static str) -> Result<Option<NumericDate>> {
    match value {
        None => Ok(None),
        Some(Value::Number(n)) => numeric_date(n)
            .map(Some)
            .ok_or(Error::ClaimMalformed { claim: name }),
        Some(_) => Err(Error::ClaimMalformed { claim: name }),
    }
}

fn numeric_date(n: &Number) -> Option<NumericDate> {
    if let Some(secs) = n.as_u64() {
        return (secs <= MAX_NUMERIC_DATE).then_some(NumericDate {
            secs,
            fractional: false,
        });
    }
    let secs = n.as_f64()?;
    // Negative integers arrive as i64 and fail here too.
    if !(0.0..=MAX_NUMERIC_DATE as f64).contains(&secs) {
        return None;
    }
    let floor = secs.floor();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // range checked above
    Some(NumericDate {
        secs: floor as u64,
        fractional: floor != secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(json: &str) -> Result<Claims> {
        Claims::parse(json.as_bytes(), 16, |_| Ok(()))
    }

    #[test]
    fn registered_claims_are_typed() {
        let c = parse(
            r#"{"iss":"i","sub":"s","aud":["a","b"],"exp":10,"nbf":5.9,"iat":1,"jti":"j","x":1}"#,
        )
        .unwrap();
        assert_eq!(
            (c.iss(), c.sub(), c.jti()),
            (Some("i"), Some("s"), Some("j"))
        );
        assert_eq!(c.aud().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!((c.exp(), c.nbf(), c.iat()), (Some(10), Some(5), Some(1)));
        assert_eq!(c.get("x"), Some(&Value::from(1)));
        assert_eq!(
            parse(r#"{"aud":"a"}"#).unwrap().aud().collect::<Vec<_>>(),
            ["a"]
        );
        assert_eq!(parse("{}").unwrap().aud().count(), 0);
    }

    #[test]
    fn malformed_is_never_absent() {
        let cases = [
            (r#"{"exp":"1700000000"}"#, "exp"),
            (r#"{"exp":null}"#, "exp"),
            (r#"{"exp":-1}"#, "exp"),
            (r#"{"exp":1e300}"#, "exp"),
            (r#"{"exp":253402300800}"#, "exp"),
            (r#"{"exp":true}"#, "exp"),
            (r#"{"nbf":"0"}"#, "nbf"),
            (r#"{"iat":[1]}"#, "iat"),
            (r#"{"iss":1}"#, "iss"),
            (r#"{"sub":null}"#, "sub"),
            (r#"{"jti":{}}"#, "jti"),
            (r#"{"aud":1}"#, "aud"),
            (r#"{"aud":["a",1]}"#, "aud"),
            (r#"{"aud":null}"#, "aud"),
        ];
        for (json, claim) in cases {
            assert_eq!(
                parse(json).unwrap_err(),
                Error::ClaimMalformed { claim },
                "{json}"
            );
        }
    }

    #[test]
    fn payload_must_be_a_strict_object() {
        assert_eq!(parse("[]").unwrap_err().code(), "ERR_JWT_INVALID");
        assert_eq!(parse("{").unwrap_err().code(), "ERR_JWT_INVALID");
        assert_eq!(
            parse(r#"{"exp":1,"exp":2}"#).unwrap_err().code(),
            "ERR_JWT_INVALID"
        );
    }

    #[test]
    fn deserialize_errors_do_not_echo_values() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Mine {
            sub: u64,
        }
        let c = parse(r#"{"sub":"alice@example.com"}"#).unwrap();
        let err = c.deserialize::<Mine>().unwrap_err();
        assert_eq!(err.code(), "ERR_JWT_CLAIMS_TYPE");
        assert!(!err.to_string().contains("alice"), "{err}");
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        count: Option<u64>,
        role: Option<Role>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    enum Role {
        Admin,
        Reader,
    }

    /// The message for `claims` deserialized into `Strict`.
    fn strict_error(claims: &Value) -> String {
        let c = parse(&claims.to_string()).unwrap();
        let err = c.deserialize::<Strict>().unwrap_err();
        assert_eq!(err.code(), "ERR_JWT_CLAIMS_TYPE");
        err.to_string()
    }

    #[test]
    fn deserialize_errors_redact_quotes_and_backticks_inside_values() {
        let cases = [
            // An escaped quote inside a string value must not end the redaction early.
            (json!({"count": "alice\"SECRET 4111"}), "expected u64"),
            // A raw member name with backticks in it.
            (json!({"a`SECRET`": 1}), "unknown field"),
            // A variant name that imitates the rest of serde's message.
            (json!({"role": "x`, expected `SECRET"}), "unknown variant"),
        ];
        for (claims, kept) in cases {
            let message = strict_error(&claims);
            assert!(!message.contains("SECRET"), "{message}");
            assert!(message.contains(kept), "{message}");
        }
        // With no backtick in the value, serde's own hints stay readable.
        let message = strict_error(&json!({"count": -5}));
        assert!(message.contains("expected u64"), "{message}");
        assert!(!message.contains('5'), "{message}");
    }

    proptest::proptest! {
        /// Whatever mix of quotes, backticks and escapes surrounds a secret in a value, a
        /// member name or a variant name, the error never shows it.
        #[test]
        fn deserialize_errors_never_echo_a_secret(
            before in "[\"`\\\\, a]{0,6}",
            after in "[\"`\\\\, a]{0,6}",
            slot in 0..3usize,
        ) {
            let secret = format!("{before}SECRET{after}");
            let claims = match slot {
                0 => json!({ "count": secret }),
                1 => Value::Object(Map::from_iter([(secret, json!(1))])),
                _ => json!({ "role": secret }),
            };
            let message = strict_error(&claims);
            proptest::prop_assert!(!message.contains("SECRET"), "{}", message);
        }
    }
}
