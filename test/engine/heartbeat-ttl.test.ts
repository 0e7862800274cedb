/**
 * The TTL a peer's PING carries, as libzmq applies it: one timer from that PING, cancelled by
 * any frame that follows. A peer that pinged once and then sent a message may go quiet for
 * longer than the TTL and keeps its connection. Run against libzmq (zeromq) and wiremq.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wiremq from "../../lib/index.js";
import { encodePing } from "../../lib/wire/command.js";
import { encodeFrame, encodeMessage, FLAG_COMMAND } from "../../lib/wire/frame.js";
import { closedPromise, delay, rawConnect, RawZmtpPeer, recordEvents, tracker, waitEvent } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

const TTL_MS = 300;
const LIBS = [
  { name: "zeromq", Pull: zmq.Pull },
  { name: "wiremq", Pull: wiremq.Pull as unknown as typeof zmq.Pull },
];

describe("a PING's TTL", () => {
  it.each(LIBS)("$name: a frame after the PING cancels it; a later silence longer than the TTL is kept", async ({ Pull }) => {
    const pull = track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    const up = waitEvent(pull, "handshake");
    const log = recordEvents(pull, ["disconnect"]);
    const peer = new RawZmtpPeer(track(await rawConnect(pull.lastEndpoint!)), "PUSH");
    await up;
    peer.sock.write(encodeFrame(FLAG_COMMAND, encodePing(TTL_MS / 100)));
    await peer.waitCommand("PONG");
    peer.sock.write(encodeMessage([Buffer.from("alive")]));
    expect((await pull.receive()).map(String)).toEqual(["alive"]);
    await delay(TTL_MS * 3);
    log.stop();
    expect(log.events).toEqual([]);
    expect(peer.sock.closed).toBe(false);
  });

  it.each(LIBS)("$name: with nothing after the PING, the peer is dropped once the TTL runs out", async ({ Pull }) => {
    const pull = track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    const up = waitEvent(pull, "handshake");
    const dropped = waitEvent(pull, "disconnect");
    const peer = new RawZmtpPeer(track(await rawConnect(pull.lastEndpoint!)), "PUSH");
    await up;
    const t0 = Date.now();
    peer.sock.write(encodeFrame(FLAG_COMMAND, encodePing(TTL_MS / 100)));
    await dropped;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(TTL_MS - 5);
    await closedPromise(peer.sock);
  });
});
