/**
 * setsockopt/getsockopt by every ZMQ_* option number, and the short-name properties, on
 * zeromq/v5-compat and wiremq/v5-compat: default read, set, read back (value or error).
 */
import { describe, expect, it } from "vitest";
import { outcome, runIn, same, wiremq5, zeromq5, type Lab, type SocketType5 } from "../helpers/v5-diff.js";

const server = zeromq5.curveKeypair();
const client = zeromq5.curveKeypair();

/** Each option number with a socket type it means something on and a value away from the default. */
const CASES: Array<[name: string, type: SocketType5, value: unknown]> = [
  ["ZMQ_AFFINITY", "dealer", 3],
  ["ZMQ_IDENTITY", "dealer", Buffer.from("id-1")],
  ["ZMQ_SUBSCRIBE", "sub", "topic"],
  ["ZMQ_UNSUBSCRIBE", "sub", "topic"],
  ["ZMQ_RATE", "dealer", 200],
  ["ZMQ_RECOVERY_IVL", "dealer", 5000],
  ["ZMQ_RECOVERY_IVL_MSEC", "dealer", 6000],
  ["ZMQ_SNDBUF", "dealer", 65536],
  ["ZMQ_RCVBUF", "dealer", 65536],
  ["ZMQ_RCVMORE", "dealer", 1],
  ["ZMQ_FD", "dealer", 1],
  ["ZMQ_EVENTS", "dealer", 1],
  ["ZMQ_TYPE", "dealer", 1],
  ["ZMQ_LINGER", "dealer", 250],
  ["ZMQ_RECONNECT_IVL", "dealer", 250],
  ["ZMQ_BACKLOG", "dealer", 50],
  ["ZMQ_RECONNECT_IVL_MAX", "dealer", 5000],
  ["ZMQ_MAXMSGSIZE", "dealer", 1024],
  ["ZMQ_SNDHWM", "dealer", 10],
  ["ZMQ_RCVHWM", "dealer", 20],
  ["ZMQ_MULTICAST_HOPS", "dealer", 3],
  ["ZMQ_RCVTIMEO", "dealer", 500],
  ["ZMQ_SNDTIMEO", "dealer", 600],
  ["ZMQ_IPV4ONLY", "dealer", 0],
  ["ZMQ_LAST_ENDPOINT", "dealer", "tcp://127.0.0.1:1"],
  ["ZMQ_ROUTER_MANDATORY", "router", 1],
  ["ZMQ_TCP_KEEPALIVE", "dealer", 1],
  ["ZMQ_TCP_KEEPALIVE_CNT", "dealer", 5],
  ["ZMQ_TCP_KEEPALIVE_IDLE", "dealer", 60],
  ["ZMQ_TCP_KEEPALIVE_INTVL", "dealer", 10],
  ["ZMQ_DELAY_ATTACH_ON_CONNECT", "dealer", 1],
  ["ZMQ_XPUB_VERBOSE", "xpub", 1],
  ["ZMQ_ROUTER_RAW", "router", 1],
  ["ZMQ_IPV6", "dealer", 1],
  ["ZMQ_MECHANISM", "dealer", 1],
  ["ZMQ_PLAIN_SERVER", "dealer", 1],
  ["ZMQ_PLAIN_USERNAME", "dealer", "user"],
  ["ZMQ_PLAIN_PASSWORD", "dealer", "secret"],
  ["ZMQ_CURVE_SERVER", "dealer", 1],
  ["ZMQ_CURVE_PUBLICKEY", "dealer", client.public],
  ["ZMQ_CURVE_SECRETKEY", "dealer", client.secret],
  ["ZMQ_CURVE_SERVERKEY", "dealer", server.public],
  ["ZMQ_ZAP_DOMAIN", "dealer", "global"],
  ["ZMQ_ROUTER_HANDOVER", "router", 1],
  ["ZMQ_HEARTBEAT_IVL", "dealer", 1000],
  ["ZMQ_HEARTBEAT_TTL", "dealer", 2000],
  ["ZMQ_HEARTBEAT_TIMEOUT", "dealer", 3000],
  ["ZMQ_CONNECT_TIMEOUT", "dealer", 1500],
  ["ZMQ_IO_THREADS", "dealer", 2],
  ["ZMQ_MAX_SOCKETS", "dealer", 10],
];

