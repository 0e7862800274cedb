/**
 * The zeromq option surface beyond the core: every option zeromq's sockets expose exists here
 * with zeromq's default, and the ones wiremq can carry out do what libzmq does (ipv6, backlog,
 * TCP keepalive, connectTimeout, zapEnforceDomain, noDrop on PUB, XPUB verbosity).
 */
import { afterEach, describe, expect, it } from "vitest";
import * as net from "node:net";
import { existsSync, readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { once } from "node:events";
import * as zmq from "zeromq";
import * as wmq from "../../lib/index.js";
import { portOf, tracker, waitEvent, within } from "../helpers/sockets.js";
import { itNeeding } from "../helpers/prerequisite.js";

zmq.context.blocky = false;
const open = tracker();
afterEach(() => open.closeAll());

const TYPES = ["Pair", "Publisher", "Subscriber", "Request", "Reply", "Dealer", "Router", "Pull", "Push", "XPublisher", "XSubscriber", "Stream"] as const;

/** Options whose defaults both libraries report the same way on every socket type. */
const SHARED = [
  "type", "securityMechanism", "threadSafe", "ipv6", "backlog", "connectTimeout",
  "tcpKeepalive", "tcpKeepaliveCount", "tcpKeepaliveIdle", "tcpKeepaliveInterval", "tcpMaxRetransmitTimeout",
  "typeOfService", "socksProxy", "interface", "zapEnforceDomain", "loopbackFastPath",
  "affinity", "rate", "recoveryInterval", "multicastMaxTransportDataUnit",
] as const;

describe("zeromq's option surface", () => {
  it.each(TYPES)("%s: every shared option exists with zeromq's default", (name) => {
    const theirs = open.track(new zmq[name]()) as unknown as Record<string, unknown>;
    const ours = open.track(new wmq[name]()) as unknown as Record<string, unknown>;
    for (const option of SHARED) expect([option, ours[option]]).toEqual([option, theirs[option]]);
    for (const option of ["sendBufferSize", "receiveBufferSize", "multicastHops"]) {
      if (option in theirs) expect([option, ours[option]]).toEqual([option, theirs[option]]);
    }
  });

  it("refuses out-of-range values with EINVAL exactly where zeromq does", () => {
    const verdict = (make: () => unknown, name: string, value: unknown): string => {
      const socket = open.track(make() as { close(): unknown }) as unknown as Record<string, unknown>;
      try {
        socket[name] = value;
        return "ok";
      } catch (err) {
        return (err as { code?: string }).code ?? "no code";
      }
    };
    const same = (name: string, value: unknown): void => {
      const theirs = verdict(() => new zmq.Dealer(), name, value);
      expect([name, value, verdict(() => new wmq.Dealer(), name, value)]).toEqual([name, value, theirs]);
    };
    const numeric = [
      "sendHighWaterMark", "receiveHighWaterMark", "linger", "sendTimeout", "receiveTimeout", "reconnectInterval",
      "reconnectMaxInterval", "heartbeatInterval", "heartbeatTimeout", "handshakeInterval", "maxMessageSize",
      "backlog", "connectTimeout", "tcpKeepalive", "tcpKeepaliveIdle", "affinity", "rate", "recoveryInterval",
      "multicastHops", "multicastMaxTransportDataUnit",
    ];
    for (const name of numeric) for (const value of [-2, -1, 0, 1, 2, 6553500, 6553600, 2 ** 31 - 1, 2 ** 31]) same(name, value);
    // Options Node cannot apply: only their defaults and refused values, which do not warn.
    const notApplied = { sendBufferSize: -1, receiveBufferSize: -1, typeOfService: 0, tcpMaxRetransmitTimeout: 0, tcpKeepaliveCount: -1, tcpKeepaliveInterval: -1 };
    for (const [name, fallback] of Object.entries(notApplied)) for (const value of [-2, fallback, 2 ** 31]) same(name, value);
    for (const name of ["routingId", "zapDomain", "plainUsername", "plainPassword"]) {
      for (const length of [0, 1, 255, 256]) same(name, "x".repeat(length));
    }
    const key = zmq.curveKeyPair().publicKey;
    for (const name of ["curveServerKey", "curvePublicKey", "curveSecretKey"]) for (const value of [key, key.slice(1), `${key}x`]) same(name, value);
    // heartbeatTimeToLive is sent in 16 bits of deciseconds; wiremq also refuses a negative one.
    expect(verdict(() => new wmq.Dealer(), "heartbeatTimeToLive", 6553500)).toBe("ok");
    expect(verdict(() => new wmq.Dealer(), "heartbeatTimeToLive", 6553600)).toBe("EINVAL");
    expect(verdict(() => new wmq.Dealer(), "heartbeatTimeToLive", -1)).toBe("EINVAL");
  });

  it("securityMechanism follows the security options as in zeromq", () => {
    const keys = zmq.curveKeyPair();
    const settings: Array<Record<string, unknown>> = [
      { curveServer: true, curveSecretKey: keys.secretKey },
      { curveServerKey: keys.publicKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey },
      { plainServer: true },
      { plainUsername: "u", plainPassword: "p" },
      {},
    ];
    for (const s of settings) {
      const theirs = open.track(new zmq.Dealer(s as never));
      const ours = open.track(new wmq.Dealer(s as never));
      expect(ours.securityMechanism).toBe(theirs.securityMechanism);
    }
    expect(open.track(new wmq.Dealer()).context).toBe(wmq.context);
  });

  it("accepts in a constructor what zeromq accepts, and refuses what wiremq cannot do with ENOTSUP", () => {
    const s = open.track(
      new wmq.Dealer({ tcpKeepalive: 1, tcpKeepaliveIdle: 30, backlog: 10, connectTimeout: 500, ipv6: true, affinity: 1, rate: 50 }),
    );
    expect([s.tcpKeepalive, s.tcpKeepaliveIdle, s.backlog, s.connectTimeout, s.ipv6, s.affinity, s.rate]).toEqual([1, 30, 10, 500, true, 1, 50]);
    for (const option of ["interface", "tcpAcceptFilter"] as const) {
      expect(() => (s[option] = "x")).toThrow(expect.objectContaining({ code: "ENOTSUP" }));
      s[option] = null;
      expect(s[option]).toBeNull();
    }
    expect(() => (s.backlog = "many" as never)).toThrow(TypeError);
  });

  it("options Node cannot apply are kept and warn once per process", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      if ((w as { code?: string }).code === "WIREMQ_OPTION_NOT_APPLIED") warnings.push(w);
    };
    process.on("warning", onWarning);
    try {
      const a = open.track(new wmq.Push({ sendBufferSize: 1 << 20 }));
      const b = open.track(new wmq.Push());
      b.sendBufferSize = 1 << 16;
      b.receiveBufferSize = -1; // the default: nothing to warn about
      expect([a.sendBufferSize, b.sendBufferSize, b.receiveBufferSize]).toEqual([1 << 20, 1 << 16, -1]);
      await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
      expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining("sendBufferSize")]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("a socket takes a Context in its options, as in zeromq; the context's ipv6 is its default", async () => {
    const ctx = new wmq.Context({ ipv6: true, ioThreads: 2 });
    expect([ctx.ipv6, ctx.ioThreads, ctx.maxSocketsLimit]).toEqual([true, 2, 65535]);
    expect(() => new wmq.Context({ colour: "red" } as never)).toThrow(TypeError);
    const theirs = open.track(new zmq.Dealer({ context: new zmq.Context() }));
    expect(theirs.context).toBeInstanceOf(zmq.Context);
    const ours = open.track(new wmq.Pull({ context: ctx }));
    expect(ours.context).toBe(ctx);
    expect(ours.ipv6).toBe(true);
    await ours.bind("tcp://*:*");
    expect(ours.lastEndpoint).toMatch(/^tcp:\/\/\[::\]:/);
    // An explicit ipv6 wins over the context's, whatever the order of the keys.
    expect(open.track(new wmq.Pull({ ipv6: false, context: ctx })).ipv6).toBe(false);
    expect(open.track(new wmq.Pull()).context).toBe(wmq.context);
    // zeromq refuses a context that is not one with a plain Error, not a TypeError; wiremq's has a code.
    let refused: unknown;
    try {
      new wmq.Pull({ context: {} as never });
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(Error);
    expect(refused).not.toBeInstanceOf(TypeError);
    expect(refused).toMatchObject({ name: "Error", code: "EINVAL", message: "Invalid argument" });
  });

  it("Publisher takes noDrop; XPublisher takes verbosity", () => {
    const pub = open.track(new wmq.Publisher({ noDrop: true }));
    expect(pub.noDrop).toBe(true);
    const xpub = open.track(new wmq.XPublisher({ verbosity: "allSubsUnsubs" }));
    expect([xpub.verbose, xpub.verboser, xpub.verbosity]).toEqual([true, true, "allSubsUnsubs"]);
    xpub.verbosity = "allSubs";
    expect([xpub.verbose, xpub.verboser]).toEqual([true, false]);
    xpub.verbosity = null;
    expect([xpub.verbose, xpub.verboser]).toEqual([false, false]);
    expect(() => (xpub.verbosity = "all" as never)).toThrow(TypeError);
  });
});

describe("options carried out", () => {
  it("ipv6: tcp://* listens on [::] for IPv6 and IPv4 peers, as libzmq reports it", async () => {
    const dual = open.track(new wmq.Pull({ ipv6: true }));
    await dual.bind("tcp://*:*");
    expect(dual.lastEndpoint).toMatch(/^tcp:\/\/\[::\]:\d+$/);
    const port = portOf(dual.lastEndpoint!);
    for (const host of ["127.0.0.1", "[::1]"]) {
      const push = open.track(new wmq.Push());
      push.connect(`tcp://${host}:${port}`);
      await push.send(host);
      expect((await within(dual.receive(), 5000, host))[0]!.toString()).toBe(host);
    }
    const v4 = open.track(new wmq.Pull());
    await v4.bind("tcp://*:*");
    expect(v4.lastEndpoint).toMatch(/^tcp:\/\/0\.0\.0\.0:\d+$/);
  });

  it("noDrop: a Publisher whose subscriber is full refuses with EAGAIN instead of dropping", async () => {
    const pub = open.track(new wmq.Publisher({ noDrop: true, sendHighWaterMark: 1, sendTimeout: 0 }));
    await pub.bind("tcp://127.0.0.1:*");
    const sub = open.track(new wmq.Subscriber({ receiveHighWaterMark: 1 }));
    sub.subscribe();
    sub.connect(pub.lastEndpoint!);
    await waitEvent(pub, "handshake");
    // PUB has no event for a subscription arriving: probe until a message gets through.
    const first = sub.receive();
    for (;;) {
      await pub.send("probe");
      const got = await Promise.race([first, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
      if (got !== null) break;
    }
    let refused: unknown = null;
    for (let i = 0; i < 1_000_000 && refused === null; i++) {
      await pub.send(Buffer.alloc(1024)).catch((err) => (refused = err));
    }
    expect(refused).toMatchObject({ code: "EAGAIN" });
  });

  itNeeding(existsSync("/proc/net/tcp") ? undefined : "/proc/net/tcp is missing (the check reads Linux's socket table)", "tcpKeepalive 1 with tcpKeepaliveIdle sets the keepalive timer on both ends", async () => {
    const router = open.track(new wmq.Router({ tcpKeepalive: 1, tcpKeepaliveIdle: 37 }));
    await router.bind("tcp://127.0.0.1:*");
    const port = portOf(router.lastEndpoint!);
    const dealer = open.track(new wmq.Dealer({ tcpKeepalive: 1, tcpKeepaliveIdle: 42 }));
    dealer.connect(router.lastEndpoint!);
    await dealer.send("hi");
    await within(router.receive(), 5000, "the first message");
    const rows = await settledRows((r) => r.localPort === port || r.remotePort === port);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      // Timer 2 is the keepalive timer; its expiry is in USER_HZ (100 per second) ticks.
      expect(row.timer).toBe(2);
      const idle = row.localPort === port ? 37 : 42;
      expect(row.when).toBeLessThanOrEqual(idle * 100);
      expect(row.when).toBeGreaterThan((idle - 10) * 100);
    }
    const plain = open.track(new wmq.Dealer());
    plain.connect(router.lastEndpoint!);
    await plain.send("hi");
    await within(router.receive(), 5000, "the plain dealer's message");
    const before = new Set(rows.map((r) => r.localPort));
    const plainSide = await settledRows((r) => r.remotePort === port && !before.has(r.localPort));
    expect(plainSide.length).toBe(1);
    expect(plainSide[0]!.timer).toBe(0);
  });

  it("connectTimeout: a connect the peer never answers is abandoned and retried", async () => {
    // A listener whose process never accepts, with a backlog of 1: once its accept queue is
    // full, the kernel drops further SYNs, so a connect neither succeeds nor fails.
    const blocked = spawn(process.execPath, [
      "-e",
      `require("net").createServer().listen({ host: "127.0.0.1", port: 0, backlog: 1 }, function () {
         console.log(this.address().port);
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000);
       });`,
    ]);
    try {
      const [line] = (await within(once(blocked.stdout!, "data"), 10_000, "the blocked listener")) as [Buffer];
      const port = Number(line.toString().trim());
      for (let i = 0; i < 2; i++) {
        const filler = open.track(net.connect({ host: "127.0.0.1", port }).on("error", () => {}));
        await within(once(filler, "connect"), 5000, "a queued connection");
      }
      const dealer = open.track(new wmq.Dealer({ connectTimeout: 200, reconnectInterval: 60_000 }));
      const retry = waitEvent(dealer, "connect:retry", 1, 5000);
      dealer.connect(`tcp://127.0.0.1:${port}`);
      await retry;
    } finally {
      blocked.kill("SIGKILL");
    }
  });

  it("zapEnforceDomain: a CURVE server with a ZAP domain and no handler refuses clients, in both libraries", async () => {
    const server = zmq.curveKeyPair();
    const client = zmq.curveKeyPair();
    const clientOpts = { curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey };
    const serverOpts = { curveServer: true, curveSecretKey: server.secretKey, zapDomain: "global", zapEnforceDomain: true };

    const ours = open.track(new wmq.Pull(serverOpts));
    await ours.bind("tcp://127.0.0.1:*");
    const refusedHere = waitEvent(ours, "handshake:error:other");
    const theirPush = open.track(new zmq.Push(clientOpts));
    theirPush.connect(ours.lastEndpoint!);
    await refusedHere;

    const theirs = open.track(new zmq.Pull(serverOpts));
    await theirs.bind("tcp://127.0.0.1:*");
    const refusedThere = waitEvent(theirs as never, "handshake:error:other");
    const ourPush = open.track(new wmq.Push(clientOpts));
    ourPush.connect(theirs.lastEndpoint!);
    await refusedThere;

    // Off (the default), the same server lets the client in.
    const lenient = open.track(new wmq.Pull({ ...serverOpts, zapEnforceDomain: false }));
    await lenient.bind("tcp://127.0.0.1:*");
    const push = open.track(new wmq.Push(clientOpts));
    push.connect(lenient.lastEndpoint!);
    await push.send("in");
    expect((await within(lenient.receive(), 5000, "the lenient server"))[0]!.toString()).toBe("in");
  });

  it("zapEnforceDomain: a NULL server with a ZAP domain and no handler refuses, as libzmq does", async () => {
    for (const Pull of [wmq.Pull, zmq.Pull]) {
      const pull = open.track(new Pull({ zapDomain: "global", zapEnforceDomain: true }));
      await pull.bind("tcp://127.0.0.1:*");
      const refused = waitEvent(pull as never, "handshake:error:other");
      const push = open.track(new wmq.Push());
      push.connect(pull.lastEndpoint!);
      await refused;
    }
  });
});

interface TcpRow {
  localPort: number;
  remotePort: number;
  state: number;
  timer: number;
  when: number;
}

/**
 * Established connections matching `which`, once none has a retransmit or loss-probe timer
 * left from the data just sent (timer 1): only then does the kernel show the keepalive timer.
 * The kernel has no event for that; this polls, bounded.
 */
async function settledRows(which: (r: TcpRow) => boolean): Promise<TcpRow[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const rows = tcpRows().filter((r) => r.state === 1 && which(r));
    if (rows.every((r) => r.timer !== 1) || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The IPv4 TCP sockets of this network namespace, from /proc/net/tcp. */
function tcpRows(): TcpRow[] {
  return readFileSync("/proc/net/tcp", "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => {
      const f = line.trim().split(/\s+/);
      const [timer, when] = f[5]!.split(":");
      return {
        localPort: parseInt(f[1]!.split(":")[1]!, 16),
        remotePort: parseInt(f[2]!.split(":")[1]!, 16),
        state: parseInt(f[3]!, 16),
        timer: parseInt(timer!, 16),
        when: parseInt(when!, 16),
      };
    });
}
