/**
 * The sodium-native accelerator must box and open MESSAGE traffic byte for byte as the wasm
 * build does, for any size and offset, and refuse what the wasm build refuses. sodium-native is
 * a dev dependency, so here it loads; its absence is tested in child processes
 * (test/interop/curve-ciphers.test.ts).
 */
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as nacl from "../../lib/mechanisms/sodium.js";
import { loadNativeCipher, type NativeCipher } from "../../lib/mechanisms/sodium-native.js";

let native: NativeCipher;
let key: Uint8Array;
const nonce = randomBytes(24);

beforeAll(async () => {
  await nacl.loadSodium();
  native = (await loadNativeCipher())!;
  key = nacl.beforenm(nacl.keyPair().publicKey, nacl.keyPair().secretKey)!;
});

describe("the sodium-native accelerator", () => {
  it("loads where the package is installed, and CURVE traffic then uses it", () => {
    expect(native).not.toBeNull();
    expect(nacl.trafficCipher()).toBe("sodium-native");
  });

  for (const size of [0, 1, 15, 16, 33, 1000, 65_536, 70_000, 1 << 20]) {
    it(`boxes a ${size}-byte body exactly as the wasm build, and each opens the other's box`, () => {
      const body = randomBytes(size);
      const fromWasm = Buffer.alloc(3 + 17 + size, 0xee);
      const fromNative = Buffer.alloc(3 + 17 + size, 0xee);
      nacl.wasmBoxAfterInto(fromWasm, 3, 0x01, body, nonce, key);
      native.boxAfterInto(fromNative, 3, 0x01, body, nonce, key);
      expect(fromNative.equals(fromWasm)).toBe(true);
      const byNative = native.openAfterSplit(fromWasm.subarray(3), nonce, key)!;
      const byWasm = nacl.wasmOpenAfterSplit(fromNative.subarray(3), nonce, key)!;
      for (const opened of [byNative, byWasm]) {
        expect(opened.head).toBe(0x01);
        expect(opened.body.equals(body)).toBe(true);
      }
    });
  }

  it("gives each body opened by openAfterSplit memory of its own", () => {
    const boxes = [randomBytes(100), randomBytes(100)].map((body) => {
      const out = Buffer.alloc(117);
      native.boxAfterInto(out, 0, 0, body, nonce, key);
      return { out, body };
    });
    const opened = boxes.map(({ out }) => native.openAfterSplit(out, nonce, key)!);
    expect(opened[0]!.body.equals(boxes[0]!.body)).toBe(true);
    expect(opened[1]!.body.equals(boxes[1]!.body)).toBe(true);
  });

  for (const size of [0, 100, 65_536]) {
    it(`opens a ${size}-byte body in place: a view of the box, equal to what the wasm build opens`, () => {
      const body = randomBytes(size);
      const boxed = Buffer.alloc(17 + size);
      nacl.wasmBoxAfterInto(boxed, 0, 0x02, body, nonce, key);
      const byWasm = nacl.wasmOpenAfterSplit(boxed, nonce, key)!;
      const opened = native.openAfterInPlace(boxed, nonce, key)!;
      expect(opened.head).toBe(0x02);
      expect(opened.body.equals(body)).toBe(true);
      expect(opened.body.equals(byWasm.body)).toBe(true);
      expect(opened.body.buffer).toBe(boxed.buffer);
      expect(opened.body.byteOffset).toBe(boxed.byteOffset + 17);
    });
  }

  it("leaves a box that does not open as it was when opening in place", () => {
    const out = Buffer.alloc(17 + 100);
    native.boxAfterInto(out, 0, 1, randomBytes(100), nonce, key);
    out[40]! ^= 0x01;
    const before = Buffer.from(out);
    expect(native.openAfterInPlace(out, nonce, key)).toBeNull();
    expect(out.equals(before)).toBe(true);
    expect(native.openAfterInPlace(out.subarray(0, 16), nonce, key)).toBeNull();
  });

  it("refuses a box with any flipped bit, a wrong nonce, or too few bytes", () => {
    const out = Buffer.alloc(17 + 100);
    native.boxAfterInto(out, 0, 1, randomBytes(100), nonce, key);
    for (const at of [0, 15, 16, 60, out.length - 1]) {
      const bad = Buffer.from(out);
      bad[at]! ^= 0x01;
      expect(native.openAfterSplit(bad, nonce, key)).toBeNull();
    }
    const otherNonce = Buffer.from(nonce);
    otherNonce[23]! ^= 1;
    expect(native.openAfterSplit(out, otherNonce, key)).toBeNull();
    expect(native.openAfterSplit(out.subarray(0, 16), nonce, key)).toBeNull();
  });
});
