/**
 * Random bytes from the Web Crypto API's `getRandomValues`, which Node (globalThis.crypto,
 * backed by the same CSPRNG as node:crypto) and browsers both have, so that nothing on a
 * socket's path imports node:crypto and the browser build shares these files.
 */

/** getRandomValues fills at most this many bytes per call. */
const MAX_FILL = 65536;

/** Fills `target[offset, offset + size)` with random bytes. */
export function randomFill(target: Uint8Array, offset = 0, size = target.length - offset): void {
  for (let at = offset; at < offset + size; at += MAX_FILL) {
    globalThis.crypto.getRandomValues(target.subarray(at, Math.min(offset + size, at + MAX_FILL)));
  }
}

/** `n` random bytes in a Buffer. */
export function randomBytes(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  randomFill(out);
  return out;
}

/** A uniformly random 32-bit unsigned integer. */
export function randomUint32(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/** A uniformly random integer in [min, max), max - min at most 2^32 (rejection sampling, no modulo bias). */
export function randomInt(min: number, max: number): number {
  const range = max - min;
  const limit = 0x100000000 - (0x100000000 % range);
  for (;;) {
    const n = randomUint32();
    if (n < limit) return min + (n % range);
  }
}
