/**
 * A CURVE MESSAGE replayed, reordered or altered after the handshake drops that peer with a
 * `disconnect` event whose error names why (issue 16, item 10).
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as wq from "../../lib/index.js";
import { CurveClient } from "../../lib/mechanisms/curve-client.js";
import { loadSodium } from "../../lib/mechanisms/sodium.js";
import { encodeFrame } from "../../lib/wire/frame.js";
import { context, dial, runRawPeer } from "../helpers/mechanism-harness.js";
import { tracker } from "../helpers/sockets.js";

beforeAll(() => loadSodium());
const { track, closeAll } = tracker();
afterEach(() => closeAll());

type Attack = (encode: (text: string) => Buffer) => Buffer[];
const CASES: Array<{ title: string; attack: Attack; code: string }> = [
  { title: "a replayed MESSAGE", code: "CURVE_BAD_NONCE", attack: (m) => { const a = m("a"); return [a, a]; } },
  { title: "reordered MESSAGEs", code: "CURVE_BAD_NONCE", attack: (m) => { const a = m("a"); const b = m("b"); return [b, a]; } },
  {
    title: "an altered MESSAGE",
    code: "CURVE_DECRYPT_FAILED",
    attack: (m) => {
      const a = m("a");
      a[a.length - 1]! ^= 0x01;
      return [a];
    },
  },
];

describe("CURVE traffic refused after the handshake", () => {
  it.each(CASES)("$title: disconnect with error $code", async ({ attack, code }) => {
    const keys = wq.curveKeyPair();
    const pull = track(new wq.Pull({ curveServer: true, curveSecretKey: keys.secretKey }));
    await pull.bind("tcp://127.0.0.1:*");
    const dropped = new Promise<wq.Event>((resolve) => pull.events.on("disconnect", resolve));
    const mech = new CurveClient(context("PUSH"), { serverKey: keys.publicKey, secretKey: wq.curveKeyPair().secretKey });
    const socket = await dial(Number(/:(\d+)$/.exec(pull.lastEndpoint!)![1]));
    const peer = runRawPeer(socket, mech);
    await peer.ready;
    const frames = attack((text) => mech.encode(0, Buffer.from(text)));
    for (const f of frames) socket.write(encodeFrame(0, f));
    const event = await dropped;
    expect((event as { error?: { code?: string } }).error?.code).toBe(code);
    await peer.closed;
  });
});
