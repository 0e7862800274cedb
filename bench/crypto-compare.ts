/**
 * Compares crypto_box implementations for CURVE: X25519 (+HSalsa20, i.e. crypto_box_beforenm),
 * and box / open with a precomputed key (crypto_box_afternm, the per-MESSAGE hot path) at
 * 16 B and 64 KiB.
 *
 * Candidates that are not installed are skipped. To compare libraries that are not project
 * dependencies, install them in a scratch folder and point CRYPTOCMP_DIR at it:
 *
 *   mkdir -p /tmp/cryptocmp && cd /tmp/cryptocmp && npm init -y &&
 *     npm install tweetnacl @noble/curves @noble/ciphers libsodium-wrappers @stablelib/nacl
 *   npx tsc --outDir /tmp/bench-out --module nodenext --target es2022 --skipLibCheck bench/crypto-compare.ts
 *   CRYPTOCMP_DIR=/tmp/cryptocmp node /tmp/bench-out/crypto-compare.js
 *
 * Every candidate's output is cross-checked against the first one for identical bytes.
 */
import { createRequire } from "node:module";
import { createPrivateKey, createPublicKey, diffieHellman, randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";

interface Candidate {
  name: string;
  /** Raw X25519 scalar multiplication (the shared secret), keys in the library's own form. */
  x25519(): Uint8Array;
  /** crypto_box_beforenm: X25519 then HSalsa20 with a zero nonce. */
  beforenm(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** crypto_box_afternm in the "easy" layout: 16-byte tag, then ciphertext. */
  boxAfter(msg: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array;
  openAfter(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null;
}

const dir = process.env.CRYPTOCMP_DIR;
const req = createRequire(dir ? pathToFileURL(dir + "/package.json") : import.meta.url);

async function load(spec: string): Promise<any> {
  try {
    return await import(pathToFileURL(req.resolve(spec)).href);
  } catch {
    return null;
  }
}

const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");

function nodeX25519(publicKey: Uint8Array, secretKey: Uint8Array): Buffer {
  return diffieHellman({
    privateKey: createPrivateKey({ key: Buffer.concat([PKCS8_X25519, secretKey]), format: "der", type: "pkcs8" }),
    publicKey: createPublicKey({ key: Buffer.concat([SPKI_X25519, publicKey]), format: "der", type: "spki" }),
  });
}

const skA = randomBytes(32);
const skB = randomBytes(32);

async function candidates(): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const base = Buffer.alloc(32);
  base[0] = 9;
  const pkB = nodeX25519(base, skB);

  const tweet = await load("tweetnacl");
  if (tweet) {
    const nacl = tweet.default ?? tweet;
    out.push({
      name: "tweetnacl 1.0.3",
      x25519: () => nacl.scalarMult(skA, pkB),
      beforenm: (pk, sk) => nacl.box.before(pk, sk),
      boxAfter: (m, n, k) => nacl.box.after(m, n, k),
      openAfter: (b, n, k) => nacl.box.open.after(b, n, k),
    });
  }

  const salsa = await load("@noble/ciphers/salsa.js");
  const curves = await load("@noble/curves/ed25519.js");
  if (salsa) {
    const sigma = new Uint32Array(Uint8Array.from(Buffer.from("expand 32-byte k", "ascii")).buffer);
    const hsalsaKey = (shared: Uint8Array): Uint8Array => {
      const k = new Uint32Array(8);
      new Uint8Array(k.buffer).set(shared);
      const out32 = new Uint32Array(8);
      salsa.hsalsa(sigma, k, new Uint32Array(4), out32);
      return new Uint8Array(out32.buffer);
    };
    const boxAfter = (m: Uint8Array, n: Uint8Array, k: Uint8Array) => salsa.xsalsa20poly1305(k, n).encrypt(m);
    const openAfter = (b: Uint8Array, n: Uint8Array, k: Uint8Array) => {
      try {
        return salsa.xsalsa20poly1305(k, n).decrypt(b);
      } catch {
        return null;
      }
    };
    if (curves) {
      out.push({
        name: "@noble/curves x25519 + @noble/ciphers",
        x25519: () => curves.x25519.getSharedSecret(skA, pkB),
        beforenm: (pk, sk) => hsalsaKey(curves.x25519.getSharedSecret(sk, pk)),
        boxAfter,
        openAfter,
      });
    }
    // With KeyObjects made once; beforenm below imports raw keys each time, as a handshake must.
    const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, skA]), format: "der", type: "pkcs8" });
    const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519, pkB]), format: "der", type: "spki" });
    out.push({
      name: "node:crypto X25519 + @noble/ciphers",
      x25519: () => diffieHellman({ privateKey, publicKey }),
      beforenm: (pk, sk) => hsalsaKey(nodeX25519(pk, sk)),
      boxAfter,
      openAfter,
    });
  }

  const sodiumMod = await load("libsodium-wrappers");
  if (sodiumMod) {
    const sodium = sodiumMod.default ?? sodiumMod;
    await sodium.ready;
    out.push({
      name: "libsodium-wrappers 0.8 (wasm)",
      x25519: () => sodium.crypto_scalarmult(skA, pkB),
      beforenm: (pk, sk) => sodium.crypto_box_beforenm(pk, sk),
      boxAfter: (m, n, k) => sodium.crypto_box_easy_afternm(m, n, k),
      openAfter: (b, n, k) => {
        try {
          return sodium.crypto_box_open_easy_afternm(b, n, k);
        } catch {
          return null;
        }
      },
    });
  }

  const stable = await load("@stablelib/nacl");
  const stableX = await load("@stablelib/x25519");
  if (stable && stableX) {
    out.push({
      name: "@stablelib/nacl 2.0",
      x25519: () => stableX.scalarMult(skA, pkB),
      beforenm: (pk, sk) => stable.precomputeSharedKey(pk, sk),
      boxAfter: (m, n, k) => stable.secretBox(k, n, m),
      openAfter: (b, n, k) => stable.openSecretBox(k, n, b),
    });
  }
  return out;
}

