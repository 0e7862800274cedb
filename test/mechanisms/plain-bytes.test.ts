/**
 * PLAIN credentials reach an in-process ZAP handler as the bytes the peer sent (issue 24,
 * item 5). Decoded as UTF-8, every invalid byte string turns into U+FFFD, so `\xff`, `\xfe` and
 * `\xef\xbf\xbd` all read as "\ufffd" and one configured password let in three.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as wq from "../../lib/index.js";
import * as wqs from "../../lib/security.js";
import { PlainClient } from "../../lib/mechanisms/plain.js";
import type { AuthenticateRequest } from "../../lib/sockets/zap-registry.js";
import { context, dial, runRawPeer } from "../helpers/mechanism-harness.js";
import { tracker } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(async () => {
  wqs.setZapHandler(null);
  await closeAll();
});

/** Runs one PLAIN handshake against `port` with raw credential bytes; true when it completes. */
async function handshake(port: number, username: Uint8Array, password: Uint8Array): Promise<boolean> {
  const socket = await dial(port);
  const peer = runRawPeer(socket, new PlainClient(context("PUSH"), { username, password }));
  const outcome = await Promise.race([peer.ready.then(() => true), peer.failed.then(() => false)]);
  socket.destroy();
  await peer.closed;
  return outcome;
}

describe("PLAIN credentials as bytes", () => {
  it("one configured password lets in only its own bytes", async () => {
    wqs.setZapHandler(wqs.createAuthenticator({ passwords: { alice: "\ufffd" } }));
    const pull = track(new wq.Pull({ plainServer: true }));
    await pull.bind("tcp://127.0.0.1:*");
    const port = Number(/:(\d+)$/.exec(pull.lastEndpoint!)![1]);
    const alice = Buffer.from("alice");

    expect(await handshake(port, alice, Buffer.from([0xef, 0xbf, 0xbd]))).toBe(true);
    expect(await handshake(port, alice, Buffer.from([0xff]))).toBe(false);
    expect(await handshake(port, alice, Buffer.from([0xfe]))).toBe(false);
    expect(await handshake(port, alice, Buffer.from([0xed, 0xa0, 0x80]))).toBe(false);
  });

  it("a handler gets the raw bytes, and text only where the bytes are exact UTF-8", async () => {
    const seen: AuthenticateRequest[] = [];
    wqs.setZapHandler((req) => {
      seen.push(req);
      return { status: 400 };
    });
    const pull = track(new wq.Pull({ plainServer: true }));
    await pull.bind("tcp://127.0.0.1:*");
    const port = Number(/:(\d+)$/.exec(pull.lastEndpoint!)![1]);

    await handshake(port, Buffer.from("bob"), Buffer.from([0x70, 0xff, 0x77]));
    await handshake(port, Buffer.from([0xc3, 0x28]), Buffer.from("p\u00e4ss"));
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ username: "bob", usernameBytes: Buffer.from("bob"), passwordBytes: Buffer.from([0x70, 0xff, 0x77]) });
    expect(seen[0]!.password).toBeUndefined();
    expect(seen[1]).toMatchObject({ usernameBytes: Buffer.from([0xc3, 0x28]), password: "p\u00e4ss" });
    expect(seen[1]!.username).toBeUndefined();
  });
});
