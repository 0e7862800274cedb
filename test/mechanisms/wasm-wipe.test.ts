/**
 * No secret is left in libsodium's wasm memory after a CURVE handshake step (issue 24, item 5):
 * libsodium-wrappers frees its copies of keys unzeroed, so the handshake's boxes go through
 * copies wiremq zeroes before freeing.
 */
import sodium from "libsodium-wrappers";
import { beforeAll, describe, expect, it } from "vitest";
import { CurveClient } from "../../lib/mechanisms/curve-client.js";
import { CurveServer } from "../../lib/mechanisms/curve-server.js";
import { curveKeyPair } from "../../lib/mechanisms/curve-keys.js";
import { loadSodium } from "../../lib/mechanisms/sodium.js";
import { z85Decode } from "../../lib/wire/z85.js";
import { context } from "../helpers/mechanism-harness.js";

beforeAll(() => loadSodium());

/** Whether `secret` appears anywhere in libsodium's wasm memory. */
const inWasmMemory = (secret: Uint8Array): boolean => {
  const u8 = (sodium as unknown as { libsodium: { HEAPU8: Uint8Array } }).libsodium.HEAPU8;
  return Buffer.from(u8.buffer, u8.byteOffset, u8.length).indexOf(Buffer.from(secret)) !== -1;
};

describe("libsodium's wasm memory during a CURVE handshake", () => {
  it("holds no secret key after any step", () => {
    const server = curveKeyPair();
    const client = curveKeyPair();
    const c = new CurveClient(context("PUSH"), { serverKey: server.publicKey, secretKey: client.secretKey });
    const s = new CurveServer(context("PULL"), { secretKey: server.secretKey });
    const clientShort = Buffer.from((c as unknown as { cnSecret: Uint8Array }).cnSecret);
    const secrets = (): Uint8Array[] => [z85Decode(server.secretKey), z85Decode(client.secretKey), clientShort];

    const hello = c.start().send[0]!;
    expect(secrets().map(inWasmMemory)).toEqual([false, false, false]);
    const welcome = s.onCommand(hello).send[0]!;
    const serverShort = Buffer.from((s as unknown as { cnSecret: Uint8Array }).cnSecret);
    const cookieKey = Buffer.from((s as unknown as { cookieKey: Uint8Array }).cookieKey);
    expect([...secrets(), serverShort, cookieKey].map(inWasmMemory)).toEqual([false, false, false, false, false]);
    const initiate = c.onCommand(welcome).send[0]!;
    expect([...secrets(), serverShort, cookieKey].map(inWasmMemory)).toEqual([false, false, false, false, false]);
    const ready = s.onCommand(initiate);
    expect(ready.ready).toBe(true);
    expect(c.onCommand(ready.send[0]!).ready).toBe(true);
    const session = (c as unknown as { key: Uint8Array }).key;
    expect([...secrets(), serverShort, cookieKey, session].map(inWasmMemory)).toEqual([false, false, false, false, false, false]);
  });
});
