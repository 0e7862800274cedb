import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { PlainClient, PlainServer } from "../../lib/mechanisms/plain.js";
import { encodeCommand, encodeMetadata, encodeError } from "../../lib/wire/command.js";
import { context, dial, drive, listen, receiveFrom, runRawPeer, zapReply } from "../helpers/mechanism-harness.js";

zmq.context.blocky = false;

const creds = { username: "admin", password: "secret" };

describe("PLAIN mechanism in memory", () => {
  it("sends the HELLO bytes of 24/ZMTP-PLAIN", () => {
    const c = new PlainClient(context("DEALER"), creds);
    expect(c.asServer).toBe(false);
    const [hello] = c.start().send;
    expect(hello).toEqual(Buffer.from("\x05HELLO\x05admin\x06secret", "latin1"));
  });

  it("sends WELCOME (empty), INITIATE and READY with metadata, byte for byte", () => {
    const ctxC = context("DEALER", { properties: [["Socket-Type", Buffer.from("DEALER")], ["Identity", Buffer.from("me")]] });
    const r = drive(new PlainClient(ctxC, creds), new PlainServer(context("ROUTER", { zapEnabled: true })), () => zapReply(200, "joe"));
    expect(r.client.ready && r.server.ready).toBe(true);
    const bodies = r.wire.map((w) => `${w.from}:${w.body.toString("latin1")}`);
    expect(bodies).toEqual([
      "client:\x05HELLO\x05admin\x06secret",
      "server:\x07WELCOME",
      "client:\x08INITIATE\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x02me",
      "server:\x05READY\x0bSocket-Type\x00\x00\x00\x06ROUTER",
    ]);
  });

  it("asks ZAP with [username, password] and keeps the user id and metadata", () => {
    const server = new PlainServer(context("PULL", { zapEnabled: true, zapDomain: "dom", routingId: Buffer.from("srv") }));
    const client = new PlainClient(context("PUSH"), creds);
    const r = drive(client, server, () => zapReply(200, "joe", new Map([["x-role", Buffer.from("admin")]])));
    expect(r.zapRequests).toEqual([
      {
        domain: "dom",
        address: "127.0.0.1",
        routingId: Buffer.from("srv"),
        mechanism: "PLAIN",
        credentials: [Buffer.from("admin"), Buffer.from("secret")],
      },
    ]);
    expect(server.userId).toBe("joe");
    expect(server.zapProperties.get("x-role")).toEqual(Buffer.from("admin"));
    expect(server.peerProperties.get("socket-type")).toEqual(Buffer.from("PUSH"));
    expect(client.peerProperties.get("socket-type")).toEqual(Buffer.from("PULL"));
  });

  it("ZAP 400: server sends ERROR 400, both sides fail with kind auth, status 400", () => {
    const r = drive(new PlainClient(context("PUSH"), creds), new PlainServer(context("PULL", { zapEnabled: true })), () => zapReply(400));
    expect(r.wire.map((w) => w.body.toString("latin1"))).toEqual(["\x05HELLO\x05admin\x06secret", "\x05ERROR\x03400"]);
    expect(r.server.error).toMatchObject({ kind: "auth", status: 400 });
    expect(r.client.error).toMatchObject({ kind: "auth", status: 400 });
    expect(r.client.ready || r.server.ready).toBe(false);
  });

  it("ZAP 500 sends ERROR 500; ZAP 300 closes silently", () => {
    const r5 = drive(new PlainClient(context("PUSH"), creds), new PlainServer(context("PULL", { zapEnabled: true })), () => zapReply(500));
    expect(r5.wire.at(-1)!.body).toEqual(encodeError("500"));
    expect(r5.server.error).toMatchObject({ kind: "auth", status: 500 });
    const r3 = drive(new PlainClient(context("PUSH"), creds), new PlainServer(context("PULL", { zapEnabled: true })), () => zapReply(300));
    expect(r3.wire).toHaveLength(1);
    expect(r3.server.error).toMatchObject({ kind: "auth", status: 300 });
    expect(r3.client.error).toBeUndefined();
  });

  it("without a ZAP handler the server refuses every client, as libzmq 4.3 does", () => {
    const r = drive(new PlainClient(context("PUSH"), creds), new PlainServer(context("PULL")));
    expect(r.server.error).toMatchObject({ kind: "other", code: "PLAIN_NO_ZAP_HANDLER" });
    expect(r.wire).toHaveLength(1); // no ERROR, no WELCOME
  });

  it("refuses malformed or out-of-order commands", () => {
    const zapOk = () => zapReply(200);
    const bad = [
      Buffer.from("\x05HELLO\x05admin\x06secretX", "latin1"), // extraneous byte
      Buffer.from("\x05HELLO\x09admin", "latin1"), // truncated username
      Buffer.from("\x05HELLO", "latin1"), // no username
      encodeCommand("INITIATE", encodeMetadata([])), // INITIATE before HELLO
      Buffer.from("\x05READY", "latin1"),
    ];
    for (const body of bad) {
      const s = new PlainServer(context("PULL", { zapEnabled: true }));
      s.start();
      const step = s.onCommand(body);
      expect(step.error?.kind).toBe("protocol");
      expect(step.zap).toBeUndefined();
    }
    // A server waiting for ZAP refuses any command.
    const s = new PlainServer(context("PULL", { zapEnabled: true }));
    expect(s.onCommand(Buffer.from("\x05HELLO\x01u\x01p", "latin1")).zap).toBeDefined();
    expect(s.onCommand(encodeCommand("INITIATE")).error?.kind).toBe("protocol");
    // Client: READY before WELCOME, WELCOME with data, bad metadata in READY.
    const c1 = new PlainClient(context("PUSH"), creds);
    c1.start();
    expect(c1.onCommand(encodeCommand("READY")).error?.kind).toBe("protocol");
    const c2 = new PlainClient(context("PUSH"), creds);
    c2.start();
    expect(c2.onCommand(encodeCommand("WELCOME", Buffer.from("x"))).error?.kind).toBe("protocol");
    const c3 = new PlainClient(context("PUSH"), creds);
    c3.start();
    c3.onCommand(encodeCommand("WELCOME"));
    expect(c3.onCommand(encodeCommand("READY", Buffer.from([3, 0x41]))).error?.kind).toBe("protocol");
    void zapOk;
  });

  it("a client ends on a non-ZAP ERROR reason without a handshake event, as libzmq", () => {
    const c = new PlainClient(context("PUSH"), creds);
    c.start();
    expect(c.onCommand(encodeError("go away")).error).toMatchObject({ kind: "protocol", quiet: true });
  });

  it("refuses credentials longer than 255 bytes at construction", () => {
    expect(() => new PlainClient(context("PUSH"), { username: "u".repeat(256), password: "" })).toThrow(
      expect.objectContaining({ code: "EINVAL" }),
    );
  });
});

