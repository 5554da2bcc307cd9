// Runs a wasm32-wasip1 program (a test binary, the edge example) under Node's built-in
// WASI, as cargo's runner for that target:
//
//   CARGO_TARGET_WASM32_WASIP1_RUNNER="node scripts/wasi-runner.mjs" \
//     cargo test -p jose-core --target wasm32-wasip1
//
// The repository root is preopened at its own absolute path and made the working
// directory, so tests read `test-vectors/` through the same paths as natively
// (`env!("CARGO_MANIFEST_DIR")/../../test-vectors/...`). Nothing else of the host is
// visible. stdin, stdout, stderr and the exit code pass through.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { WASI } from "node:wasi";

const [, , program, ...args] = process.argv;
if (!program) {
  console.error("usage: node scripts/wasi-runner.mjs <program.wasm> [args...]");
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wasi = new WASI({
  version: "preview1",
  args: [path.basename(program), ...args],
  env: { RUST_BACKTRACE: process.env.RUST_BACKTRACE ?? "0", PWD: root },
  preopens: { [root]: root },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(program));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