function measure(fn: () => void, ms = 600): number {
  for (let i = 0; i < 20; i++) fn(); // warm up
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 10; i++) fn();
    n += 10;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

function fmt(n: number): string {
  return n >= 1000 ? Math.round(n).toLocaleString("en-US") : n.toFixed(1);
}

async function main(): Promise<void> {
  const list = await candidates();
  if (list.length === 0) {
    console.log("no candidate library found; set CRYPTOCMP_DIR (see the header of this file)");
    return;
  }
  // Public keys via node's X25519 (scalar mult of the base point, u = 9).
  const base = Buffer.alloc(32);
  base[0] = 9;
  const pkA = nodeX25519(base, skA);
  const pkB = nodeX25519(base, skB);
  const nonce = randomBytes(24);
  const small = randomBytes(16);
  const large = randomBytes(64 * 1024);

  // Cross-check: all candidates must agree byte for byte.
  const ref = list[0]!;
  const refKey = ref.beforenm(pkB, skA);
  const refBox = ref.boxAfter(large, nonce, refKey);
  for (const c of list) {
    if (!Buffer.from(c.x25519()).equals(Buffer.from(list[0]!.x25519()))) throw new Error(`${c.name}: x25519 disagrees`);
    const k = c.beforenm(pkB, skA);
    const k2 = c.beforenm(pkA, skB);
    if (!Buffer.from(k).equals(Buffer.from(refKey)) || !Buffer.from(k2).equals(Buffer.from(refKey))) {
      throw new Error(`${c.name}: beforenm disagrees`);
    }
    const b = c.boxAfter(large, nonce, k);
    if (!Buffer.from(b).equals(Buffer.from(refBox))) throw new Error(`${c.name}: box disagrees`);
    const o = c.openAfter(b, nonce, k);
    if (!o || !Buffer.from(o).equals(large)) throw new Error(`${c.name}: open failed`);
    const bad = Uint8Array.from(b);
    bad[20]! ^= 1;
    if (c.openAfter(bad, nonce, k) !== null) throw new Error(`${c.name}: accepted a forged box`);
  }
  console.log(`node ${process.version}; all ${list.length} candidates agree byte for byte\n`);

  const rows: string[][] = [["candidate", "x25519/s", "beforenm/s", "box 16B/s", "open 16B/s", "box 64KiB MB/s", "open 64KiB MB/s"]];
  for (const c of list) {
    const k = c.beforenm(pkB, skA);
    const sb = c.boxAfter(small, nonce, k);
    const lb = c.boxAfter(large, nonce, k);
    const mb = (opsPerSec: number) => ((opsPerSec * large.length) / 1e6).toFixed(1);
    rows.push([
      c.name,
      fmt(measure(() => c.x25519())),
      fmt(measure(() => c.beforenm(pkB, skA))),
      fmt(measure(() => c.boxAfter(small, nonce, k))),
      fmt(measure(() => c.openAfter(sb, nonce, k))),
      mb(measure(() => c.boxAfter(large, nonce, k))),
      mb(measure(() => c.openAfter(lb, nonce, k))),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "));
}

await main();
