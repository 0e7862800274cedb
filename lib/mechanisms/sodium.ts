/**
 * The NaCl primitives CURVE needs, from libsodium (libsodium-wrappers: libsodium compiled to
 * WebAssembly, the same library libzmq links against). Chosen over tweetnacl and
 * @noble/ciphers by bench/crypto-compare.ts.
 *
 * libsodium's WebAssembly compiles asynchronously, and a top-level await would make the
 * package impossible to `require`, so it loads on first use: `loadSodium()` starts it (a
 * socket does when CURVE is configured) and a CURVE engine waits for `sodiumLoaded()` before
 * its handshake. Key pairs come from node:crypto's X25519, so they need no loading and
 * `curveKeyPair()` stays synchronous as in zeromq.
 *
 * MESSAGE traffic (boxAfterInto, openAfterSplit) goes through the sodium-native binding when it
 * loads (sodium-native.ts), found while libsodium loads; everything else stays on the wasm build.
 *
 * Boxes use the "easy" layout that CurveZMQ puts on the wire: 16-byte Poly1305 tag, then the
 * ciphertext (libzmq's crypto_box output minus its 16 leading zero bytes).
 */
import { WiremqError, WiremqRangeError } from "../errors.js";
import { nodeBuiltin } from "../util/builtin.js";
import { randomFill } from "../util/random.js";
import { loadNativeCipher, wasmForced, type NativeCipher } from "./sodium-native.js";

/**
 * node:crypto where the runtime has it (found at run time, so the browser build has no node:
 * import); elsewhere key pairs come from libsodium, which must then be loaded first.
 */
let nodeCryptoModule: typeof import("node:crypto") | undefined | null = null;
/** Looked up on the first key pair, not at import: loading node:crypto costs several ms. */
function findNodeCrypto(): typeof import("node:crypto") | undefined {
  if (nodeCryptoModule === null) nodeCryptoModule = nodeBuiltin<typeof import("node:crypto")>("node:crypto");
  return nodeCryptoModule;
}

let loaded = false;
let loading: Promise<void> | null = null;

/** Starts loading libsodium (once); resolves when every function here may be called. */
export function loadSodium(): Promise<void> {
  // A dynamic import, so that importing the package does not parse libsodium's ~1 MB of
  // JavaScript and inline wasm (most of the import time); the CommonJS build turns it into a
  // require() inside a promise, which resolves the same package.
  const wasm = import("libsodium-wrappers").then(async ({ default: sodium }) => {
    await sodium.ready;
    lib = (sodium as unknown as { libsodium: SodiumModule }).libsodium;
  });
  loading ??= Promise.all([wasm, wasmForced() ? null : loadNativeCipher()]).then(([, native]) => {
    if (native !== null) useNative(native);
    loaded = true;
  });
  return loading;
}

/** Which implementation boxes MESSAGE traffic: the sodium-native accelerator or the wasm build. */
export function trafficCipher(): "sodium-native" | "wasm" {
  return native === null ? "wasm" : "sodium-native";
}

let native: NativeCipher | null = null;

/**
 * Below this many bytes the wasm build stays faster: a call into the binding costs more than
 * boxing a small message in wasm memory (bench/cipher-paths.ts, one loaded 2-core run: wasm
 * 1.4× at 16 B, 1.2× at 512 B; native 1.2–1.3× at 1 KiB, 2–3× at 4 KiB and 64 KiB).
 */
const NATIVE_MIN_BYTES = 1024;

function useNative(cipher: NativeCipher): void {
  native = cipher;
  boxInto = (out, at, head, body, nonce, key) =>
    body.length >= NATIVE_MIN_BYTES ? cipher.boxAfterInto(out, at, head, body, nonce, key) : wasmBoxAfterInto(out, at, head, body, nonce, key);
  openSplit = (boxed, nonce, key) => (boxed.length >= NATIVE_MIN_BYTES ? cipher.openAfterSplit(boxed, nonce, key) : wasmOpenAfterSplit(boxed, nonce, key));
  openPlace = (boxed, nonce, key) => (boxed.length >= NATIVE_MIN_BYTES ? cipher.openAfterInPlace(boxed, nonce, key) : wasmOpenAfterSplit(boxed, nonce, key));
}

