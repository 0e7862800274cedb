// wiremq's two CURVE MESSAGE ciphers side by side, per payload size, in one process: the wasm
// build boxing in place in its memory (sodium.ts) and the sodium-native binding
// (sodium-native.ts), box and open. The crossover sets NATIVE_MIN_BYTES in sodium.ts.
//   npm run build && node dist/bench/cipher-paths.js
import { loadSodium, wasmBoxAfterInto, wasmOpenAfterSplit } from "../lib/mechanisms/sodium.js";
import { loadNativeCipher } from "../lib/mechanisms/sodium-native.js";
import { median } from "./stats.js";

await loadSodium();
const native = await loadNativeCipher();
if (native === null) throw new Error("sodium-native does not load here");
const key = Buffer.alloc(32, 3);
const nonce = Buffer.alloc(24, 4);
for (const size of [16, 256, 512, 1024, 4096, 65_536]) {
  const body = Buffer.alloc(size, 1);
  const boxed = Buffer.alloc(size + 17);
  wasmBoxAfterInto(boxed, 0, 0, body, nonce, key);
  const out = Buffer.alloc(size + 17);
  const paths: Record<string, () => unknown> = {
    "wasm box": () => wasmBoxAfterInto(out, 0, 0, body, nonce, key),
    "native box": () => native.boxAfterInto(out, 0, 0, body, nonce, key),
    "wasm open": () => wasmOpenAfterSplit(boxed, nonce, key),
    "native open": () => native.openAfterSplit(boxed, nonce, key),
  };
  const rates: Record<string, number[]> = {};
  for (let round = 0; round < 5; round++) {
    for (const [name, run] of Object.entries(paths)) {
      const n = Math.max(200, Math.round(2e7 / (size + 200)));
      const start = performance.now();
      for (let i = 0; i < n; i++) run();
      (rates[name] ??= []).push((n * size) / ((performance.now() - start) / 1000) / 1e6);
    }
  }
  console.log(`${String(size).padStart(6)} B  ${Object.entries(rates).map(([name, r]) => `${name} ${median(r).toFixed(1)}`).join("  ")}  MB/s (median of 5)`);
}
