/**
 * PLAIN's and CURVE's code loads on first use (lib/mechanisms/deferred.ts): until it has, the
 * mechanism an engine gets is a stand-in that loads it in prepare(). These run in a fresh module
 * graph (vitest isolates each file), so the first createMechanism here finds nothing loaded.
 */
import { describe, expect, it } from "vitest";
import { createMechanism, type SecurityOptions } from "../../lib/mechanisms/index.js";
import { curveKeyPair } from "../../lib/mechanisms/curve-keys.js";
import { CurveServer } from "../../lib/mechanisms/curve-server.js";
import { PlainClient, PlainServer } from "../../lib/mechanisms/plain.js";
import { context, drive, zapReply } from "../helpers/mechanism-harness.js";

const NONE: SecurityOptions = {
  plainServer: false,
  plainUsername: null,
  plainPassword: null,
  curveServer: false,
  curvePublicKey: null,
  curveSecretKey: null,
  curveServerKey: null,
};

describe("PLAIN and CURVE before their module has loaded", () => {
  // One test: the module loads once per file, and what is made before that is the point.
  it("a stand-in waits in prepare(), then is the real mechanism; once loaded, the real one comes at once", async () => {
    const serverKeys = curveKeyPair(), clientKeys = curveKeyPair();
    const plain = createMechanism({ ...NONE, plainUsername: "admin", plainPassword: "secret" }, context("PUSH"));
    const plainServer = createMechanism({ ...NONE, plainServer: true }, context("PULL", { zapEnabled: true }));
    const curve = createMechanism({ ...NONE, curveServerKey: serverKeys.publicKey, curveSecretKey: clientKeys.secretKey }, context("PUSH"));
    expect([plain.name, plain.asServer, plainServer.name, plainServer.asServer, curve.name, curve.asServer]).toEqual(["PLAIN", false, "PLAIN", true, "CURVE", false]);
    // Not loaded: a stand-in, with nothing to start with yet; CURVE's shows that it boxes traffic.
    expect(plain).not.toBeInstanceOf(PlainClient);
    expect(() => plain.start()).toThrow(expect.objectContaining({ code: "EFSM" }));
    expect(curve.decode).toBeTypeOf("function");
    expect(plain.decode).toBeUndefined();
    const pending = [plain.prepare?.(), plainServer.prepare?.(), curve.prepare?.()];
    expect(pending.every((p) => p instanceof Promise)).toBe(true);
    await Promise.all(pending);

    const r = drive(plain, plainServer, () => zapReply(200, "joe", new Map([["x-role", Buffer.from("admin")]])));
    expect(r.client.ready && r.server.ready).toBe(true);
    expect(r.zapRequests[0]!.credentials).toEqual([Buffer.from("admin"), Buffer.from("secret")]);
    expect(plainServer.userId).toBe("joe");
    expect(plainServer.zapProperties.get("x-role")).toEqual(Buffer.from("admin"));
    expect(plainServer.peerProperties.get("socket-type")).toEqual(Buffer.from("PUSH"));
    expect(plain.peerProperties.get("socket-type")).toEqual(Buffer.from("PULL"));

    const curveServer = new CurveServer(context("PULL"), { secretKey: serverKeys.secretKey });
    await curveServer.prepare();
    const c = drive(curve, curveServer);
    expect(c.client.ready && c.server.ready).toBe(true);
    const boxed = curve.encode!(0, Buffer.from("hello"));
    expect(curve.encodedSize!(5)).toBe(boxed.length);
    expect(curveServer.decode(boxed).body.toString()).toBe("hello");
    expect(curve.decode!(curveServer.encode(1, Buffer.from("world")))).toEqual({ flags: 1, body: Buffer.from("world") });
    curve.dispose?.();

    // Loaded now: no stand-in, nothing to wait for.
    const again = createMechanism({ ...NONE, plainServer: true }, context("PULL"));
    expect(again).toBeInstanceOf(PlainServer);
    expect(again.prepare?.() ?? null).toBeNull();
  });
});
