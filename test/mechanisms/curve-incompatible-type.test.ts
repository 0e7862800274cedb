/**
 * A CURVE client whose Socket-Type the server cannot talk to is refused before READY, as
 * libzmq 4.3.5 refuses it while reading INITIATE's metadata (issue 16, item 10).
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wq from "../../lib/index.js";
import { CurveClient } from "../../lib/mechanisms/curve-client.js";
import { loadSodium } from "../../lib/mechanisms/sodium.js";
import { context, dial, runRawPeer } from "../helpers/mechanism-harness.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;
beforeAll(() => loadSodium());
const { track, closeAll } = tracker();
afterEach(() => closeAll());

const LIBS = [
  { name: "zeromq", Push: zmq.Push },
  { name: "wiremq", Push: wq.Push },
] as const;

describe("a CURVE client of an incompatible Socket-Type", () => {
  it.each(LIBS)("$name closes without sending READY", async ({ Push }) => {
    const keys = zmq.curveKeyPair();
    const push = track(new Push({ curveServer: true, curveSecretKey: keys.secretKey }));
    await push.bind("tcp://127.0.0.1:*");
    const mech = new CurveClient(context("PUSH"), { serverKey: keys.publicKey, secretKey: zmq.curveKeyPair().secretKey });
    const socket = await dial(Number(/:(\d+)$/.exec(push.lastEndpoint!)![1]));
    const peer = runRawPeer(socket, mech);
    let ready = false;
    void peer.ready.then(() => (ready = true));
    await peer.closed;
    expect(peer.handshakeCommands.map((c) => c.subarray(1, 1 + c[0]!).toString())).toEqual(["WELCOME"]);
    expect(ready).toBe(false);
  });
});