describe("PLAIN interop with libzmq (zeromq package)", () => {
  // Runs first: no ZAP handler is bound in this process yet.
  it("a libzmq PLAIN server with no ZAP handler refuses our client after HELLO", async () => {
    // libzmq reports handshake:error:other (EFAULT) at once, sends neither WELCOME nor ERROR,
    // and closes the TCP connection only when its handshake interval runs out (30 s by
    // default; 200 ms here).
    const pull = new zmq.Pull({ plainServer: true, handshakeInterval: 200 });
    const other = new Promise<string>((resolve) =>
      pull.events.on("handshake:error:other", (ev) => resolve(String((ev.error as { code?: string }).code))),
    );
    await pull.bind("tcp://127.0.0.1:*");
    const port = Number(pull.lastEndpoint!.split(":").pop());
    const peer = runRawPeer(await dial(port), new PlainClient(context("PUSH"), creds));
    expect((await peer.greeting).mechanism).toBe("PLAIN");
    expect(await other).toBe("EFAULT");
    expect(await peer.failed).toBeNull(); // closed without WELCOME or ERROR
    expect(peer.handshakeCommands).toEqual([]);
    pull.close();
  });

  describe("with a ZAP handler", () => {
    let zap: zmq.Router;
    const requests: string[][] = [];
    let verdict = "200";

    beforeAll(async () => {
      zap = new zmq.Router();
      await zap.bind("inproc://zeromq.zap.01");
      void (async () => {
        for await (const [id, delimiter, version, requestId, ...rest] of zap) {
          requests.push([version!, requestId!, ...rest].map((f) => f.toString("latin1")));
          await zap.send([id!, delimiter!, Buffer.from("1.0"), requestId!, verdict, "", verdict === "200" ? "joe" : "", Buffer.alloc(0)]);
        }
      })().catch(() => undefined);
    });

    afterAll(() => {
      zap.close();
    });

    it("our PLAIN client passes a libzmq PLAIN server and its message arrives", async () => {
      verdict = "200";
      requests.length = 0;
      const pull = new zmq.Pull({ plainServer: true, zapDomain: "test" });
      await pull.bind("tcp://127.0.0.1:*");
      const port = Number(pull.lastEndpoint!.split(":").pop());
      const peer = runRawPeer(await dial(port), new PlainClient(context("PUSH"), creds));
      // libzmq never sets the as-server byte of its greeting (it writes 32 zero bytes after the
      // mechanism name): even a PLAIN server says 0. The engine must not rely on the peer's bit.
      expect(await peer.greeting).toMatchObject({ mechanism: "PLAIN", asServer: false });
      await peer.ready;
      peer.send([Buffer.from("hello"), Buffer.from("world")]);
      const msg = await receiveFrom(pull);
      expect(msg.map(String)).toEqual(["hello", "world"]);
      expect(requests).toHaveLength(1);
      expect(requests[0]!.slice(0, 1)).toEqual(["1.0"]);
      expect(requests[0]!.slice(2)).toEqual(["test", "127.0.0.1", "", "PLAIN", "admin", "secret"]);
      // libzmq's READY carried its socket type.
      peer.socket.destroy();
      pull.close();
    });

    it("a libzmq PLAIN server that ZAP denies sends ERROR 400: our client fails with auth/400", async () => {
      verdict = "400";
      const pull = new zmq.Pull({ plainServer: true });
      await pull.bind("tcp://127.0.0.1:*");
      const port = Number(pull.lastEndpoint!.split(":").pop());
      const peer = runRawPeer(await dial(port), new PlainClient(context("PUSH"), creds));
      expect(await peer.failed).toMatchObject({ kind: "auth", status: 400 });
      // libzmq 4.3.5 really sends 5E "RROR" 03 "400": its "\x05ERROR" literal is a hex escape
      // that swallows the E. Our clients accept that form as well as the correct one.
      expect(peer.handshakeCommands).toEqual([Buffer.from("5e52524f5203343030", "hex")]);
      peer.socket.destroy();
      pull.close();
      verdict = "200";
    });
  });

  it("a libzmq PLAIN client passes our PLAIN server (our ZAP says 200)", async () => {
    const listener = await listen();
    const push = new zmq.Push({ plainUsername: "alice", plainPassword: "pw" });
    push.connect(`tcp://127.0.0.1:${listener.port}`);
    const socket = await listener.accept();
    const server = new PlainServer(context("PULL", { zapEnabled: true }));
    const seen: Buffer[][] = [];
    const peer = runRawPeer(socket, server, (req) => {
      seen.push(req.credentials);
      return zapReply(200, "alice-id");
    });
    expect(await peer.greeting).toMatchObject({ mechanism: "PLAIN", asServer: false });
    await peer.ready;
    expect(seen).toEqual([[Buffer.from("alice"), Buffer.from("pw")]]);
    expect(server.peerProperties.get("socket-type")).toEqual(Buffer.from("PUSH"));
    await push.send(["one", "two"]);
    expect((await peer.nextMessage()).map(String)).toEqual(["one", "two"]);
    push.close();
    await peer.closed;
    await listener.close();
  });

  it("our PLAIN server refusing with ZAP 400 sends a correct ERROR 400, which libzmq calls a protocol error", async () => {
    const listener = await listen();
    const push = new zmq.Push({ plainUsername: "mallory", plainPassword: "x" });
    // libzmq 4.3.5 only recognises its own malformed 5E "RROR" form (see above), so the
    // RFC-correct "\x05ERROR" we send is "unexpected command" to it: the client still drops
    // the connection, but its monitor reports handshake:error:protocol instead of :auth.
    const event = new Promise<string>((resolve) => {
      push.events.on("handshake:error:auth", (ev) => resolve(`auth ${(ev.error as { status?: number }).status}`));
      push.events.on("handshake:error:protocol", (ev) => resolve(`protocol ${(ev.error as { code?: string }).code}`));
    });
    push.connect(`tcp://127.0.0.1:${listener.port}`);
    const socket = await listener.accept();
    const peer = runRawPeer(socket, new PlainServer(context("PULL", { zapEnabled: true })), () => zapReply(400));
    expect(await peer.failed).toMatchObject({ kind: "auth", status: 400 });
    expect(await event).toBe("protocol ERR_ZMTP_UNEXPECTED_COMMAND");
    push.close();
    await listener.close();
  });
});
