/**
 * The one seeded generator of the suite (mulberry32): a failing seed replays exactly, and
 * property tests pass their seed to fast-check or print it on failure.
 */
export type Rng = () => number;

/** A generator of floats in [0, 1) from a 32-bit seed. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export const int = (r: Rng, n: number): number => Math.floor(r() * n);

/** `n` pseudo-random bytes. */
export function randomBytes(r: Rng, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b;
}

/** A copy of `u` in its own ArrayBuffer (Buffer.from(buffer) may share Node's 8 KiB pool). */
export const own = (u: Uint8Array): Buffer => Buffer.from(new Uint8Array(u).buffer);

/** Copies of `bytes` cut at seeded random points, each chunk 1..maxChunk bytes in its own ArrayBuffer. */
export function randomSplit(bytes: Uint8Array, seed: number, maxChunk = 40): Buffer[] {
  const r = rng(seed);
  const out: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = 1 + Math.floor(r() * Math.min(maxChunk, bytes.length - at));
    out.push(own(bytes.subarray(at, at + n)));
    at += n;
  }
  return out;
}