/** Defaults changed on purpose elsewhere (zeromq's linger −1 is another change's subject). */
const DEFAULT_NOT_COMPARED = new Set(["ZMQ_LINGER", "linger"]);
/**
 * Options libzmq 4.3.5 lets zeromq write but not read (EINVAL), where wiremq reads back the
 * value set: compared on setting here, and the reading difference pinned below.
 */
const WRITE_ONLY_IN_ZEROMQ = new Set(["ZMQ_ROUTER_MANDATORY", "ZMQ_CURVE_PUBLICKEY", "ZMQ_CURVE_SECRETKEY", "ZMQ_CURVE_SERVERKEY", "curve_publickey", "curve_secretkey", "curve_serverkey"]);

function roundTrip(name: string, type: SocketType5, value: unknown) {
  return async ({ zmq }: Lab) => {
    const option = (zmq as unknown as Record<string, number>)[name]!;
    const sock = zmq.socket(type);
    try {
      const unread = WRITE_ONLY_IN_ZEROMQ.has(name);
      const before = DEFAULT_NOT_COMPARED.has(name) || unread ? "not compared" : outcome(() => sock.getsockopt(option));
      const set = outcome(() => sock.setsockopt(option, value) === sock);
      const after = unread ? "not compared" : outcome(() => sock.getsockopt(option));
      return { option, before, set, after };
    } finally {
      sock.setsockopt(zmq.ZMQ_LINGER, 0);
      sock.close();
    }
  };
}

describe("v5-compat setsockopt/getsockopt by option number, zeromq and wiremq side by side", () => {
  for (const [name, type, value] of CASES) same(`${name} on ${type}`, roundTrip(name, type, value));

  it("covers every option number zeromq/v5-compat exports", () => {
    const exported = Object.keys(zeromq5).filter((k) => k.startsWith("ZMQ_") && !/^ZMQ_(PAIR|PUB|SUB|REQ|REP|DEALER|XREQ|ROUTER|XREP|PULL|PUSH|XPUB|XSUB|STREAM|POLL\w+|SNDMORE|CAN_\w+)$/.test(k));
    expect(CASES.map(([n]) => n).filter((n) => n !== "ZMQ_TCP_ACCEPT_FILTER").sort()).toEqual(exported.filter((n) => n !== "ZMQ_TCP_ACCEPT_FILTER").sort());
  });

  same("an unknown number or short name is an Error 'Unknown option' both ways", async ({ socket }: Lab) => {
    const sock = socket("dealer");
    return [
      outcome(() => sock.setsockopt(9999, 1)),
      outcome(() => sock.getsockopt(9999)),
      outcome(() => sock.setsockopt("nope" as never, 1)),
      outcome(() => sock.getsockopt("nope" as never)),
    ];
  });

  same("ZMQ_SUBSCRIBE on a socket that cannot subscribe throws the same TypeError", async ({ zmq, socket }: Lab) => {
    const sock = socket("dealer");
    return [outcome(() => sock.setsockopt(zmq.ZMQ_SUBSCRIBE, "x")), outcome(() => sock.setsockopt(zmq.ZMQ_UNSUBSCRIBE, "x"))];
  });

  same("ZMQ_MECHANISM follows the security options set", async ({ zmq, socket }: Lab) => {
    const plain = socket("dealer");
    plain.setsockopt(zmq.ZMQ_PLAIN_SERVER, 1);
    const curve = socket("dealer");
    curve.setsockopt(zmq.ZMQ_CURVE_SERVER, 1);
    curve.setsockopt(zmq.ZMQ_CURVE_SECRETKEY, server.secret);
    return [plain.getsockopt(zmq.ZMQ_MECHANISM), curve.getsockopt(zmq.ZMQ_MECHANISM)];
  });

  same("ZMQ_LAST_ENDPOINT and ZMQ_EVENTS after a bind and a peer", async ({ zmq, socket, bound }: Lab) => {
    const pull = bound("pull");
    const push = socket("push");
    const before = push.getsockopt(zmq.ZMQ_EVENTS);
    push.connect(pull.last_endpoint);
    const endpoint = /^tcp:\/\/127\.0\.0\.1:\d+$/.test(String(pull.getsockopt(zmq.ZMQ_LAST_ENDPOINT)));
    return { endpoint, before, after: push.getsockopt(zmq.ZMQ_EVENTS) };
  });
});

