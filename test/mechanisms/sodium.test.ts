/**
 * The in-place MESSAGE boxing in wasm memory must give exactly the bytes of libsodium's own
 * crypto_box_easy_afternm, for any size (the scratch region grows) and any offset in `out`.
 */
import { randomBytes } from "node:crypto";
import sodium from "libsodium-wrappers";
import { beforeAll, describe, expect, it } from "vitest";
import * as nacl from "../../lib/mechanisms/sodium.js";

let key: Uint8Array;
const nonce = randomBytes(24);

beforeAll(async () => {
  await nacl.loadSodium();
  key = nacl.beforenm(nacl.keyPair().publicKey, nacl.keyPair().secretKey)!;
});

describe("loading", () => {
  it("makes key pairs without libsodium, the same keys libsodium derives", async () => {
    const kp = nacl.keyPair();
    expect(kp.publicKey.length).toBe(32);
    expect(kp.secretKey.length).toBe(32);
    await nacl.loadSodium();
    expect(nacl.sodiumLoaded()).toBe(true);
    expect(Buffer.from(sodium.crypto_scalarmult_base(kp.secretKey)).equals(Buffer.from(kp.publicKey))).toBe(true);
    expect(Buffer.from(nacl.publicKeyOf(kp.secretKey)).equals(Buffer.from(kp.publicKey))).toBe(true);
    const other = nacl.keyPair();
    expect(Buffer.from(other.secretKey).equals(Buffer.from(kp.secretKey))).toBe(false);
  });
});

describe("boxAfterInto / openAfterSplit", () => {
  for (const size of [0, 1, 15, 16, 1000, 70_000, 1 << 20, 33]) {
    it(`match the wrapper byte for byte for a ${size}-byte body`, () => {
      const body = randomBytes(size);
      const plain = Buffer.concat([Buffer.from([0x03]), body]);
      const expected = Buffer.from(nacl.boxAfter(plain, nonce, key));
      const out = Buffer.alloc(5 + 17 + size, 0xee);
      nacl.boxAfterInto(out, 5, 0x03, body, nonce, key);
      expect(out.subarray(0, 5).equals(Buffer.alloc(5, 0xee))).toBe(true);
      expect(out.subarray(5).equals(expected)).toBe(true);
      const opened = nacl.openAfterSplit(expected, nonce, key)!;
      expect(opened.head).toBe(0x03);
      expect(opened.body.equals(body)).toBe(true);
    });
  }

  it("refuses a box with any flipped bit, a wrong nonce, or too few bytes", () => {
    const out = Buffer.alloc(17 + 100);
    nacl.boxAfterInto(out, 0, 1, randomBytes(100), nonce, key);
    for (const at of [0, 15, 16, 60, out.length - 1]) {
      const bad = Buffer.from(out);
      bad[at]! ^= 0x01;
      expect(nacl.openAfterSplit(bad, nonce, key)).toBeNull();
    }
    const otherNonce = Buffer.from(nonce);
    otherNonce[23]! ^= 1;
    expect(nacl.openAfterSplit(out, otherNonce, key)).toBeNull();
    expect(nacl.openAfterSplit(out.subarray(0, 16), nonce, key)).toBeNull();
  });
});
