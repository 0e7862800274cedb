/**
 * The NaCl primitives CURVE needs, from libsodium (libsodium-wrappers: libsodium compiled to
 * WebAssembly, the same library libzmq links against). Chosen over tweetnacl and
 * @noble/ciphers by bench/crypto-compare.ts. Loaded once with top-level await, so every
 * function here is synchronous.
 *
 * Boxes use the "easy" layout that CurveZMQ puts on the wire: 16-byte Poly1305 tag, then the
 * ciphertext (libzmq's crypto_box output minus its 16 leading zero bytes).
 */
import sodium from "libsodium-wrappers";

await sodium.ready;

export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const MAC_BYTES = 16;

export interface RawKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function keyPair(): RawKeyPair {
  const kp = sodium.crypto_box_keypair();
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/** The public key of a Curve25519 secret key (crypto_scalarmult_base). */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return sodium.crypto_scalarmult_base(secretKey);
}

/** crypto_box_beforenm; null when the peer key is of small order (the shared secret is zero). */
export function beforenm(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | null {
  try {
    return sodium.crypto_box_beforenm(publicKey, secretKey);
  } catch {
    return null;
  }
}

/** crypto_box (easy layout); null when the peer key is unusable. */
export function box(msg: Uint8Array, nonce: Uint8Array, publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | null {
  try {
    return sodium.crypto_box_easy(msg, nonce, publicKey, secretKey);
  } catch {
    return null;
  }
}

/** crypto_box_open (easy layout); null when the box does not open. */
export function open(boxed: Uint8Array, nonce: Uint8Array, publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | null {
  if (boxed.length < MAC_BYTES) return null;
  try {
    return sodium.crypto_box_open_easy(boxed, nonce, publicKey, secretKey);
  } catch {
    return null;
  }
}

export function boxAfter(msg: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  return sodium.crypto_box_easy_afternm(msg, nonce, key);
}

export function openAfter(boxed: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (boxed.length < MAC_BYTES) return null;
  try {
    return sodium.crypto_box_open_easy_afternm(boxed, nonce, key);
  } catch {
    return null;
  }
}

/** crypto_secretbox (XSalsa20-Poly1305 with a symmetric key), easy layout. */
export function secretbox(msg: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  return sodium.crypto_secretbox_easy(msg, nonce, key);
}

export function secretboxOpen(boxed: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (boxed.length < MAC_BYTES) return null;
  try {
    return sodium.crypto_secretbox_open_easy(boxed, nonce, key);
  } catch {
    return null;
  }
}

/** Overwrites secret material with zeros. */
export function wipe(...buffers: Array<Uint8Array | null | undefined>): void {
  for (const b of buffers) if (b) sodium.memzero(b);
}
