/**
 * Reconnects across a replaced libzmq peer, and ZMTP heartbeats: answered both ways with
 * libzmq, and a dead (silent) peer detected.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pull, Push } from "../../lib/index.js";
import { encodePing } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND } from "../../lib/wire/frame.js";
import { tmpIpc } from "../helpers/endpoints.js";
import {
  closedPromise, delay, rawConnect, rawServer, RawZmtpPeer, recordEvents, tracker, waitEvent,
} from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

const str = (m: Buffer[]): string[] => m.map(String);

/** Binds, retrying briefly while the old listener on the same address is still being torn down. */
async function bindAgain(sock: zmq.Pull, address: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await sock.bind(address);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== "EADDRINUSE" || attempt >= 100) throw err;
      await delay(10);
    }
  }
}

describe.each([
  { t: "tcp", endpoint: () => "tcp://127.0.0.1:*" },
  { t: "ipc", endpoint: () => tmpIpc() },
])("reconnect over $t", ({ endpoint }) => {
  it("messages sent while the libzmq PULL is gone reach the new PULL on the same endpoint", async () => {
    const first = track(new zmq.Pull());
    await first.bind(endpoint());
    // tcp: the same port number again; ipc: the same path.
    const address = first.lastEndpoint!;

    const push = track(new Push({ reconnectInterval: 20 }));
    const up = waitEvent(push, "handshake");
    push.connect(address);
    await up;
    await push.send(["before", "0"]);
    expect(str(await first.receive())).toEqual(["before", "0"]);

    const down = waitEvent(push, "disconnect");
    const log = recordEvents(push, ["connect:retry", "handshake", "disconnect"]);
    first.close();
    await down;

    // No peer now: the connect-side pipe keeps taking messages.
    for (let i = 0; i < 20; i++) await push.send(["meanwhile", String(i), ""]);

    const second = track(new zmq.Pull({ receiveTimeout: 5000 })); // a lost message fails fast
    const back = waitEvent(push, "handshake");
    await bindAgain(second, address);
    expect(second.lastEndpoint).toBe(address);
    await back;
    for (let i = 0; i < 20; i++) expect(str(await second.receive())).toEqual(["meanwhile", String(i), ""]);
    await push.send("after");
    expect(str(await second.receive())).toEqual(["after"]);
    log.stop();
    expect(log.events.some((e) => e.type === "connect:retry")).toBe(true);
    expect(log.events.filter((e) => e.type === "handshake").length).toBe(1);
  });
});

/** Long enough for several heartbeat intervals and timeouts to pass. */
const HB = { interval: 30, timeout: 100, observe: 600 };

describe.each([
  { title: "tcp, wiremq binds", endpoint: () => "tcp://127.0.0.1:*", wiremqBinds: true },
  { title: "tcp, zeromq binds", endpoint: () => "tcp://127.0.0.1:*", wiremqBinds: false },
  { title: "ipc, wiremq binds", endpoint: () => tmpIpc(), wiremqBinds: true },
])("heartbeats with libzmq over $title", ({ endpoint, wiremqBinds }) => {
  it("libzmq answers wiremq's PINGs: the connection is not dropped", async () => {
    const ours = track(new Push({
      heartbeatInterval: HB.interval, heartbeatTimeout: HB.timeout, heartbeatTimeToLive: 500,
    }));
    const theirs = track(new zmq.Pull());
    const up = Promise.all([waitEvent(ours, "handshake"), waitEvent(theirs, "handshake")]);
    if (wiremqBinds) {
      await ours.bind(endpoint());
      theirs.connect(ours.lastEndpoint!);
    } else {
      await theirs.bind(endpoint());
      ours.connect(theirs.lastEndpoint!);
    }
    await up;
    const oursLog = recordEvents(ours, ["disconnect", "handshake"]);
    const theirsLog = recordEvents(theirs, ["disconnect", "handshake"]);
    await delay(HB.observe); // absence of an event can only be observed over time
    oursLog.stop();
    theirsLog.stop();
    expect(oursLog.events).toEqual([]);
    expect(theirsLog.events).toEqual([]);
    await ours.send("still here");
    expect(str(await theirs.receive())).toEqual(["still here"]);
  });

  it("wiremq answers libzmq's PINGs: the connection is not dropped", async () => {
    const ours = track(new Pull());
    const theirs = track(new zmq.Push({
      heartbeatInterval: HB.interval, heartbeatTimeout: HB.timeout, heartbeatTimeToLive: 300,
    }));
    const up = Promise.all([waitEvent(ours, "handshake"), waitEvent(theirs, "handshake")]);
    if (wiremqBinds) {
      await ours.bind(endpoint());
      theirs.connect(ours.lastEndpoint!);
    } else {
      await theirs.bind(endpoint());
      ours.connect(theirs.lastEndpoint!);
    }
    await up;
    const oursLog = recordEvents(ours, ["disconnect", "handshake"]);
    const theirsLog = recordEvents(theirs, ["disconnect", "handshake"]);
    await delay(HB.observe);
    oursLog.stop();
    theirsLog.stop();
    expect(oursLog.events).toEqual([]);
    expect(theirsLog.events).toEqual([]);
    await theirs.send("still here");
    expect(str(await ours.receive())).toEqual(["still here"]);
  });
});

