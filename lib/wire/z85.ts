import { ZmqError } from "../errors.js";

/** 32/Z85: 85 printable characters, each 4 bytes (big-endian) become 5 characters. */
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const POW = [85 ** 4, 85 ** 3, 85 ** 2, 85, 1] as const;

/** Encodes bytes whose length is a multiple of 4 as Z85 text. Throws EINVAL otherwise. */
export function z85Encode(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) {
    throw new ZmqError("EINVAL", `Z85 input must be a multiple of 4 bytes long, got ${bytes.length}`);
  }
  let out = "";
  for (let i = 0; i < bytes.length; i += 4) {
    let value = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
    let chunk = "";
    for (let j = 0; j < 5; j++) {
      chunk = ALPHABET[value % 85]! + chunk;
      value = Math.floor(value / 85);
    }
    out += chunk;
  }
  return out;
}

/**
 * Decodes Z85 text whose length is a multiple of 5. Throws EINVAL on a bad length, a character
 * outside the alphabet, or a 5-character group worth more than 2^32 - 1 (as libzmq does).
 * The offending text is never echoed: Z85 text is often a secret key.
 */
export function z85Decode(text: string): Buffer {
  if (typeof text !== "string" || text.length % 5 !== 0) {
    throw new ZmqError("EINVAL", `Z85 text must be a multiple of 5 characters long`);
  }
  const out = Buffer.allocUnsafe((text.length / 5) * 4);
  let at = 0;
  for (let i = 0; i < text.length; i += 5) {
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const code = text.charCodeAt(i + j);
      const digit = code < 128 ? DECODE[code]! : -1;
      if (digit < 0) {
        throw new ZmqError("EINVAL", `Z85 text has a character outside the Z85 alphabet at offset ${i + j}`);
      }
      value += digit * POW[j]!;
    }
    if (value > 0xffffffff) {
      throw new ZmqError("EINVAL", `Z85 group at offset ${i} overflows 32 bits`);
    }
    out.writeUInt32BE(value, at);
    at += 4;
  }
  return out;
}
