//! Black-box tests of the `jose` binary: the docs/DESIGN.md §6 contract (exit codes, JSON shapes,
//! stdin batches with one key cache, URL and issuer sources) against the built binary and
//! a real HTTP server on 127.0.0.1.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use jose_testkit::MockProvider;
use serde_json::{Value, json};

const NOW: &str = "1767225660";
const ISS: &str = "https://issuer.example";
const AUD: &str = "jose-tests";

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors")
}

fn interop_jwks() -> String {
    vectors().join("interop/jwks.json").display().to_string()
}

/// PyJWT-signed tokens (test-vectors/interop): (name, token, expected outcome).
fn interop_tokens() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(vectors().join("interop/pyjwt-tokens.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["token"].as_str().unwrap().to_owned(),
                t["expected"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A provider on a thread of its own (these tests are synchronous) publishing the interop
/// keys; its discovery document names `issuer`, or the provider itself.
fn provider(issuer: Option<&str>) -> MockProvider {
    let set: Value =
        serde_json::from_str(&std::fs::read_to_string(interop_jwks()).unwrap()).unwrap();
    let builder = MockProvider::builder().keys(set["keys"].as_array().unwrap().clone());
    match issuer {
        Some(issuer) => builder.issuer(issuer),
        None => builder,
    }
    .start_blocking()
}

fn valid_token() -> String {
    interop_tokens().remove(0).1
}

fn jose(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jose"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = stdin.unwrap_or("").to_owned();
    let mut pipe = child.stdin.take().unwrap();
    std::thread::spawn(move || pipe.write_all(input.as_bytes()));
    child.wait_with_output().unwrap()
}

fn stdout_json(out: &Output) -> Value {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "one JSON line: {text}");
    serde_json::from_str(&text).unwrap()
}

fn verify_args<'a>(source: &'a [&'a str], token: &'a str) -> Vec<&'a str> {
    let mut args = vec!["verify"];
    args.extend_from_slice(source);
    args.extend_from_slice(&[
        "--alg",
        "RS256,RS384,RS512,PS256,PS384,PS512,ES256",
        "--iss",
        ISS,
        "--aud",
        AUD,
        "--leeway",
        "0",
        "--now",
        NOW,
        token,
    ]);
    args
}

#[test]
fn every_interop_token_gets_its_exit_code_and_json_shape() {
    let jwks = interop_jwks();
    let tokens = interop_tokens();
    assert!(tokens.len() >= 15);
    for (name, token, expected) in tokens {
        let out = jose(&verify_args(&["--jwks", &jwks], &token), None);
        let json = stdout_json(&out);
        if expected == "valid" {
            assert_eq!(out.status.code(), Some(0), "{name}: {json}");
            assert_eq!(json["valid"], true);
            assert!(json["header"]["alg"].is_string(), "{name}");
            assert_eq!(json["claims"]["iss"], ISS, "{name}");
            assert_eq!(json.as_object().unwrap().len(), 3, "{name}: {json}");
        } else {
            assert_eq!(out.status.code(), Some(1), "{name}: {json}");
            assert_eq!(
                json,
                json!({"valid": false, "error": {"code": expected, "message": json["error"]["message"]}}),
                "{name}"
            );
            assert!(!json["error"]["message"].as_str().unwrap().is_empty());
        }
    }
}

/// ES384, ES512, EdDSA and "Ed25519" tokens (PyJWT / pyca/cryptography) through
/// `--alg`: each verifies with its own algorithm allowed and is refused without it; the
/// tampered twins exit 1.
#[test]
fn curve_tokens_verify_with_their_alg() {
    let jwks = vectors()
        .join("interop/jwks-curves.json")
        .display()
        .to_string();
    let text = std::fs::read_to_string(vectors().join("interop/pyjwt-curves-tokens.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let mut valid = 0;
    for case in file["tokens"].as_array().unwrap() {
        let (name, token) = (
            case["name"].as_str().unwrap(),
            case["token"].as_str().unwrap(),
        );
        let (alg, expected) = (
            case["alg"].as_str().unwrap(),
            case["expected"].as_str().unwrap(),
        );
        let args = |algs: &str| {
            let mut args = vec!["verify", "--jwks", &jwks, "--alg"];
            args.extend_from_slice(&[
                algs, "--iss", ISS, "--aud", AUD, "--leeway", "0", "--now", NOW, token,
            ]);
            args.into_iter().map(str::to_owned).collect::<Vec<_>>()
        };
        let run = |algs: &str| {
            let args = args(algs);
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            jose(&refs, None)
        };
        let out = run(alg);
        let json = stdout_json(&out);
        if expected == "valid" {
            assert_eq!(out.status.code(), Some(0), "{name}: {json}");
            assert_eq!(json["header"]["alg"], alg, "{name}");
            valid += 1;
            let others = "RS256,ES256,ES384,ES512,EdDSA,Ed25519"
                .split(',')
                .filter(|a| *a != alg)
                .collect::<Vec<_>>()
                .join(",");
            let out = run(&others);
            assert_eq!(out.status.code(), Some(1), "{name}");
            assert_eq!(
                stdout_json(&out)["error"]["code"],
                "ERR_JOSE_ALG_NOT_ALLOWED"
            );
        } else {
            assert_eq!(out.status.code(), Some(1), "{name}: {json}");
            assert_eq!(json["error"]["code"], expected, "{name}");
        }
    }
    assert_eq!(valid, 4);
}

#[test]
fn the_output_lists_members_in_contract_order() {
    let token = valid_token();
    let out = jose(&verify_args(&["--jwks", &interop_jwks()], &token), None);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(r#"{"valid":true,"header":{"#), "{text}");
    assert!(text.contains(r#"},"claims":{"#), "{text}");
    let out = jose(&verify_args(&["--jwks", &interop_jwks()], "x.y.z"), None);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(r#"{"valid":false,"error":{"code":"ERR_"#),
        "{text}"
    );
}

#[test]
fn a_tampered_token_is_rejected() {
    let token = valid_token();
    let (head, sig) = token.rsplit_once('.').unwrap();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{head}.{flipped}{}", &sig[1..]);
    let out = jose(&verify_args(&["--jwks", &interop_jwks()], &tampered), None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout_json(&out)["error"]["code"],
        "ERR_JWS_SIGNATURE_INVALID"
    );
}

#[test]
fn usage_and_configuration_errors_exit_2_with_one_line_on_stderr() {
    let token = valid_token();
    let jwks = interop_jwks();
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "verify", "--jwks", &jwks, "--alg", "RS256", "--bogus", &token,
        ],
        vec!["verify", "--alg", "RS256", &token],
        vec!["verify", "--jwks", &jwks, &token],
        vec![
            "verify",
            "--jwks",
            "/nonexistent/jwks.json",
            "--alg",
            "RS256",
            &token,
        ],
        vec!["verify", "--jwks", &jwks, "--alg", "HS256", &token],
        vec!["verify", "--jwks", &jwks, "--alg", "none", &token],
        vec![
            "verify",
            "--jwks",
            &jwks,
            "--alg",
            "RS256",
            "--now",
            "yesterday",
            &token,
        ],
        vec![
            "verify",
            "--jwks",
            "http://127.0.0.1:1/jwks",
            "--alg",
            "RS256",
            &token,
        ],
        vec![
            "verify",
            "--jwks",
            "http://keys.example/jwks",
            "--alg",
            "RS256",
            &token,
        ],
        vec![
            "verify",
            "--key",
            "/nonexistent.pem",
            "--alg",
            "RS256",
            &token,
        ],
        vec!["jwks", "/nonexistent/jwks.json"],
        vec!["frobnicate"],
    ];
    for args in cases {
        let out = jose(&args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(!stderr.trim().is_empty(), "{args:?}");
        if args
            .iter()
            .any(|a| a.contains("nonexistent") || a.contains("127.0.0.1:1"))
        {
            assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        }
    }
}

#[test]
fn help_shows_an_example_for_each_command() {
    for command in ["verify", "decode", "jwks"] {
        let out = jose(&[command, "--help"], None);
        assert_eq!(out.status.code(), Some(0));
        let help = String::from_utf8(out.stdout).unwrap();
        assert!(
            help.contains(&format!("jose {command} ")),
            "{command}: {help}"
        );
    }
}

#[test]
fn a_single_key_from_pem_or_jwk() {
    let token = valid_token();
    let pem = vectors().join("keys/rsa-2048.pub.pem");
    let out = jose(
        &verify_args(&["--key", pem.to_str().unwrap()], &token),
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", out);

    let dir = tempdir("single-key");
    let jwk = dir.join("key.json");
    let set: Value =
        serde_json::from_str(&std::fs::read_to_string(interop_jwks()).unwrap()).unwrap();
    std::fs::write(&jwk, set["keys"][0].to_string()).unwrap();
    let out = jose(
        &verify_args(&["--key", jwk.to_str().unwrap()], &token),
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    // The wrong key: the signature fails.
    std::fs::write(&jwk, set["keys"][1].to_string()).unwrap();
    let out = jose(
        &verify_args(&["--key", jwk.to_str().unwrap()], &token),
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout_json(&out)["error"]["code"],
        "ERR_JWS_SIGNATURE_INVALID"
    );
}

#[test]
fn plain_jws_mode_prints_the_payload_b64() {
    // RFC 7520 §4.1: a non-JSON payload, verified as a plain JWS.
    let vectors_json: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors().join("jws/rfc7520.json")).unwrap())
            .unwrap();
    let v = &vectors_json["vectors"][0];
    let dir = tempdir("jws");
    let key = dir.join("bilbo.json");
    std::fs::write(&key, v["jwk"].to_string()).unwrap();
    let token = v["token"].as_str().unwrap();
    let out = jose(
        &[
            "verify",
            "--key",
            key.to_str().unwrap(),
            "--alg",
            "RS256",
            "--jws",
            token,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json = stdout_json(&out);
    let payload = jose_core::base64url_decode(json["payload_b64"].as_str().unwrap()).unwrap();
    assert_eq!(payload, v["payload"].as_str().unwrap().as_bytes());
    assert_eq!(json["header"]["kid"], "bilbo.baggins@hobbiton.example");
    // The same token as a JWT fails: its payload is not JSON.
    let out = jose(
        &[
            "verify",
            "--key",
            key.to_str().unwrap(),
            "--alg",
            "RS256",
            token,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_json(&out)["error"]["code"], "ERR_JWT_INVALID");
}

#[test]
fn a_stdin_batch_prints_one_line_per_token() {
    let good = valid_token();
    let expired = interop_tokens()
        .into_iter()
        .find(|t| t.0 == "expired")
        .unwrap()
        .1;
    let input = format!("{good}\n{expired}\nnot-a-token\n  {good}  \n");
    let out = jose(
        &verify_args(&["--jwks", &interop_jwks()], "-"),
        Some(&input),
    );
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let codes: Vec<_> = lines.iter().map(|l| l["error"]["code"].clone()).collect();
    assert_eq!(
        codes,
        [
            Value::Null,
            json!("ERR_JWT_EXPIRED"),
            json!("ERR_JWS_INVALID"),
            Value::Null
        ]
    );
    assert_eq!(lines[3]["valid"], true);

    // Blank lines (here with CRLF and spaces) hold no token and print nothing.
    let all_good = format!("{good}\n\r\n{good}\n  \n\n");
    let out = jose(
        &verify_args(&["--jwks", &interop_jwks()], "-"),
        Some(&all_good),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
}

/// Batch mode reuses verdicts of repeated tokens: every repeat answers exactly as the
/// first verification did, and a tampered copy among them is still refused.
#[test]
fn a_batch_of_repeated_tokens_answers_each_as_verified() {
    let good = valid_token();
    let mut tampered = good.clone().into_bytes();
    let at = tampered.len() - 3;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let input = format!("{good}\n{good}\n{tampered}\n{good}\n");
    let out = jose(
        &verify_args(&["--jwks", &interop_jwks()], "-"),
        Some(&input),
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0], lines[1],
        "a repeat prints the same verified result"
    );
    assert_eq!(lines[0], lines[3]);
    let refused: Value = serde_json::from_str(lines[2]).unwrap();
    assert_eq!(refused["valid"], false);
    assert_eq!(refused["error"]["code"], "ERR_JWS_SIGNATURE_INVALID");
}

/// `println!` panics when stdout fails (exit 101); the contract allows 0, 1 or 2.
#[test]
fn a_failed_write_to_stdout_exits_2_without_a_panic() {
    let (good, set) = (valid_token(), interop_jwks());
    let source = ["--jwks", set.as_str()];
    for args in [verify_args(&source, &good), vec!["jwks", set.as_str()]] {
        let out = Command::new(env!("CARGO_BIN_EXE_jose"))
            .args(&args)
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write to stdout"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

/// Bytes that are not UTF-8 are a bad token (exit 1 and the rejection JSON), as on stdin.
#[cfg(unix)]
#[test]
fn a_token_argument_that_is_not_utf8_is_rejected_not_a_usage_error() {
    use std::os::unix::ffi::OsStrExt;
    let token = std::ffi::OsStr::from_bytes(b"\xff\xfe.a.b");
    let out = Command::new(env!("CARGO_BIN_EXE_jose"))
        .args(["verify", "--jwks", &interop_jwks(), "--alg", "RS256"])
        .arg(token)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_json(&out)["error"]["code"], "ERR_JWS_INVALID");
    let out = Command::new(env!("CARGO_BIN_EXE_jose"))
        .arg("decode")
        .arg(token)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_json(&out)["error"]["code"], "ERR_JWS_INVALID");
}

#[test]
fn a_jwks_url_is_fetched_once_for_a_batch_of_100() {
    let server = provider(None);
    let valid: Vec<String> = interop_tokens()
        .into_iter()
        .filter(|t| t.2 == "valid")
        .map(|t| t.1)
        .collect();
    let batch: Vec<&str> = valid.iter().map(String::as_str).cycle().take(100).collect();
    let url = server.url("/jwks");
    let out = jose(
        &verify_args(&["--jwks", &url], "-"),
        Some(&(batch.join("\n") + "\n")),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 100);
    assert_eq!(server.hits("/jwks"), 1);
}

#[test]
fn issuer_discovery_finds_the_jwks_and_checks_the_issuer() {
    let server = provider(None);
    let issuer = server.base_url();
    let token = valid_token();
    let batch = format!("{token}\n{token}\n{token}\n");
    let out = jose(&verify_args(&["--issuer", issuer], "-"), Some(&batch));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.hits("/.well-known/openid-configuration"), 1);
    assert_eq!(server.hits("/jwks"), 1);

    // Without --iss, --issuer is the expected iss: these tokens name another issuer.
    let out = jose(
        &[
            "verify", "--issuer", issuer, "--alg", "RS256", "--aud", AUD, "--now", NOW, &token,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_json(&out)["error"]["code"], "ERR_JWT_CLAIM_INVALID");

    // A discovery document naming another issuer is refused: exit 2.
    let liar = provider(Some("https://impostor.example"));
    let out = jose(&verify_args(&["--issuer", liar.base_url()], &token), None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("issuer"));
    assert_eq!(liar.hits("/jwks"), 0);
}

#[test]
fn decode_labels_the_output_unverified_and_fails_on_malformed_tokens() {
    let out = jose(&["decode", &valid_token()], None);
    assert_eq!(out.status.code(), Some(0));
    let json = stdout_json(&out);
    assert_eq!(json["verified"], false);
    assert!(json["warning"].as_str().unwrap().contains("UNVERIFIED"));
    assert_eq!(json["header"]["kid"], "rsa-2048");
    assert_eq!(json["payload"]["sub"], "alice");

    for bad in ["", "a.b", "eyJhbGciOiJub25lIn0.e30.", "!!.e30.c2ln"] {
        let out = jose(&["decode", bad], None);
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert_eq!(stdout_json(&out)["verified"], false);
    }
}

/// `decode` speaks of `verified` whether it reads the token or not; `valid` is
/// `verify`'s verdict alone.
#[test]
fn decode_says_verified_false_for_a_token_it_cannot_read_too() {
    let out = jose(&["decode", "garbage"], None);
    assert_eq!(out.status.code(), Some(1));
    let json = stdout_json(&out);
    assert_eq!(json["verified"], false);
    assert_eq!(json["error"]["code"], "ERR_JWS_INVALID");
    assert!(json.get("valid").is_none(), "{json}");
}

/// The payload is shown as JSON only when the strict parser reads it as an object: a
/// duplicated claim is shown raw, never with one of its values picked.
#[test]
fn decode_shows_a_payload_with_duplicate_claims_raw() {
    let header = jose_core::base64url_encode(br#"{"alg":"RS256"}"#);
    let payload = br#"{"sub":"alice","sub":"mallory"}"#;
    let token = format!("{header}.{}.c2ln", jose_core::base64url_encode(payload));
    let out = jose(&["decode", &token], None);
    assert_eq!(out.status.code(), Some(0));
    let json = stdout_json(&out);
    assert!(json.get("payload").is_none(), "{json}");
    let raw = jose_core::base64url_decode(json["payload_b64"].as_str().unwrap()).unwrap();
    assert_eq!(raw, payload);
}

/// Configuration mistakes say how to fix them.
#[test]
fn configuration_errors_say_how_to_fix_them() {
    let token = valid_token();
    let jwks = interop_jwks();
    let out = jose(&["verify", "--jwks", &jwks, "--alg", "rs256", &token], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("case-sensitive"), "{stderr}");
    for alg in jose_core::Algorithm::ALL {
        assert!(stderr.contains(alg.name()), "{alg:?} missing: {stderr}");
    }

    let pem = vectors().join("keys/rsa-2048.pub.pem");
    let out = jose(
        &[
            "verify",
            "--jwks",
            pem.to_str().unwrap(),
            "--alg",
            "RS256",
            &token,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--key"), "{stderr}");
}

#[test]
fn jwks_lists_keys_and_skipped_keys() {
    let dir = tempdir("jwks");
    let set: Value =
        serde_json::from_str(&std::fs::read_to_string(interop_jwks()).unwrap()).unwrap();
    let mut keys = set["keys"].as_array().unwrap().clone();
    keys.push(json!({"kty":"oct","kid":"hmac","k":"c2VjcmV0"}));
    keys.push(json!({"kty":"OKP","kid":"ed","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}));
    keys.push(json!({"kty":"OKP","kid":"ed448","crv":"Ed448","x":"AAAA"}));
    let curves: Value = serde_json::from_str(
        &std::fs::read_to_string(vectors().join("interop/jwks-curves.json")).unwrap(),
    )
    .unwrap();
    keys.extend(curves["keys"].as_array().unwrap().iter().take(2).cloned());
    let path = dir.join("mixed.json");
    std::fs::write(&path, json!({ "keys": keys }).to_string()).unwrap();

    let out = jose(&["jwks", "--json", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    let json = stdout_json(&out);
    let kids: Vec<_> = json["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].clone())
        .collect();
    assert_eq!(
        kids,
        [
            json!("rsa-2048"),
            json!("rsa-3072"),
            json!("rsa-4096"),
            json!("ec-p256"),
            json!("ed"),
            json!("ec-p384"),
            json!("ec-p521"),
        ]
    );
    assert_eq!(json["keys"][4]["kty"], "OKP");
    assert_eq!(json["keys"][4]["crv"], "Ed25519");
    // RFC 8037 A.3.
    assert_eq!(
        json["keys"][4]["thumbprint"],
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
    assert_eq!(json["keys"][5]["crv"], "P-384");
    assert_eq!(json["keys"][6]["crv"], "P-521");
    assert_eq!(json["keys"][0]["bits"], 2048);
    assert_eq!(json["keys"][3]["crv"], "P-256");
    assert_eq!(json["keys"][0]["thumbprint"].as_str().unwrap().len(), 43);
    assert_eq!(
        skipped_codes(&json),
        [
            (json!("hmac"), json!("ERR_JWK_SYMMETRIC_KEY")),
            (json!("ed448"), json!("ERR_JWK_UNSUPPORTED_CRV"))
        ]
    );

    let out = jose(&["jwks", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.lines().next().unwrap().starts_with("KID"), "{table}");
    assert!(
        table.contains("ec-p256") && table.contains("P-256"),
        "{table}"
    );
    for (kid, size) in [
        ("ec-p384", "P-384"),
        ("ec-p521", "P-521"),
        ("ed ", "Ed25519"),
    ] {
        let row = table.lines().find(|l| l.starts_with(kid)).unwrap();
        assert!(row.contains(size), "{table}");
    }
    assert!(table.contains("ERR_JWK_SYMMETRIC_KEY"), "{table}");

    let server = provider(None);
    let out = jose(&["jwks", "--json", "--issuer", server.base_url()], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout_json(&out)["keys"].as_array().unwrap().len(), 4);

    // A set whose every key is skipped is listed too (exit 1: nothing can verify).
    let unusable = dir.join("unusable.json");
    std::fs::write(
        &unusable,
        json!({"keys": [keys[4], keys[6], {"kty":"RSA","kid":"small","n":"AQAB","e":"AQAB"}]})
            .to_string(),
    )
    .unwrap();
    let out = jose(&["jwks", "--json", unusable.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let json = stdout_json(&out);
    assert_eq!(json["keys"], json!([]));
    assert_eq!(
        skipped_codes(&json),
        [
            (json!("hmac"), json!("ERR_JWK_SYMMETRIC_KEY")),
            (json!("ed448"), json!("ERR_JWK_UNSUPPORTED_CRV")),
            (json!("small"), json!("ERR_JWK_KEY_INVALID"))
        ]
    );
    let out = jose(&["jwks", unusable.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("skipped key #2 (kid small)"), "{table}");
}

/// `(kid, code)` of each skipped key in `jose jwks --json` output.
fn skipped_codes(json: &Value) -> Vec<(Value, Value)> {
    json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kid"].clone(), s["code"].clone()))
        .collect()
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jose-cli-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The README's first command must keep working as written.
#[test]
fn the_readme_first_command_verifies_the_bundled_sample() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme.find("cargo run --release -p jose-cli --").unwrap();
    let end = start + readme[start..].find("\n```").unwrap();
    let command = readme[start..end].replace("\\\n", " ").replace(
        "cargo run --release -p jose-cli --",
        env!("CARGO_BIN_EXE_jose"),
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&command)
        .current_dir(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{command}: {out:?}");
    assert_eq!(stdout_json(&out)["valid"], true);
}
