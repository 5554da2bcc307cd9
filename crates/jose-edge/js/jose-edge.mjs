// Host side of the jose-edge example: runs the wasm32-wasip1 command once per request
// through Node's built-in WASI and returns its `jose verify` JSON result.
//
//   import { loadVerifier } from "./jose-edge.mjs";
//   const verify = await loadVerifier("target/wasm32-wasip1/release/jose-edge.wasm");
//   const result = verify(token, jwks, { alg: ["RS256"], iss: "https://issuer.example" });
//   if (!result.valid) console.log(result.error.code); // e.g. ERR_JWS_SIGNATURE_INVALID
//
// The module is compiled once; each call gets a fresh instance (a WASI command runs
// `_start` once), with the request on its stdin and the result read from its stdout.
// WASI here sees no files and no environment: stdin and stdout are temporary files.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { WASI } from "node:wasi";

export async function loadVerifier(wasmPath) {
  const module = await WebAssembly.compile(readFileSync(wasmPath));
  const dir = mkdtempSync(path.join(tmpdir(), "jose-edge-"));
  const requestPath = path.join(dir, "request.json");
  const resultPath = path.join(dir, "result.json");
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));

  // `jwks` is the JWK Set as JSON text or as an object; `options` as for `jose verify`:
  // { alg, iss, aud, leeway, now }.
  return function verify(token, jwks, options) {
    writeFileSync(requestPath, JSON.stringify({ token, jwks, options }));
    const stdin = openSync(requestPath, "r");
    const stdout = openSync(resultPath, "w");
    try {
      const wasi = new WASI({
        version: "preview1",
        args: ["jose-edge"],
        env: {},
        stdin,
        stdout,
        returnOnExit: true,
      });
      const instance = new WebAssembly.Instance(module, wasi.getImportObject());
      const status = wasi.start(instance);
      const text = readFileSync(resultPath, "utf8");
      if (status > 1 || text === "") {
        throw new Error(`jose-edge failed with exit status ${status}`);
      }
      return JSON.parse(text);
    } finally {
      closeSync(stdin);
      closeSync(stdout);
    }
  };
}
