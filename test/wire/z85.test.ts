import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z85Decode, z85Encode } from "../../lib/wire/z85.js";
import { curveKeyBytes, curveKeyPair, curvePublicKey } from "../../lib/mechanisms/curve-keys.js";
import * as zmq from "zeromq";

describe("Z85 (32/Z85)", () => {
  const golden = Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);

  it("encodes the RFC test vector", () => {
    expect(z85Encode(golden)).toBe("HelloWorld");
  });

  it("decodes the RFC test vector", () => {
    expect(z85Decode("HelloWorld")).toEqual(golden);
  });

  it("maps zero to '0' and all-ones to '%nSc0'", () => {
    expect(z85Encode(new Uint8Array(4))).toBe("00000");
    expect(z85Encode(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBe("%nSc0");
    expect(z85Decode("%nSc0")).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  });

  it("round-trips random data and empty input", () => {
    for (let n = 0; n <= 64; n += 4) {
      const b = randomBytes(n);
      const text = z85Encode(b);
      expect(text.length).toBe((n / 4) * 5);
      expect(z85Decode(text)).toEqual(b);
    }
  });

  it("refuses input of the wrong length with EINVAL", () => {
    expect(() => z85Encode(new Uint8Array(3))).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => z85Decode("Hell")).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("refuses characters outside the alphabet and groups over 2^32 - 1", () => {
    expect(() => z85Decode("Hello Worl")).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => z85Decode("Hell\u00e9")).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => z85Decode("#####")).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => z85Decode("%nSc1")).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("never echoes the input in its error (it may be a secret key)", () => {
    const secret = "Hello~World~Secret~Key~Material~0123456";
    try {
      z85Decode(secret.slice(0, 40));
      expect.unreachable();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain("Secret");
    }
  });

  it("agrees with libzmq's Z85 via zeromq key pairs", () => {
    const kp = zmq.curveKeyPair();
    expect(z85Encode(z85Decode(kp.publicKey))).toBe(kp.publicKey);
    expect(z85Encode(z85Decode(kp.secretKey))).toBe(kp.secretKey);
  });
});

describe("CURVE keys", () => {
  it("makes Z85 key pairs whose public key matches the secret key", () => {
    const kp = curveKeyPair();
    expect(kp.publicKey).toHaveLength(40);
    expect(kp.secretKey).toHaveLength(40);
    expect(curvePublicKey(kp.secretKey)).toBe(kp.publicKey);
    expect(curvePublicKey(z85Decode(kp.secretKey))).toBe(kp.publicKey);
  });

  it("derives the same public key as libzmq for a libzmq key pair", () => {
    for (let i = 0; i < 5; i++) {
      const kp = zmq.curveKeyPair();
      expect(curvePublicKey(kp.secretKey)).toBe(kp.publicKey);
    }
  });

  it("accepts 40 Z85 characters or 32 bytes, and nothing else", () => {
    const kp = curveKeyPair();
    expect(curveKeyBytes(kp.publicKey)).toHaveLength(32);
    expect(curveKeyBytes(new Uint8Array(32))).toHaveLength(32);
    expect(() => curveKeyBytes(kp.publicKey.slice(1))).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => curveKeyBytes(new Uint8Array(31))).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => curveKeyBytes(" ".repeat(40), "secret key")).toThrow(/secret key is not valid Z85/);
  });
});