describe("dead peers", () => {
  it("control: libzmq with heartbeats drops a peer that never answers (so the test above can fail)", async () => {
    const peers: RawZmtpPeer[] = [];
    const server = track(await rawServer((sock) => peers.push(new RawZmtpPeer(sock, "PULL"))));
    const theirs = track(new zmq.Push({ heartbeatInterval: HB.interval, heartbeatTimeout: HB.timeout }));
    const dropped = waitEvent(theirs, "disconnect");
    theirs.connect(server.endpoint);
    await dropped;
    expect(peers[0]!.commands.some((c) => c.subarray(1, 5).toString() === "PING")).toBe(true);
  });

  it("a connecting wiremq socket drops a peer that completes the handshake but never answers PINGs", async () => {
    const peers: RawZmtpPeer[] = [];
    const server = track(await rawServer((sock) => peers.push(new RawZmtpPeer(sock, "PULL"))));
    const push = track(new Push({ heartbeatInterval: 50, heartbeatTimeout: 200, reconnectInterval: 10_000 }));
    const up = waitEvent(push, "handshake");
    const dropped = waitEvent(push, "disconnect");
    push.connect(server.endpoint);
    await up;
    const t0 = Date.now();
    const peer = peers[0]!;
    await peer.waitCommand("PING");
    const event = await dropped;
    const elapsed = Date.now() - t0;
    await closedPromise(peer.sock);
    expect(event.address).toBe(server.endpoint);
    expect(elapsed).toBeGreaterThanOrEqual(200);
    expect(elapsed).toBeLessThan(5000);
  });

  it("a binding wiremq socket drops a silent peer too", async () => {
    const pull = track(new Pull({ heartbeatInterval: 50, heartbeatTimeout: 200 }));
    await pull.bind("tcp://127.0.0.1:*");
    const up = waitEvent(pull, "handshake");
    const dropped = waitEvent(pull, "disconnect");
    const peer = new RawZmtpPeer(track(await rawConnect(pull.lastEndpoint!)), "PUSH");
    await up;
    const t0 = Date.now();
    await peer.waitCommand("PING");
    await dropped;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    await closedPromise(peer.sock);
  });

  it("a peer answering PINGs is kept (the raw peer itself is sound)", async () => {
    const pull = track(new Pull({ heartbeatInterval: HB.interval, heartbeatTimeout: HB.timeout }));
    await pull.bind("tcp://127.0.0.1:*");
    const up = waitEvent(pull, "handshake");
    const log = recordEvents(pull, ["disconnect"]);
    const peer = new RawZmtpPeer(track(await rawConnect(pull.lastEndpoint!)), "PUSH");
    peer.answerPings = true;
    await up;
    await delay(HB.observe);
    log.stop();
    expect(log.events).toEqual([]);
    expect(peer.sock.closed).toBe(false);
  });

  it("a peer whose PING carries a TTL and then goes silent is dropped after the TTL", async () => {
    const pull = track(new Pull()); // no heartbeat options of its own
    await pull.bind("tcp://127.0.0.1:*");
    const up = waitEvent(pull, "handshake");
    const dropped = waitEvent(pull, "disconnect");
    const peer = new RawZmtpPeer(track(await rawConnect(pull.lastEndpoint!)), "PUSH");
    await up;
    const t0 = Date.now();
    peer.sock.write(encodeFrame(FLAG_COMMAND, encodePing(3))); // TTL 300 ms
    await peer.waitCommand("PONG");
    await dropped;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    await closedPromise(peer.sock);
  });
});
