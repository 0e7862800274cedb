/**
 * Whether two byte arrays are equal, in a time that depends on their length only (as
 * node:crypto's timingSafeEqual, without importing it, so the browser build shares callers).
 * Arrays of different lengths are unequal at once: callers compare keys of a fixed length.
 */
export function bytesEqualConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
