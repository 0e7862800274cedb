/**
 * The optional CURVE accelerator: libsodium's own N-API binding (`sodium-native`, an optional
 * peer dependency with prebuilt binaries), used for MESSAGE traffic when it loads. CurveZMQ
 * boxes every MESSAGE with crypto_box_easy_afternm, which is crypto_secretbox_easy under the
 * precomputed key, so the binding's secretbox gives the same bytes as the wasm build, at native
 * speed and without copies into and out of wasm memory. The handshake (once per connection)
 * stays on the wasm build: the binding has no crypto_box_beforenm.
 *
 * Feature-detected, never required: a missing package, a binary that does not load (another
 * platform, a runtime without N-API) or a binding without these functions leaves the wasm
 * path in place, silently. `WIREMQ_CURVE_CIPHER=wasm` in the environment skips the attempt.
 */
/** Poly1305 tag length (sodium.ts has the same constant; importing it would be a cycle). */
const MAC_BYTES = 16;

/** The functions of sodium-native this module calls (typed here: it ships no types). */
interface SodiumNative {
  crypto_secretbox_detached(c: Uint8Array, mac: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void;
  crypto_secretbox_open_detached(m: Uint8Array, c: Uint8Array, mac: Uint8Array, n: Uint8Array, k: Uint8Array): boolean;
}

/**
 * MESSAGE boxing through the native binding, with the signatures of sodium.ts's wasm path.
 * Both directions work in place (the detached calls with the message and ciphertext at one
 * address, which libsodium allows): no staging buffer, and an opened body needs no memory of
 * its own.
 */
export class NativeCipher {
  constructor(private readonly sodium: SodiumNative) {}

  boxAfterInto(out: Uint8Array, at: number, head: number, body: Uint8Array, nonce: Uint8Array, key: Uint8Array): void {
    const c = out.subarray(at + MAC_BYTES, at + MAC_BYTES + 1 + body.length);
    c[0] = head;
    c.set(body, 1);
    this.sodium.crypto_secretbox_detached(c, out.subarray(at, at + MAC_BYTES), c, nonce, key);
  }

  /** Opens into new memory; `boxed` is left as it was. */
  openAfterSplit(boxed: Uint8Array, nonce: Uint8Array, key: Uint8Array): { head: number; body: Buffer } | null {
    if (boxed.length < MAC_BYTES + 1) return null;
    const plain = Buffer.allocUnsafe(boxed.length - MAC_BYTES);
    if (!this.sodium.crypto_secretbox_open_detached(plain, boxed.subarray(MAC_BYTES), boxed.subarray(0, MAC_BYTES), nonce, key)) return null;
    return { head: plain[0]!, body: plain.subarray(1) };
  }

  /**
   * Opens where the box lies: the body returned is a view of `boxed`, whose ciphertext is
   * overwritten. A box that does not open is left as it was (the tag is checked first).
   */
  openAfterInPlace(boxed: Buffer, nonce: Uint8Array, key: Uint8Array): { head: number; body: Buffer } | null {
    if (boxed.length < MAC_BYTES + 1) return null;
    const c = boxed.subarray(MAC_BYTES);
    if (!this.sodium.crypto_secretbox_open_detached(c, c, boxed.subarray(0, MAC_BYTES), nonce, key)) return null;
    return { head: c[0]!, body: c.subarray(1) };
  }
}

/** Whether the environment asks for the wasm build (no attempt to load the binding). */
export function wasmForced(): boolean {
  return typeof process !== "undefined" && process.env?.["WIREMQ_CURVE_CIPHER"] === "wasm";
}

/** The accelerator, or null when sodium-native is absent or unusable here. Never rejects. */
export async function loadNativeCipher(): Promise<NativeCipher | null> {
  // The name is a variable so that bundlers (the browser build) leave the import alone and
  // TypeScript does not look for the package's types; the CommonJS build turns this into a
  // require() inside a promise, so a failed resolution rejects and lands in the catch.
  const name = "sodium-native";
  try {
    const mod = (await import(name)) as { default?: unknown };
    const sodium = (mod.default ?? mod) as Partial<SodiumNative>;
    if (typeof sodium.crypto_secretbox_detached !== "function" || typeof sodium.crypto_secretbox_open_detached !== "function") return null;
    const cipher = new NativeCipher(sodium as SodiumNative);
    return selfTest(cipher) ? cipher : null;
  } catch {
    return null;
  }
}

/** One box and open of a known message, both ways, so a binding that loads but misbehaves is not used. */
function selfTest(cipher: NativeCipher): boolean {
  try {
    const key = new Uint8Array(32).fill(7);
    const nonce = new Uint8Array(24).fill(9);
    const out = Buffer.alloc(MAC_BYTES + 4);
    cipher.boxAfterInto(out, 0, 1, Uint8Array.of(2, 3, 4), nonce, key);
    const copied = cipher.openAfterSplit(out, nonce, key);
    const inPlace = cipher.openAfterInPlace(out, nonce, key);
    return [copied, inPlace].every((o) => o !== null && o.head === 1 && o.body.length === 3 && o.body[2] === 4);
  } catch {
    return false;
  }
}
