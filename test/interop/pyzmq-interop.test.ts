/**
 * Cross-language interop: wiremq against pyzmq (Debian's python3-zmq, libzmq 4.3.4), a second
 * libzmq build reached through a second binding. Every pattern in both directions (wiremq
 * binds / Python connects and the reverse), with multipart, empty and 1 MiB frames, PLAIN
 * with a Python ZAP authenticator and with wiremq's, and CURVE. Skips, saying why, when
 * /usr/bin/python3 has no zmq module (.ci/run installs python3-zmq when it can).
 */
import { afterEach, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Dealer, Pull, Push, Reply, Request, Router, Subscriber, XPublisher, curveKeyPair } from "../../lib/index.js";
import { createAuthenticator, setZapHandler } from "../../lib/security.js";
import { tracker, waitEvent, within } from "../helpers/sockets.js";
import { describeNeeding } from "../helpers/prerequisite.js";

const PYTHON = "/usr/bin/python3";
const PEER = fileURLToPath(new URL("../fixtures/pyzmq_peer.py", import.meta.url));
const available = spawnSync(PYTHON, ["-c", "import zmq"], { stdio: "ignore" }).status === 0;
if (!available) console.log(`pyzmq interop skipped: ${PYTHON} has no zmq module (apt-get install python3-zmq)`);

const open = tracker();
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  setZapHandler(null);
  await open.closeAll();
});

interface PyResult {
  received?: Array<Array<[number, string]>>;
  replies?: string[][];
  subscription?: string;
  sent?: number;
  echoed?: number;
  error?: string;
}

