/**
 * No secret in any output: util.inspect / console.log and JSON.stringify of sockets, their
 * event observers, a proxy over them and every event of a refused PLAIN handshake and an
 * accepted CURVE one. (Before: inspect printed curveSecretKey and plainPassword in clear and
 * JSON.stringify threw on a cycle; zeromq prints `Dealer {}` and `{}`.)
 */
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { curveKeyPair, Dealer, Proxy, Router } from "../../lib/index.js";
import { createAuthenticator, setZapHandler } from "../../lib/security.js";
import * as v5compat from "../../lib/v5-compat.js";
import { expectSame } from "../helpers/differential.js";
import { tracker, waitEvent } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(async () => {
  setZapHandler(null);
  await closeAll();
});

const PASSWORD = "correct-horse-battery-staple";

/** Every rendering a program might print or ship somewhere. */
function renderings(value: unknown): string[] {
  const out = [inspect(value, { depth: Infinity, showHidden: true, getters: true }), inspect(value), String(value)];
  try {
    out.push(JSON.stringify(value) ?? "");
  } catch (err) {
    out.push(`JSON.stringify threw: ${(err as Error).message}`);
  }
  return out;
}

function expectNoSecret(value: unknown, secrets: string[]): void {
  for (const text of renderings(value)) {
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain("JSON.stringify threw");
  }
}

describe("secrets stay out of output", () => {
  it("inspect and JSON of PLAIN and CURVE sockets, their observers and a proxy show no key or password", async () => {
    const server = curveKeyPair();
    const client = curveKeyPair();
    const curveServer = track(new Router({ curveServer: true, curveSecretKey: server.secretKey, curvePublicKey: server.publicKey }));
    await curveServer.bind("tcp://127.0.0.1:*");
    const curveClient = track(
      new Dealer({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey }),
    );
    const handshake = waitEvent(curveClient, "handshake");
    curveClient.connect(curveServer.lastEndpoint!);
    await handshake;
    const plainClient = track(new Dealer({ plainUsername: "admin", plainPassword: PASSWORD }));
    const proxy = new Proxy(curveServer, plainClient);
    const v5 = v5compat.socket("dealer");
    v5.setsockopt(v5compat.ZMQ_PLAIN_USERNAME, "admin");
    v5.setsockopt(v5compat.ZMQ_PLAIN_PASSWORD, PASSWORD);
    const secrets = [server.secretKey, client.secretKey, PASSWORD];
    for (const value of [curveServer, curveClient, plainClient, curveClient.events, proxy, { nested: [curveClient] }, v5]) {
      expectNoSecret(value, secrets);
    }
    v5.close();
    expect(inspect(curveServer)).toMatch(/^Router \{ closed: false, lastEndpoint: 'tcp:\/\/127\.0\.0\.1:\d+' \}$/);
  });

  it("the events of a refused PLAIN handshake carry no password", async () => {
    setZapHandler(createAuthenticator({ passwords: { admin: "another-password" } }));
    const server = track(new Router({ plainServer: true }));
    await server.bind("tcp://127.0.0.1:*");
    const client = track(new Dealer({ plainUsername: "admin", plainPassword: PASSWORD }));
    const seen: unknown[] = [];
    for (const s of [server, client]) {
      s.events.on("handshake:error:auth", (e) => void seen.push(e));
      s.events.on("handshake:error:protocol", (e) => void seen.push(e));
      s.events.on("handshake:error:other", (e) => void seen.push(e));
    }
    const refused = waitEvent(server, "handshake:error:auth");
    client.connect(server.lastEndpoint!);
    await refused;
    expect(seen.length).toBeGreaterThan(0);
    for (const e of seen) expectNoSecret(e, [PASSWORD]);
  });

  it("JSON.stringify of a socket is {} as with zeromq, open and closed", async () => {
    await expectSame(async (zmq, run) => {
      const s = run.track(new zmq.Dealer({ linger: 0 }));
      const open = JSON.stringify(s);
      s.close();
      return { open, closed: JSON.stringify(s) };
    });
  });
});