describe("v5-compat short option names as properties, zeromq and wiremq side by side", () => {
  const values: Record<string, unknown> = {
    affinity: 2,
    backlog: 10,
    identity: "me",
    linger: 100,
    rate: 300,
    rcvbuf: 4096,
    reconnect_ivl: 300,
    recovery_ivl: 3000,
    sndbuf: 4096,
    plain_server: 1,
    plain_username: "user",
    plain_password: "pw",
    curve_server: 1,
    curve_publickey: client.public,
    curve_secretkey: client.secret,
    curve_serverkey: server.public,
    zap_domain: "domain",
    heartbeat_ivl: 100,
    heartbeat_ttl: 200,
    heartbeat_timeout: 300,
    connect_timeout: 400,
    _subscribe: "a",
    _unsubscribe: "a",
    _fd: 1,
    _ioevents: 1,
    _receiveMore: 1,
    last_endpoint: "x",
    mechanism: 1,
  };

  it("zmq.options is the same table of names to numbers", () => {
    expect(wiremq5.options).toEqual(zeromq5.options);
    expect(Object.keys(values).sort()).toEqual(Object.keys(zeromq5.options).sort());
  });

  for (const [name, value] of Object.entries(values)) {
    same(`sock.${name} (strings set as their UTF-8 bytes)`, async ({ zmq }: Lab) => {
      const sock = zmq.socket(name.endsWith("subscribe") ? "sub" : "dealer");
      try {
        const unread = WRITE_ONLY_IN_ZEROMQ.has(name);
        const before = DEFAULT_NOT_COMPARED.has(name) || unread ? "not compared" : outcome(() => sock[name]);
        const set = outcome(() => {
          sock[name] = value;
        });
        return { before, set, after: unread ? "not compared" : outcome(() => sock[name]) };
      } finally {
        sock.setsockopt(zmq.ZMQ_LINGER, 0);
        sock.close();
      }
    });
  }

  same("createSocket(type, options) sets options by short name and keeps other keys as properties", async ({ zmq }: Lab) => {
    const sock = zmq.createSocket("dealer", { identity: "created", rate: 150, custom: 7 });
    try {
      return { identity: sock.getsockopt(zmq.ZMQ_IDENTITY), rate: sock.rate, custom: sock.custom, same: zmq.socket === zmq.createSocket };
    } finally {
      sock.setsockopt(zmq.ZMQ_LINGER, 0);
      sock.close();
    }
  });
});

describe("v5-compat options that differ", () => {
  it("reading ZMQ_ROUTER_MANDATORY or a CURVE key: zeromq throws EINVAL (libzmq's write-only options), wiremq gives the value set", async () => {
    const read = (zmq: typeof zeromq5) =>
      runIn(zmq, async ({ socket }) => {
        const router = socket("router");
        router.setsockopt(zmq.ZMQ_ROUTER_MANDATORY, 1);
        const dealer = socket("dealer");
        dealer.setsockopt(zmq.ZMQ_CURVE_SERVERKEY, server.public);
        return [outcome(() => router.getsockopt(zmq.ZMQ_ROUTER_MANDATORY)), outcome(() => dealer.getsockopt(zmq.ZMQ_CURVE_SERVERKEY))];
      });
    const einval = { threw: { name: "Error", code: "EINVAL", message: "Invalid argument" } };
    expect(await read(zeromq5)).toEqual([einval, einval]);
    expect(await read(wiremq5)).toEqual([{ value: 1 }, { value: server.public }]);
  });

  it("ZMQ_TCP_ACCEPT_FILTER: zeromq keeps the filter; wiremq refuses one with ENOTSUP (it has no accept filters)", async () => {
    const z = await runIn(zeromq5, async ({ zmq, socket }) => outcome(() => socket("dealer").setsockopt(zmq.ZMQ_TCP_ACCEPT_FILTER, "127.0.0.1")));
    const w = await runIn(wiremq5, async ({ zmq, socket }) => outcome(() => socket("dealer").setsockopt(zmq.ZMQ_TCP_ACCEPT_FILTER, "127.0.0.1")));
    expect(z).toEqual({ value: expect.anything() });
    expect(w).toEqual({ threw: expect.objectContaining({ code: "ENOTSUP" }) });
  });
});
