// jose vs jsonwebtoken (RustCrypto backend), both in wasm32-wasip1, vs Node's Web Crypto,
// verifying the same tokens in one Node process:
//
//   (cd benches/wasm && cargo build --release --target wasm32-wasip1)
//   node --no-warnings benches/wasm/run.mjs [path/to/jose-wasm-bench.wasm]
//
// The tokens are PyJWT's RS256 (2048-bit) and ES256 interop tokens from
// test-vectors/interop/. Each figure is the best of 5 runs of the mean time per
// verification with the key already parsed; jose and jsonwebtoken also check the claims
// (iss, aud), Web Crypto only the signature.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WASI } from "node:wasi";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const wasmPath =
  process.argv[2] ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "benches/wasm/target"),
    "wasm32-wasip1/release/jose-wasm-bench.wasm");
const module = await WebAssembly.compile(readFileSync(wasmPath));
const interop = JSON.parse(readFileSync(path.join(root, "test-vectors/interop/pyjwt-tokens.json"), "utf8"));
const jwks = JSON.parse(readFileSync(path.join(root, interop.jwks), "utf8"));
const dir = mkdtempSync(path.join(tmpdir(), "jose-wasm-bench-"));

function wasmRun(peer, iterations, request) {
  const input = path.join(dir, "in.json");
  const output = path.join(dir, "out.txt");
  writeFileSync(input, JSON.stringify(request));
  const stdin = openSync(input, "r");
  const stdout = openSync(output, "w");
  try {
    const wasi = new WASI({ version: "preview1", args: ["bench", peer, String(iterations)], env: {}, stdin, stdout, returnOnExit: true });
    const status = wasi.start(new WebAssembly.Instance(module, wasi.getImportObject()));
    if (status !== 0) throw new Error(`${peer} exited with ${status}`);
    return Number(readFileSync(output, "utf8"));
  } finally {
    closeSync(stdin);
    closeSync(stdout);
  }
}

const b64url = (s) => Buffer.from(s, "base64url");
async function webCrypto(token, jwk, alg, iterations) {
  const params = alg === "RS256"
    ? { import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, verify: { name: "RSASSA-PKCS1-v1_5" } }
    : { import: { name: "ECDSA", namedCurve: "P-256" }, verify: { name: "ECDSA", hash: "SHA-256" } };
  const { kty, n, e, crv, x, y } = jwk;
  const key = await crypto.subtle.importKey("jwk", { kty, n, e, crv, x, y }, params.import, false, ["verify"]);
  const dot = token.lastIndexOf(".");
  const signed = Buffer.from(token.slice(0, dot));
  const signature = b64url(token.slice(dot + 1));
  if (!(await crypto.subtle.verify(params.verify, key, signature, signed))) throw new Error("Web Crypto: invalid");
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await crypto.subtle.verify(params.verify, key, signature, signed);
  return Number(process.hrtime.bigint() - start) / iterations;
}

const best = async (f) => { let b = Infinity; for (let i = 0; i < 5; i++) b = Math.min(b, await f()); return b; };
const us = (ns) => (ns / 1000).toFixed(1);

console.log("| token | jose (wasm) | jsonwebtoken + rust_crypto (wasm) | Web Crypto (Node) | jsonwebtoken / jose | jose / Web Crypto |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const [name, alg, iterations] of [["rs256-2048", "RS256", 2000], ["es256", "ES256", 1000]]) {
  const t = interop.tokens.find((t) => t.name === name);
  const jwk = jwks.keys.find((k) => k.kid === t.kid);
  const request = { token: t.token, jwk, alg, iss: interop.validation.iss, aud: interop.validation.aud, now: interop.validation.now };
  const jose = await best(() => wasmRun("jose", iterations, request));
  const peer = await best(() => wasmRun("jsonwebtoken", Math.max(50, iterations / 20), request));
  const web = await best(() => webCrypto(t.token, jwk, alg, iterations));
  console.log(`| ${alg} (${name}) | ${us(jose)} µs | ${us(peer)} µs | ${us(web)} µs | ${(peer / jose).toFixed(1)}× | ${(jose / web).toFixed(2)}× |`);
}
rmSync(dir, { recursive: true, force: true });
