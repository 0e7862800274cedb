import { ZmqError } from "../errors.js";
import { z85Decode, z85Encode } from "../wire/z85.js";
import { KEY_BYTES, keyPair, publicKeyOf, wipe } from "./sodium.js";

/** A CURVE key as users give it: 40 characters of Z85, or 32 raw bytes (as libzmq accepts). */
export type CurveKey = string | Uint8Array;

/** A new Curve25519 key pair as Z85 text, like zeromq's `curveKeyPair()`. */
export function curveKeyPair(): { publicKey: string; secretKey: string } {
  const kp = keyPair();
  const out = { publicKey: z85Encode(kp.publicKey), secretKey: z85Encode(kp.secretKey) };
  wipe(kp.secretKey);
  return out;
}

/** The Z85 public key that belongs to a secret key (zmq_curve_public). */
export function curvePublicKey(secretKey: CurveKey): string {
  const sk = curveKeyBytes(secretKey, "secret key");
  const pk = publicKeyOf(sk);
  wipe(sk);
  return z85Encode(pk);
}

/**
 * Normalises a key to 32 bytes (a fresh copy). Throws EINVAL for anything but 40 Z85
 * characters or 32 bytes. The message names the key's role but never its value.
 */
export function curveKeyBytes(key: CurveKey, role = "key"): Buffer {
  if (typeof key === "string") {
    if (key.length !== 40) {
      throw new ZmqError("EINVAL", `CURVE ${role} must be 40 Z85 characters or 32 bytes`);
    }
    try {
      return z85Decode(key);
    } catch {
      throw new ZmqError("EINVAL", `CURVE ${role} is not valid Z85`);
    }
  }
  if (key instanceof Uint8Array && key.length === KEY_BYTES) return Buffer.from(key);
  throw new ZmqError("EINVAL", `CURVE ${role} must be 40 Z85 characters or 32 bytes`);
}