/** Whether libsodium is loaded, so the boxing functions may be called now. */
export function sodiumLoaded(): boolean {
  return loaded;
}

export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const MAC_BYTES = 16;

export interface RawKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

// DER encodings of X25519 keys are a fixed prefix followed by the 32 raw key bytes.
const PKCS8_X25519_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_KEY_OFFSET = 12;

/** A fresh Curve25519 key pair (crypto_box_keypair), from node:crypto, else libsodium. */
export function keyPair(): RawKeyPair {
  const nodeCrypto = findNodeCrypto();
  if (nodeCrypto === undefined) {
    const secretKey = new Uint8Array(KEY_BYTES);
    randomFill(secretKey);
    return { publicKey: publicKeyOf(secretKey), secretKey };
  }
  const { publicKey, privateKey } = nodeCrypto.generateKeyPairSync("x25519");
  const secret = privateKey.export({ format: "der", type: "pkcs8" });
  const pub = publicKey.export({ format: "der", type: "spki" });
  const out = { publicKey: Uint8Array.prototype.slice.call(pub, SPKI_KEY_OFFSET), secretKey: Uint8Array.prototype.slice.call(secret, PKCS8_X25519_PREFIX.length) };
  secret.fill(0);
  return out;
}

/** The public key of a Curve25519 secret key (crypto_scalarmult_base), from node:crypto, else libsodium. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  const nodeCrypto = findNodeCrypto();
  if (nodeCrypto === undefined) {
    if (!loaded) throw new WiremqError("EAGAIN", "CURVE keys need libsodium here: await its loading first (loadSodium)");
    return inWasm([secretKey], KEY_BYTES, ([sk], out) => lib._crypto_scalarmult_base(out, sk!))!;
  }
  const der = Buffer.concat([PKCS8_X25519_PREFIX, secretKey]);
  try {
    const pub = nodeCrypto.createPublicKey(nodeCrypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" })).export({ format: "der", type: "spki" });
    return Uint8Array.prototype.slice.call(pub, SPKI_KEY_OFFSET);
  } finally {
    der.fill(0);
  }
}

/** crypto_box_beforenm; null when the peer key is of small order (the shared secret is zero). */
export function beforenm(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | null {
  return inWasm([publicKey, secretKey], 32, ([pk, sk], out) => lib._crypto_box_beforenm(out, pk!, sk!));
}

/** crypto_box (easy layout); null when the peer key is unusable. */
export function box(msg: Uint8Array, nonce: Uint8Array, publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | null {
  return inWasm([msg, nonce, publicKey, secretKey], MAC_BYTES + msg.length, ([m, n, pk, sk], out) =>
    lib._crypto_box_easy(out, m!, msg.length, 0, n!, pk!, sk!),
  );
}

/** crypto_box_open (easy layout); null when the box does not open. */
export function open(boxed: Uint8Array, nonce: Uint8Array, publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | null {
  if (boxed.length < MAC_BYTES) return null;
  return inWasm([boxed, nonce, publicKey, secretKey], boxed.length - MAC_BYTES, ([c, n, pk, sk], out) =>
    lib._crypto_box_open_easy(out, c!, boxed.length, 0, n!, pk!, sk!),
  );
}

export function boxAfter(msg: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  return inWasm([msg, nonce, key], MAC_BYTES + msg.length, ([m, n, k], out) => lib._crypto_box_easy_afternm(out, m!, msg.length, 0, n!, k!))!;
}

export function openAfter(boxed: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (boxed.length < MAC_BYTES) return null;
  return inWasm([boxed, nonce, key], boxed.length - MAC_BYTES, ([c, n, k], out) =>
    lib._crypto_box_open_easy_afternm(out, c!, boxed.length, 0, n!, k!),
  );
}

/** crypto_secretbox (XSalsa20-Poly1305 with a symmetric key), easy layout. */
export function secretbox(msg: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  return inWasm([msg, nonce, key], MAC_BYTES + msg.length, ([m, n, k], out) => lib._crypto_secretbox_easy(out, m!, msg.length, 0, n!, k!))!;
}

export function secretboxOpen(boxed: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (boxed.length < MAC_BYTES) return null;
  return inWasm([boxed, nonce, key], boxed.length - MAC_BYTES, ([c, n, k], out) =>
    lib._crypto_secretbox_open_easy(out, c!, boxed.length, 0, n!, k!),
  );
}

/**
 * Runs one libsodium call on copies of `inputs` in wasm memory and returns its `outLength`-byte
 * output, or null when the call fails. The region is zeroed before it is freed:
 * libsodium-wrappers' own functions free their copies of keys and plaintexts as they are.
 */
function inWasm(inputs: Uint8Array[], outLength: number, call: (at: number[], out: number) => number): Uint8Array | null {
  const size = inputs.reduce((n, b) => n + b.length, outLength);
  const base = lib._malloc(Math.max(size, 1));
  if (base === 0) throw new WiremqRangeError("ENOMEM", `libsodium could not allocate ${size} bytes`);
  try {
    const at: number[] = [];
    let offset = base + outLength;
    for (const b of inputs) {
      lib.HEAPU8.set(b, offset);
      at.push(offset);
      offset += b.length;
    }
    if (call(at, base) !== 0) return null;
    return lib.HEAPU8.slice(base, base + outLength);
  } finally {
    lib.HEAPU8.fill(0, base, base + size);
    lib._free(base);
  }
}

/** The Emscripten module under libsodium-wrappers: raw exports working on wasm memory. */
interface SodiumModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  // 64-bit lengths arrive as two 32-bit halves (low, high).
  _crypto_box_easy_afternm(c: number, m: number, mlenLo: number, mlenHi: number, n: number, k: number): number;
  _crypto_box_open_easy_afternm(m: number, c: number, clenLo: number, clenHi: number, n: number, k: number): number;
  _crypto_box_beforenm(k: number, pk: number, sk: number): number;
  _crypto_box_easy(c: number, m: number, mlenLo: number, mlenHi: number, n: number, pk: number, sk: number): number;
  _crypto_box_open_easy(m: number, c: number, clenLo: number, clenHi: number, n: number, pk: number, sk: number): number;
  _crypto_secretbox_easy(c: number, m: number, mlenLo: number, mlenHi: number, n: number, k: number): number;
  _crypto_secretbox_open_easy(m: number, c: number, clenLo: number, clenHi: number, n: number, k: number): number;
  _crypto_scalarmult_base(q: number, n: number): number;
}

/** Set once libsodium has loaded (the module does not exist before). */
let lib!: SodiumModule;

/** Offsets in the scratch region: key at 0, nonce, then the box (tag first) and its message part. */
const AT_N = 32;
const AT_C = 56;
const AT_M = AT_C + MAC_BYTES;

/**
 * One region of wasm memory for boxing traffic in place: key (32), nonce (24), then the box.
 * The wrapper functions allocate, copy in, copy out and free on every call; for large
 * messages those copies cost as much as the cipher. Here a message is copied in once, boxed
 * or opened where it lies, and copied out once.
 */
class WasmScratch {
  private ptr = 0;
  private capacity = 0;

  /** The address of a region of at least AT_C + `size` bytes. */
  reserve(size: number): number {
    const need = AT_C + size;
    if (need > this.capacity) {
      if (this.ptr !== 0) {
        lib.HEAPU8.fill(0, this.ptr, this.ptr + AT_C);
        lib._free(this.ptr);
      }
      // Grow by doubling so a stream of growing messages reallocates only a few times.
      this.capacity = Math.max(need, this.capacity * 2, 64 * 1024);
      this.ptr = lib._malloc(this.capacity);
      if (this.ptr === 0) {
        this.capacity = 0;
        throw new WiremqRangeError("ENOMEM", `libsodium could not allocate ${need} bytes`);
      }
    }
    return this.ptr;
  }
}

const scratch = new WasmScratch();

/**
 * Boxes `head` (one byte) followed by `body` with a precomputed key and writes the easy-layout
 * box (tag, then ciphertext) into `out` at `at`; `out` needs 17 + body.length bytes from there.
 */
export function boxAfterInto(out: Uint8Array, at: number, head: number, body: Uint8Array, nonce: Uint8Array, key: Uint8Array): void {
  boxInto(out, at, head, body, nonce, key);
}

/** boxAfterInto on the wasm build, whichever implementation traffic uses. */
export function wasmBoxAfterInto(out: Uint8Array, at: number, head: number, body: Uint8Array, nonce: Uint8Array, key: Uint8Array): void {
  const mlen = 1 + body.length;
  const base = keyed(MAC_BYTES + mlen, key, nonce);
  const heap = lib.HEAPU8;
  const m = base + AT_M;
  heap[m] = head;
  heap.set(body, m + 1);
  lib._crypto_box_easy_afternm(base + AT_C, m, mlen, 0, base + AT_N, base);
  heap.fill(0, base, base + 32);
  out.set(heap.subarray(base + AT_C, base + AT_C + MAC_BYTES + mlen), at);
}

/**
 * Opens an easy-layout box with a precomputed key. Returns the first plaintext byte and the
 * rest as a new Buffer, or null when the box does not open.
 */
export function openAfterSplit(boxed: Uint8Array, nonce: Uint8Array, key: Uint8Array): { head: number; body: Buffer } | null {
  return openSplit(boxed, nonce, key);
}

/** openAfterSplit on the wasm build, whichever implementation traffic uses. */
export function wasmOpenAfterSplit(boxed: Uint8Array, nonce: Uint8Array, key: Uint8Array): { head: number; body: Buffer } | null {
  if (boxed.length < MAC_BYTES + 1) return null;
  const mlen = boxed.length - MAC_BYTES;
  const base = keyed(boxed.length, key, nonce);
  const heap = lib.HEAPU8;
  const m = base + AT_M;
  heap.set(boxed, base + AT_C);
  const rc = lib._crypto_box_open_easy_afternm(m, base + AT_C, boxed.length, 0, base + AT_N, base);
  heap.fill(0, base, base + 32);
  if (rc !== 0) return null;
  const body = Buffer.allocUnsafe(mlen - 1);
  body.set(heap.subarray(m + 1, m + mlen));
  return { head: heap[m]!, body };
}

/**
 * openAfterSplit, except that the accelerator opens a large box where it lies: the body is then
 * a view of `boxed`, whose bytes are overwritten, so `boxed` must be memory nothing else reuses
 * (see `opensInPlace`). A fresh 64 KiB body costs page faults and a cold cache on every
 * message, about as much as the cipher itself (bench/cipher-paths.ts).
 */
export function openAfterInPlace(boxed: Buffer, nonce: Uint8Array, key: Uint8Array): { head: number; body: Buffer } | null {
  return openPlace(boxed, nonce, key);
}

/** Whether openAfterInPlace may return views of its input (the accelerator is in use). */
export function opensInPlace(): boolean {
  return native !== null;
}

let boxInto: typeof wasmBoxAfterInto = wasmBoxAfterInto;
let openSplit: typeof wasmOpenAfterSplit = wasmOpenAfterSplit;
let openPlace: (boxed: Buffer, nonce: Uint8Array, key: Uint8Array) => { head: number; body: Buffer } | null = wasmOpenAfterSplit;

/**
 * The scratch region for a box of `size` bytes with key and nonce in place (offsets above), so
 * boxing and opening work in place. Read HEAPU8 after this: growing wasm memory replaces it.
 */
function keyed(size: number, key: Uint8Array, nonce: Uint8Array): number {
  const base = scratch.reserve(size);
  const heap = lib.HEAPU8;
  heap.set(key, base);
  heap.set(nonce, base + AT_N);
  return base;
}

/** Overwrites secret material with zeros. */
export function wipe(...buffers: Array<Uint8Array | null | undefined>): void {
  for (const b of buffers) if (b) b.fill(0);
}
