/**
 * Secrets are overwritten once a connection no longer needs them (issue 24, item 5): the
 * CURVE session key when the connection ends, s' and the cookie key when a handshake is
 * abandoned half-way, a PLAIN client's password once it has been sent.
 */
import type { Socket as NetSocket } from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as wq from "../../lib/index.js";
import type { Engine, EngineHost } from "../../lib/engine/engine.js";
import type { StreamEngine } from "../../lib/engine/stream-engine.js";
import { CurveClient } from "../../lib/mechanisms/curve-client.js";
import { CurveServer } from "../../lib/mechanisms/curve-server.js";
import { curveKeyPair } from "../../lib/mechanisms/curve-keys.js";
import { PlainClient } from "../../lib/mechanisms/plain.js";
import { loadSodium } from "../../lib/mechanisms/sodium.js";
import { encodeCommand } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND } from "../../lib/wire/frame.js";
import { encodeGreeting } from "../../lib/wire/greeting.js";
import { context, dial, drive, runRawPeer } from "../helpers/mechanism-harness.js";
import { tracker } from "../helpers/sockets.js";

beforeAll(() => loadSodium());
const { track, closeAll } = tracker();
afterEach(() => closeAll());

const serverKeys = curveKeyPair();
const clientKeys = curveKeyPair();

/** The fields a CURVE mechanism keeps its secrets in (private: read here to see them wiped). */
interface CurveSecrets {
  key: Uint8Array | null;
  cnSecret: Uint8Array | null;
  cookieKey: Uint8Array | null;
  secretKey: Uint8Array;
}
const secretsOf = (m: unknown): CurveSecrets => m as CurveSecrets;
const zero = (b: Uint8Array | null): boolean => b !== null && b.every((x) => x === 0);
const nonZero = (b: Uint8Array | null): boolean => b !== null && b.some((x) => x !== 0);

const curveClient = (): CurveClient =>
  new CurveClient(context("PUSH"), { serverKey: serverKeys.publicKey, secretKey: clientKeys.secretKey });
const curveServer = (): CurveServer => new CurveServer(context("PULL"), { secretKey: serverKeys.secretKey });

describe("mechanisms wipe their secrets", () => {
  it("CURVE: dispose() after the handshake zeroes the session key on both sides", () => {
    const c = curveClient();
    const s = curveServer();
    const r = drive(c, s);
    expect(r.client.ready && r.server.ready).toBe(true);
    const keys = [secretsOf(c).key, secretsOf(s).key];
    expect(keys.every(nonZero)).toBe(true);
    c.dispose();
    s.dispose();
    expect(keys.every(zero)).toBe(true);
    expect(() => c.encode(0, Buffer.from("x"))).toThrow(expect.objectContaining({ code: "EFSM" }));
  });

  it("CURVE server: an abandoned handshake (HELLO answered, no INITIATE) zeroes s', the cookie key and s", () => {
    const c = curveClient();
    const s = curveServer();
    const welcome = s.onCommand(c.start().send[0]!);
    expect(welcome.send).toHaveLength(1);
    const held = secretsOf(s);
    const secrets = [held.cnSecret, held.cookieKey, held.secretKey];
    expect(secrets.every(nonZero)).toBe(true);
    s.dispose();
    expect(secrets.every(zero)).toBe(true);
  });

  it("CURVE client: an abandoned handshake (HELLO sent, no WELCOME) zeroes c' and c", () => {
    const c = curveClient();
    c.start();
    const held = secretsOf(c);
    const secrets = [held.cnSecret, held.secretKey];
    expect(secrets.every(nonZero)).toBe(true);
    c.dispose();
    expect(secrets.every(zero)).toBe(true);
  });

  it("PLAIN client: the password is zeroed once WELCOME shows it was sent, and at dispose()", () => {
    const c = new PlainClient(context("PUSH"), { username: "alice", password: "wonderland" });
    const password = (c as unknown as { password: Buffer }).password;
    c.start();
    expect(password.toString()).toBe("wonderland");
    c.onCommand(encodeCommand("WELCOME"));
    expect(zero(password)).toBe(true);

    const abandoned = new PlainClient(context("PUSH"), { username: "alice", password: "wonderland" });
    const kept = (abandoned as unknown as { password: Buffer }).password;
    abandoned.start();
    abandoned.dispose();
    expect(zero(kept)).toBe(true);
  });
});

/** A PULL that shows the engines it makes, to read their mechanism once they have closed. */
class WatchedPull extends wq.Pull {
  readonly made: StreamEngine[] = [];
  protected override createEngine(sock: NetSocket, endpoint: string, host: EngineHost, peerAddress: () => string): Engine {
    const engine = super.createEngine(sock, endpoint, host, peerAddress);
    this.made.push(engine as StreamEngine);
    return engine;
  }
}

async function curvePull(): Promise<{ pull: WatchedPull; port: number }> {
  const pull = track(new WatchedPull({ curveServer: true, curveSecretKey: serverKeys.secretKey }));
  await pull.bind("tcp://127.0.0.1:*");
  return { pull, port: Number(/:(\d+)$/.exec(pull.lastEndpoint!)![1]) };
}

describe("the engine wipes a connection's keys when it ends", () => {
  it("a CURVE connection that ends after its handshake leaves its session key zeroed", async () => {
    const { pull, port } = await curvePull();
    const socket = await dial(port);
    const peer = runRawPeer(socket, curveClient());
    await peer.ready;
    const key = secretsOf(pull.made[0]!.mechanism).key;
    expect(nonZero(key)).toBe(true);
    const gone = new Promise<void>((resolve) => pull.events.on("disconnect", () => resolve()));
    socket.destroy();
    await gone;
    expect(zero(key)).toBe(true);
  });

  it("a CURVE handshake abandoned after WELCOME leaves s' and the cookie key zeroed", async () => {
    const { pull, port } = await curvePull();
    const socket = await dial(port);
    let received = 0;
    const welcomed = new Promise<void>((resolve) => {
      socket.on("data", (d: Buffer) => {
        received += d.length;
        // The server's greeting (64 bytes) and its WELCOME frame (2 + 168).
        if (received >= 64 + 2 + 168) resolve();
      });
    });
    socket.write(encodeGreeting("CURVE", false, 1));
    socket.write(encodeFrame(FLAG_COMMAND, curveClient().start().send[0]!));
    await welcomed;
    const held = secretsOf(pull.made[0]!.mechanism);
    const secrets = [held.cnSecret, held.cookieKey];
    expect(secrets.every(nonZero)).toBe(true);
    const gone = new Promise<void>((resolve) => pull.events.on("disconnect", () => resolve()));
    socket.destroy();
    await gone;
    expect(secrets.every(zero)).toBe(true);
  });
});