/** Starts the Python peer; resolves its endpoint once bound or connecting, and later its result. */
function pyPeer(cfg: Record<string, unknown>): { endpoint: Promise<string>; result: Promise<PyResult> } {
  // The configuration goes on stdin: with 1 MiB frames as hex it is too long for argv.
  const child = spawn(PYTHON, [PEER], { stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  child.stdin!.end(`${JSON.stringify(cfg)}\n`);
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async (what: string): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    if (done === true) throw new Error(`pyzmq peer ended before its ${what}: ${stderr}`);
    return JSON.parse(value as string) as Record<string, unknown>;
  };
  const endpoint = within(nextLine("endpoint"), 15_000, "the pyzmq peer's endpoint").then((l) => l.endpoint as string);
  const result = endpoint.then(() => within(nextLine("result"), 30_000, "the pyzmq peer's result") as Promise<PyResult>);
  return { endpoint, result };
}

const hex = (m: Array<string | Buffer>): string[] => m.map((f) => Buffer.from(f).toString("hex"));
const summary = (m: Array<string | Buffer>): Array<[number, string]> =>
  m.map((f) => [Buffer.from(f).length, createHash("sha256").update(f).digest("hex")]);

const BIG = Buffer.alloc(1024 * 1024, 0xa5);
const MESSAGES: Array<Array<string | Buffer>> = [["hello"], ["multi", "", "part"], [""], [BIG], ["after the big one"]];

describeNeeding(
  available ? undefined : `${PYTHON} cannot import zmq: install python3-zmq (apt-get install python3-zmq)`,
  "pyzmq (libzmq 4.3.4) interop", () => {
  it("PUSH → PULL: wiremq binds and pushes, Python connects and pulls", async () => {
    const push = open.track(new Push({ linger: -1 }));
    await push.bind("tcp://127.0.0.1:*");
    const py = pyPeer({ type: "PULL", connect: push.lastEndpoint, action: "recv", count: MESSAGES.length });
    await py.endpoint;
    for (const m of MESSAGES) await push.send(m);
    expect((await py.result).received).toEqual(MESSAGES.map(summary));
  });

  it("PUSH → PULL: Python binds and pushes, wiremq connects and pulls", async () => {
    const py = pyPeer({ type: "PUSH", bind: "tcp://127.0.0.1:*", action: "send", messages: MESSAGES.map(hex) });
    const pull = open.track(new Pull());
    pull.connect(await py.endpoint);
    for (const m of MESSAGES) expect(summary(await within(pull.receive(), 10_000, "a message from Python"))).toEqual(summary(m));
    expect((await py.result).sent).toBe(MESSAGES.length);
  });

  it("REQ/REP both ways", async () => {
    const rep = pyPeer({ type: "REP", bind: "tcp://127.0.0.1:*", action: "echo", count: 2 });
    const req = open.track(new Request());
    req.connect(await rep.endpoint);
    for (const body of [["one"], ["two", "frames"]]) {
      await req.send(body);
      expect((await within(req.receive(), 10_000, "Python's reply")).map(String)).toEqual(body);
    }
    expect((await rep.result).echoed).toBe(2);

    const ours = open.track(new Reply());
    await ours.bind("tcp://127.0.0.1:*");
    const pyReq = pyPeer({ type: "REQ", connect: ours.lastEndpoint, action: "request", messages: [hex(["ping", "x"])] });
    const request = await within(ours.receive(), 10_000, "Python's request");
    expect(request.map(String)).toEqual(["ping", "x"]);
    await ours.send(["pong"]);
    expect((await pyReq.result).replies).toEqual([hex(["pong"])]);
  });

  it("DEALER/ROUTER both ways, with routing ids", async () => {
    const router = pyPeer({ type: "ROUTER", bind: "tcp://127.0.0.1:*", action: "echo", count: 1 });
    const dealer = open.track(new Dealer({ routingId: "from-node" }));
    dealer.connect(await router.endpoint);
    await dealer.send(["", "via python"]);
    expect((await within(dealer.receive(), 10_000, "the ROUTER echo")).map(String)).toEqual(["", "via python"]);

    const ours = open.track(new Router());
    await ours.bind("tcp://127.0.0.1:*");
    const pyDealer = pyPeer({ type: "DEALER", routing_id: "from-python", connect: ours.lastEndpoint, action: "request", messages: [hex(["hi"])] });
    const [id, body] = await within(ours.receive(), 10_000, "Python's DEALER");
    expect([id!.toString(), body!.toString()]).toEqual(["from-python", "hi"]);
    await ours.send([id!, "back"]);
    expect((await pyDealer.result).replies).toEqual([hex(["back"])]);
  });

  it("PUB/SUB both ways: the publisher filters by the subscriber's prefix", async () => {
    const xpub = open.track(new XPublisher());
    await xpub.bind("tcp://127.0.0.1:*");
    const pySub = pyPeer({ type: "SUB", subscribe: ["a"], connect: xpub.lastEndpoint, action: "recv", count: 2 });
    const [subscription] = await within(xpub.receive(), 10_000, "Python's subscription");
    expect(subscription!.toString("hex")).toBe(Buffer.from("\x01a").toString("hex"));
    for (const t of ["a1", "b1", "a2"]) await xpub.send(t);
    expect((await pySub.result).received).toEqual([summary(["a1"]), summary(["a2"])]);

    const pyPub = pyPeer({ type: "XPUB", bind: "tcp://127.0.0.1:*", action: "publish_after_subscribe", messages: [["b1"], ["a1"], ["b2"], ["a2"]].map(hex) });
    const sub = open.track(new Subscriber());
    sub.subscribe("a");
    sub.connect(await pyPub.endpoint);
    expect((await within(sub.receive(), 10_000, "a1")).map(String)).toEqual(["a1"]);
    expect((await within(sub.receive(), 10_000, "a2")).map(String)).toEqual(["a2"]);
    expect((await pyPub.result).subscription).toBe(Buffer.from("\x01a").toString("hex"));
  });

  it("PLAIN: Python's ZAP authenticator admits the right password and refuses a wrong one", async () => {
    const server = pyPeer({
      type: "PULL",
      bind: "tcp://127.0.0.1:*",
      security: { plain_server: true, passwords: { admin: "secret" } },
      action: "recv",
      count: 1,
    });
    const endpoint = await server.endpoint;
    const wrong = open.track(new Push({ plainUsername: "admin", plainPassword: "guess" }));
    const refused = waitEvent(wrong, "handshake:error:auth");
    wrong.connect(endpoint);
    await refused;
    const right = open.track(new Push({ plainUsername: "admin", plainPassword: "secret", linger: -1 }));
    right.connect(endpoint);
    await right.send("let in");
    expect((await server.result).received).toEqual([summary(["let in"])]);
  });

  it("PLAIN: wiremq's authenticator checks a Python client", async () => {
    setZapHandler(createAuthenticator({ passwords: { admin: "secret" } }));
    const pull = open.track(new Pull({ plainServer: true }));
    await pull.bind("tcp://127.0.0.1:*");
    const py = pyPeer({
      type: "PUSH",
      connect: pull.lastEndpoint,
      security: { plain_username: "admin", plain_password: "secret" },
      action: "send",
      messages: [hex(["from python"])],
    });
    expect((await within(pull.receive(), 10_000, "the PLAIN message")).map(String)).toEqual(["from python"]);
    expect((await py.result).sent).toBe(1);
  });

  it("CURVE both ways, including a 1 MiB frame", async () => {
    const server = curveKeyPair();
    const client = curveKeyPair();
    const py = pyPeer({
      type: "PULL",
      bind: "tcp://127.0.0.1:*",
      security: { curve_server_secret: server.secretKey, curve_allow: true },
      action: "recv",
      count: MESSAGES.length,
    });
    const push = open.track(new Push({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey, linger: -1 }));
    push.connect(await py.endpoint);
    for (const m of MESSAGES) await push.send(m);
    expect((await py.result).received).toEqual(MESSAGES.map(summary));

    const pull = open.track(new Pull({ curveServer: true, curveSecretKey: server.secretKey }));
    await pull.bind("tcp://127.0.0.1:*");
    const pyPush = pyPeer({
      type: "PUSH",
      connect: pull.lastEndpoint,
      security: { curve_server_key: server.publicKey, curve_public: client.publicKey, curve_secret: client.secretKey },
      action: "send",
      messages: MESSAGES.map(hex),
    });
    for (const m of MESSAGES) expect(summary(await within(pull.receive(), 10_000, "a CURVE message from Python"))).toEqual(summary(m));
    expect((await pyPush.result).sent).toBe(MESSAGES.length);
  });
});
