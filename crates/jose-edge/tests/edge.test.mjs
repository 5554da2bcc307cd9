// The jose-edge example in WebAssembly, run by Node as a user would run it:
//
//   cargo build -p jose-edge --release --target wasm32-wasip1
//   node --no-warnings --test crates/jose-edge/tests/
//
// The wasm file is $JOSE_EDGE_WASM, else the release build under $CARGO_TARGET_DIR (or
// target/). Tokens and keys are the PyJWT interop set of test-vectors/interop/.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadVerifier } from "../js/jose-edge.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const wasm =
  process.env.JOSE_EDGE_WASM ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"),
    "wasm32-wasip1/release/jose-edge.wasm");
const interop = JSON.parse(readFileSync(path.join(root, "test-vectors/interop/pyjwt-tokens.json"), "utf8"));
const jwks = readFileSync(path.join(root, interop.jwks), "utf8");
const token = (name) => interop.tokens.find((t) => t.name === name).token;
const verify = await loadVerifier(wasm);

const options = (alg, extra = {}) => ({
  alg: [alg],
  iss: interop.validation.iss,
  aud: interop.validation.aud,
  now: interop.validation.now,
  leeway: interop.validation.leeway,
  ...extra,
});

// Replaces one character in the middle of the signature with another base64url
// character: still well-formed, no longer the signer's signature.
function tamper(jwt) {
  const i = jwt.lastIndexOf(".") + 10;
  return jwt.slice(0, i) + (jwt[i] === "A" ? "B" : "A") + jwt.slice(i + 1);
}

for (const [name, alg] of [["rs256-2048", "RS256"], ["es256", "ES256"]]) {
  test(`${name}: a valid token verifies, with its header and claims`, () => {
    const result = verify(token(name), jwks, options(alg));
    assert.equal(result.valid, true, JSON.stringify(result));
    assert.equal(result.header.alg, alg);
    assert.equal(result.claims.iss, interop.validation.iss);
    assert.equal(result.claims.sub, "alice");
  });

  test(`${name}: a tampered signature is rejected`, () => {
    const result = verify(tamper(token(name)), jwks, options(alg));
    assert.deepEqual(result.valid, false);
    assert.equal(result.error.code, "ERR_JWS_SIGNATURE_INVALID");
  });
}

test("the JWK Set may be passed as an object", () => {
  const result = verify(token("rs256-2048"), JSON.parse(jwks), options("RS256"));
  assert.equal(result.valid, true, JSON.stringify(result));
});

test("claims are checked: expired, wrong audience, algorithm not allowed", () => {
  const later = verify(token("rs256-2048"), jwks, options("RS256", { now: 4102444800 }));
  assert.equal(later.error.code, "ERR_JWT_EXPIRED");
  const aud = verify(token("rs256-2048"), jwks, options("RS256", { aud: "someone-else" }));
  assert.equal(aud.error.code, "ERR_JWT_CLAIM_INVALID");
  const alg = verify(token("rs256-2048"), jwks, options("ES256"));
  assert.equal(alg.error.code, "ERR_JOSE_ALG_NOT_ALLOWED");
});

test("a bad request is the caller's error, with its own code", () => {
  const typo = verify(token("rs256-2048"), jwks, options("RS256", { audience: "x" }));
  assert.equal(typo.error.code, "ERR_EDGE_REQUEST_INVALID");
  const noAlg = verify(token("rs256-2048"), jwks, {});
  assert.equal(noAlg.error.code, "ERR_EDGE_REQUEST_INVALID");
  const badSet = verify(token("rs256-2048"), "{\"keys\":[],\"keys\":[]}", options("RS256"));
  assert.equal(badSet.valid, false);
});
