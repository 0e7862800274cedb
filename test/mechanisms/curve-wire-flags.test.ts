/**
 * The wire flags of a frame carrying a CURVE MESSAGE count, as in libzmq 4.3.5, which ORs them
 * into the unboxed frame (issue 16, item 10): a MESSAGE sent in a COMMAND frame is taken for a
 * command and dropped, one sent with MORE joins the next message. wiremq delivered the first.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wq from "../../lib/index.js";
import { CurveClient } from "../../lib/mechanisms/curve-client.js";
import { loadSodium } from "../../lib/mechanisms/sodium.js";
import { encodeFrame, FLAG_COMMAND, FLAG_MORE } from "../../lib/wire/frame.js";
import { context, dial, receiveFrom, runRawPeer } from "../helpers/mechanism-harness.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;
beforeAll(() => loadSodium());
const { track, closeAll } = tracker();
afterEach(() => closeAll());

const LIBS = [
  { name: "zeromq", Pull: zmq.Pull },
  { name: "wiremq", Pull: wq.Pull },
] as const;

describe("wire flags on a CURVE MESSAGE frame", () => {
  it.each(LIBS)("$name drops one sent as a COMMAND frame and joins one sent with MORE to the next", async ({ Pull }) => {
    const server = zmq.curveKeyPair();
    const pull = track(new Pull({ curveServer: true, curveSecretKey: server.secretKey }));
    await pull.bind("tcp://127.0.0.1:*");
    const mech = new CurveClient(context("PUSH"), { serverKey: server.publicKey, secretKey: zmq.curveKeyPair().secretKey });
    const socket = await dial(Number(/:(\d+)$/.exec(pull.lastEndpoint!)![1]));
    const peer = runRawPeer(socket, mech);
    await peer.ready;
    socket.write(encodeFrame(FLAG_COMMAND, mech.encode(0, Buffer.from("dropped"))));
    socket.write(encodeFrame(0, mech.encode(0, Buffer.from("m1"))));
    socket.write(encodeFrame(FLAG_MORE, mech.encode(0, Buffer.from("m2"))));
    socket.write(encodeFrame(0, mech.encode(0, Buffer.from("m3"))));
    expect((await receiveFrom(pull)).map(String)).toEqual(["m1"]);
    expect((await receiveFrom(pull)).map(String)).toEqual(["m2", "m3"]);
    socket.destroy();
    await peer.closed;
  });
});
