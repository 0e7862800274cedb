import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { CURVE_FLAG_COMMAND, CURVE_FLAG_MORE, HELLO_SIZE, WELCOME_SIZE } from "../../lib/mechanisms/curve.js";
import { CurveClient } from "../../lib/mechanisms/curve-client.js";
import { CurveServer } from "../../lib/mechanisms/curve-server.js";
import { curveKeyPair } from "../../lib/mechanisms/curve-keys.js";
import { loadSodium } from "../../lib/mechanisms/sodium.js";
import type { ZapRequest } from "../../lib/mechanisms/mechanism.js";
import { encodeCommand, encodeError, encodePing } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND, FLAG_MORE } from "../../lib/wire/frame.js";
import { z85Decode } from "../../lib/wire/z85.js";
import { context, dial, drive, listen, receiveFrom, runRawPeer, zapReply } from "../helpers/mechanism-harness.js";

// These tests drive the mechanisms without an engine, which is what waits for libsodium.
beforeAll(() => loadSodium());

zmq.context.blocky = false;

const server = curveKeyPair();
const client = curveKeyPair();

function pair(opts: { zap?: boolean; serverKey?: string; clientPublic?: string } = {}) {
  const c = new CurveClient(context("DEALER", { properties: [["Socket-Type", Buffer.from("DEALER")], ["Identity", Buffer.from("c1")]] }), {
    serverKey: opts.serverKey ?? server.publicKey,
    publicKey: opts.clientPublic ?? client.publicKey,
    secretKey: client.secretKey,
  });
  const s = new CurveServer(context("ROUTER", { zapEnabled: opts.zap ?? false, zapDomain: "dom" }), { secretKey: server.secretKey });
  return { c, s };
}

function handshaken() {
  const { c, s } = pair();
  const r = drive(c, s);
  expect(r.client.ready && r.server.ready).toBe(true);
  return { c, s, r };
}

const secrets = [server.secretKey, client.secretKey, z85Decode(server.secretKey).toString("hex"), z85Decode(client.secretKey).toString("hex")];
function expectNoSecret(message: string | undefined): void {
  for (const secret of secrets) expect(message ?? "").not.toContain(secret);
}

describe("CURVE mechanism in memory", () => {
  it("completes the handshake with libzmq's command sizes and nonce numbering", () => {
    const { c, s, r } = handshaken();
    expect(c.asServer).toBe(false);
    expect(s.asServer).toBe(true);
    const [hello, welcome, initiate, ready] = r.wire;
    expect(hello!.from).toBe("client");
    expect(hello!.body).toHaveLength(HELLO_SIZE);
    expect(hello!.body.subarray(0, 8)).toEqual(Buffer.from("\x05HELLO\x01\x00", "latin1"));
    expect(hello!.body.subarray(8, 80)).toEqual(Buffer.alloc(72));
    expect(hello!.body.readBigUInt64BE(112)).toBe(1n); // client short nonce 1
    expect(welcome!.body).toHaveLength(WELCOME_SIZE);
    expect(welcome!.body.subarray(0, 8)).toEqual(Buffer.from("\x07WELCOME", "latin1"));
    expect(initiate!.body.subarray(0, 9)).toEqual(Buffer.from("\x08INITIATE", "latin1"));
    // 9 + cookie 96 + nonce 8 + box(C 32 + vouch 96 + metadata) + tag 16
    const metadataLength = 1 + 11 + 4 + 6 + 1 + 8 + 4 + 2;
    expect(initiate!.body).toHaveLength(113 + 16 + 128 + metadataLength);
    expect(initiate!.body.readBigUInt64BE(105)).toBe(2n);
    expect(ready!.body.subarray(0, 6)).toEqual(Buffer.from("\x05READY", "latin1"));
    expect(ready!.body.readBigUInt64BE(6)).toBe(1n); // server short nonce 1
    expect(ready!.body).toHaveLength(14 + 16 + 1 + 11 + 4 + 6);
    expect(s.peerProperties.get("socket-type")).toEqual(Buffer.from("DEALER"));
    expect(s.peerProperties.get("identity")).toEqual(Buffer.from("c1"));
    expect(c.peerProperties.get("socket-type")).toEqual(Buffer.from("ROUTER"));
    // MESSAGE nonces continue each side's counter: client from 3, server from 2.
    expect(c.encode(0, Buffer.from("x")).readBigUInt64BE(8)).toBe(3n);
    expect(s.encode(0, Buffer.from("y")).readBigUInt64BE(8)).toBe(2n);
  });

  it("carries frames both ways with MORE and COMMAND flags", () => {
    const { c, s } = handshaken();
    const m1 = c.encode(CURVE_FLAG_MORE, Buffer.from("part1"));
    const m2 = c.encode(0, Buffer.alloc(0));
    expect(m2).toHaveLength(33);
    expect(s.decode(m1)).toEqual({ flags: CURVE_FLAG_MORE, body: Buffer.from("part1") });
    expect(s.decode(m2)).toEqual({ flags: 0, body: Buffer.alloc(0) });
    const ping = encodePing(10, Buffer.from("ctx"));
    expect(c.decode(s.encode(CURVE_FLAG_COMMAND, ping))).toEqual({ flags: CURVE_FLAG_COMMAND, body: ping });
    const big = Buffer.alloc(1 << 20, 0xab);
    const out = c.decode(s.encode(CURVE_FLAG_MORE | CURVE_FLAG_COMMAND, big));
    expect(out.flags).toBe(CURVE_FLAG_MORE | CURVE_FLAG_COMMAND);
    expect(out.body.equals(big)).toBe(true); // (toEqual on 1 MiB is needlessly slow)
  });

  it("round-trips every MORE/COMMAND combination and drops other bits", () => {
    // The flags byte inside the box is MORE 0x01, COMMAND 0x02; the interop tests below show
    // libzmq reading and writing it (PING/PONG inside MESSAGE).
    const { c, s } = handshaken();
    for (const flags of [0, CURVE_FLAG_MORE, CURVE_FLAG_COMMAND, CURVE_FLAG_MORE | CURVE_FLAG_COMMAND]) {
      expect(s.decode(c.encode(flags | 0xf0, Buffer.from("z"))).flags).toBe(flags);
    }
  });

  it("refuses a tampered MESSAGE", () => {
    const { c, s } = handshaken();
    const m = c.encode(0, Buffer.from("secret payload"));
    for (const at of [16, 20, m.length - 1]) {
      const bad = Buffer.from(m);
      bad[at]! ^= 0x01;
      expect(() => s.decode(bad)).toThrow(expect.objectContaining({ code: "CURVE_DECRYPT_FAILED" }));
    }
    // The good one still opens: a failed decode does not consume the nonce.
    expect(s.decode(m).body.toString()).toBe("secret payload");
  });

  it("refuses a forged nonce (the nonce is bound into the box)", () => {
    const { c, s } = handshaken();
    const m = Buffer.from(c.encode(0, Buffer.from("x")));
    m.writeBigUInt64BE(1000n, 8);
    expect(() => s.decode(m)).toThrow(expect.objectContaining({ code: "CURVE_DECRYPT_FAILED" }));
  });

  it("refuses a replayed MESSAGE", () => {
    const { c, s } = handshaken();
    const m = c.encode(0, Buffer.from("once"));
    expect(s.decode(m).body.toString()).toBe("once");
    expect(() => s.decode(m)).toThrow(expect.objectContaining({ code: "CURVE_BAD_NONCE" }));
  });

  it("refuses reordered MESSAGEs", () => {
    const { c, s } = handshaken();
    const m1 = c.encode(0, Buffer.from("1"));
    const m2 = c.encode(0, Buffer.from("2"));
    expect(s.decode(m2).body.toString()).toBe("2");
    expect(() => s.decode(m1)).toThrow(expect.objectContaining({ code: "CURVE_BAD_NONCE" }));
  });

  it("accepts gaps in the nonce sequence (libzmq only requires an increase)", () => {
    const { c, s } = handshaken();
    c.encode(0, Buffer.from("lost"));
    expect(s.decode(c.encode(0, Buffer.from("next"))).body.toString()).toBe("next");
  });

  it("refuses a MESSAGE reflected back to its sender (the nonce prefix differs by direction)", () => {
    const { c } = handshaken();
    const m = c.encode(0, Buffer.from("x"));
    expect(() => c.decode(m)).toThrow(expect.objectContaining({ code: "CURVE_DECRYPT_FAILED" }));
  });

  it("refuses short and foreign commands in the data phase", () => {
    const { c, s } = handshaken();
    const m = c.encode(0, Buffer.from("x"));
    expect(() => s.decode(m.subarray(0, 32))).toThrow(expect.objectContaining({ code: "CURVE_MALFORMED_MESSAGE" }));
    expect(() => s.decode(encodeCommand("PING", Buffer.alloc(2)))).toThrow(expect.objectContaining({ code: "CURVE_UNEXPECTED_COMMAND" }));
  });

  it("refuses encode/decode before the handshake", () => {
    const { c } = pair();
    expect(() => c.encode(0, Buffer.from("x"))).toThrow(expect.objectContaining({ code: "EFSM" }));
  });

  it("a client with the wrong server key is refused at HELLO, without an ERROR", () => {
    const other = curveKeyPair();
    const { c, s } = pair({ serverKey: other.publicKey });
    const r = drive(c, s);
    expect(r.server.error).toMatchObject({ kind: "protocol", code: "CURVE_DECRYPT_FAILED" });
    expect(r.wire).toHaveLength(1);
    expectNoSecret(r.server.error?.message);
  });

  it("a client whose public key does not match its secret key fails the vouch", () => {
    const { c, s } = pair({ clientPublic: curveKeyPair().publicKey });
    const r = drive(c, s);
    expect(r.server.error).toMatchObject({ kind: "protocol", code: "CURVE_DECRYPT_FAILED" });
    expect(r.server.error?.message).toMatch(/vouch/);
    expect(r.client.ready).toBe(false);
  });

  it("refuses tampered handshake commands", () => {
    const cases: Array<[number, number, "client" | "server", string]> = [
      [0, 130, "server", "CURVE_DECRYPT_FAILED"], // HELLO signature box
      [0, 6, "server", "ZMTP_MALFORMED_COMMAND_HELLO"], // HELLO version
      [1, 40, "client", "CURVE_DECRYPT_FAILED"], // WELCOME box
      [2, 30, "server", "CURVE_DECRYPT_FAILED"], // INITIATE cookie
      [2, 108, "server", "CURVE_DECRYPT_FAILED"], // INITIATE nonce (box then fails)
      [2, 200, "server", "CURVE_DECRYPT_FAILED"], // INITIATE box
      [3, 20, "client", "CURVE_DECRYPT_FAILED"], // READY box
    ];
    for (const [index, at, side, code] of cases) {
      const { c, s } = pair();
      const r = drive(c, s, undefined, (_from, body, i) => {
        if (i !== index) return body;
        const b = Buffer.from(body);
        b[at]! ^= 0x20;
        return b;
      });
      expect(r[side].error, `command ${index} byte ${at}`).toMatchObject({ kind: "protocol", code });
      expect(r.client.ready && r.server.ready).toBe(false);
      expectNoSecret(r[side].error?.message);
    }
  });

  it("refuses an INITIATE that does not advance the client nonce", () => {
    const { c, s } = pair();
    const r = drive(c, s, undefined, (_from, body, i) => {
      if (i !== 2) return body;
      const b = Buffer.from(body);
      b.writeBigUInt64BE(1n, 105);
      return b;
    });
    expect(r.server.error).toMatchObject({ code: "CURVE_BAD_NONCE" });
  });

  it("refuses out-of-order and truncated handshake commands", () => {
    const { c, s } = pair();
    s.start();
    expect(s.onCommand(encodeCommand("INITIATE", Buffer.alloc(300))).error).toMatchObject({ code: "ZMTP_UNEXPECTED_COMMAND" });
    const hello = c.start().send[0]!;
    const s2 = new CurveServer(context("PULL"), { secretKey: server.secretKey });
    expect(s2.onCommand(hello.subarray(0, 199)).error).toMatchObject({ code: "ZMTP_MALFORMED_COMMAND_HELLO" });
    const { c: c3 } = pair();
    c3.start();
    expect(c3.onCommand(encodeCommand("READY", Buffer.alloc(40))).error).toMatchObject({ code: "ZMTP_UNEXPECTED_COMMAND" });
    expect(c3.onCommand(encodeCommand("WELCOME", Buffer.alloc(100))).error).toBeDefined();
  });

  it("asks ZAP with the client's long-term public key and keeps its answer", () => {
    const { c, s } = pair({ zap: true });
    const seen: ZapRequest[] = [];
    const r = drive(c, s, (req) => {
      seen.push(req);
      return zapReply(200, "client-1", new Map([["x-tier", Buffer.from("gold")]]));
    });
    expect(r.client.ready && r.server.ready).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ domain: "dom", address: "127.0.0.1", mechanism: "CURVE" });
    expect(seen[0]!.credentials).toEqual([z85Decode(client.publicKey)]);
    expect(s.userId).toBe("client-1");
    expect(s.zapProperties.get("x-tier")).toEqual(Buffer.from("gold"));
  });

  it("ZAP 400: server sends ERROR 400 and both sides fail with kind auth, status 400", () => {
    const { c, s } = pair({ zap: true });
    const r = drive(c, s, () => zapReply(400));
    expect(r.wire.at(-1)!.body).toEqual(encodeError("400"));
    expect(r.server.error).toMatchObject({ kind: "auth", status: 400 });
    expect(r.client.error).toMatchObject({ kind: "auth", status: 400 });
    expect(() => s.encode(0, Buffer.from("x"))).toThrow(expect.objectContaining({ code: "EFSM" }));
  });

  it("ZAP 300 closes without ERROR", () => {
    const { c, s } = pair({ zap: true });
    const r = drive(c, s, () => zapReply(300));
    expect(r.wire).toHaveLength(3);
    expect(r.server.error).toMatchObject({ kind: "auth", status: 300 });
  });

  it("a client reads libzmq's malformed ERROR form as well as the correct one", () => {
    for (const body of [encodeError("500"), Buffer.from("5e52524f5203353030", "hex")]) {
      const { c } = pair();
      c.start();
      expect(c.onCommand(body).error).toMatchObject({ kind: "auth", status: 500 });
    }
  });

  it("never puts a secret key in an error message", () => {
    const messages: Array<string | undefined> = [];
    const { c, s } = handshaken();
    for (const bad of [Buffer.alloc(40), c.encode(0, Buffer.from("x")).fill(1, 20)]) {
      try {
        s.decode(bad);
      } catch (err) {
        messages.push((err as Error).message);
      }
    }
    expect(messages).toHaveLength(2);
    for (const m of messages) expectNoSecret(m);
    expect(() => new CurveClient(context("PUSH"), { serverKey: "~".repeat(40), secretKey: client.secretKey })).toThrow(/server key/);
    try {
      new CurveServer(context("PULL"), { secretKey: client.secretKey.slice(0, 39) + " " });
    } catch (err) {
      expectNoSecret((err as Error).message);
      expect((err as Error).message).toMatch(/secret key/);
    }
  });
});

function portOf(socket: { lastEndpoint: string | null }): number {
  return Number(socket.lastEndpoint!.split(":").pop());
}

describe("CURVE interop with libzmq (zeromq package)", () => {
  it("a libzmq CURVE client talks to our CURVE server; its MESSAGEs decrypt", async () => {
    const listener = await listen();
    const push = new zmq.Push({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey });
    push.connect(`tcp://127.0.0.1:${listener.port}`);
    const ours = new CurveServer(context("PULL"), { secretKey: server.secretKey });
    const peer = runRawPeer(await listener.accept(), ours);
    expect(await peer.greeting).toMatchObject({ mechanism: "CURVE", minor: 1 });
    await peer.ready;
    expect(ours.peerProperties.get("socket-type")).toEqual(Buffer.from("PUSH"));
    // libzmq's HELLO was exactly 200 bytes.
    expect(peer.handshakeCommands[0]).toHaveLength(200);
    await push.send(["hello", "world"]);
    await push.send(Buffer.alloc(70_000, 7));
    await push.send("");
    expect((await peer.nextMessage()).map(String)).toEqual(["hello", "world"]);
    expect((await peer.nextMessage())[0]!.equals(Buffer.alloc(70_000, 7))).toBe(true);
    expect(await peer.nextMessage()).toEqual([Buffer.alloc(0)]);
    // libzmq sends each MESSAGE as a plain data frame: no COMMAND bit and no MORE bit on the
    // wire (MORE travels inside the box). (The decoder has already dropped LONG.)
    expect(peer.dataFrameFlags).toEqual([0, 0, 0, 0]);
    push.close();
    await peer.closed;
    await listener.close();
  });

  it("libzmq's heartbeat PING arrives as a boxed command with the COMMAND flag", async () => {
    const listener = await listen();
    const push = new zmq.Push({
      curveServerKey: server.publicKey,
      curvePublicKey: client.publicKey,
      curveSecretKey: client.secretKey,
      heartbeatInterval: 20,
    });
    push.connect(`tcp://127.0.0.1:${listener.port}`);
    const peer = runRawPeer(await listener.accept(), new CurveServer(context("PULL"), { secretKey: server.secretKey }));
    await peer.ready;
    const ping = await peer.nextCommand();
    expect(ping.subarray(0, 5)).toEqual(Buffer.from("\x04PING", "latin1"));
    push.close();
    await peer.closed;
    await listener.close();
  });

  it("our CURVE client talks to a libzmq CURVE server (Pull, no ZAP handler)", async () => {
    const pull = new zmq.Pull({ curveServer: true, curveSecretKey: server.secretKey });
    await pull.bind("tcp://127.0.0.1:*");
    const ours = new CurveClient(context("PUSH"), { serverKey: server.publicKey, publicKey: client.publicKey, secretKey: client.secretKey });
    const peer = runRawPeer(await dial(portOf(pull)), ours);
    // libzmq leaves the as-server byte 0 even as a CURVE server.
    expect(await peer.greeting).toMatchObject({ mechanism: "CURVE", asServer: false });
    await peer.ready;
    expect(ours.peerProperties.get("socket-type")).toEqual(Buffer.from("PULL"));
    peer.send([Buffer.from("a"), Buffer.from("b")]);
    peer.send([Buffer.alloc(100_000, 3)]);
    expect((await receiveFrom(pull)).map(String)).toEqual(["a", "b"]);
    expect((await receiveFrom(pull))[0]!.equals(Buffer.alloc(100_000, 3))).toBe(true);
    // A ZMTP command inside the box: libzmq answers our PING with a boxed PONG.
    peer.socket.write(encodeFrame(0, ours.encode(CURVE_FLAG_COMMAND, encodePing(0, Buffer.from("ctx")))));
    expect(await peer.nextCommand()).toEqual(encodeCommand("PONG", Buffer.from("ctx")));
    peer.socket.destroy();
    pull.close();
  });

  it("MESSAGE frames must carry frame flags 0: libzmq ORs wire flags into the decoded frame", async () => {
    // libzmq 4.3.5 (libsodium build) keeps the wire frame's flags on the decoded message: a
    // MESSAGE sent in a COMMAND frame is taken for a ZMTP command and dropped, and one sent
    // with MORE on the wire joins the next message. So an engine sends every MESSAGE as a
    // data frame with no flags (as libzmq does) and keeps MORE/COMMAND inside the box.
    const pull = new zmq.Pull({ curveServer: true, curveSecretKey: server.secretKey });
    await pull.bind("tcp://127.0.0.1:*");
    const ours = new CurveClient(context("PUSH"), { serverKey: server.publicKey, secretKey: client.secretKey });
    const peer = runRawPeer(await dial(portOf(pull)), ours);
    await peer.ready;
    peer.socket.write(encodeFrame(FLAG_COMMAND, ours.encode(0, Buffer.from("dropped"))));
    peer.socket.write(encodeFrame(0, ours.encode(0, Buffer.from("m1"))));
    peer.socket.write(encodeFrame(FLAG_MORE, ours.encode(0, Buffer.from("m2"))));
    peer.socket.write(encodeFrame(0, ours.encode(0, Buffer.from("m3"))));
    expect((await receiveFrom(pull)).map(String)).toEqual(["m1"]);
    expect((await receiveFrom(pull)).map(String)).toEqual(["m2", "m3"]);
    peer.socket.destroy();
    pull.close();
  });

  it("libzmq sends to our CURVE client (server-side nonces from 2, multipart, large)", async () => {
    const pushServer = new zmq.Push({ curveServer: true, curveSecretKey: server.secretKey });
    await pushServer.bind("tcp://127.0.0.1:*");
    const peer = runRawPeer(
      await dial(portOf(pushServer)),
      new CurveClient(context("PULL"), { serverKey: server.publicKey, secretKey: client.secretKey }),
    );
    await peer.ready;
    await pushServer.send(["x", "y", "z"]);
    await pushServer.send(Buffer.alloc(300_000, 9));
    expect((await peer.nextMessage()).map(String)).toEqual(["x", "y", "z"]);
    expect((await peer.nextMessage())[0]!.equals(Buffer.alloc(300_000, 9))).toBe(true);
    peer.socket.destroy();
    pushServer.close();
  });

  it("a libzmq CURVE server drops our client that has the wrong server key", async () => {
    const pull = new zmq.Pull({ curveServer: true, curveSecretKey: server.secretKey });
    const event = new Promise<string>((resolve) =>
      pull.events.on("handshake:error:protocol", (ev) => resolve(String((ev.error as { code?: string }).code))),
    );
    await pull.bind("tcp://127.0.0.1:*");
    const wrong = curveKeyPair();
    const peer = runRawPeer(await dial(portOf(pull)), new CurveClient(context("PUSH"), { serverKey: wrong.publicKey, secretKey: client.secretKey }));
    expect(await peer.failed).toBeNull(); // closed, no WELCOME, no ERROR
    expect(peer.handshakeCommands).toEqual([]);
    expect(await event).toBe("ERR_ZMTP_CRYPTOGRAPHIC");
    pull.close();
  });

  it("our CURVE server drops a libzmq client that has the wrong server key", async () => {
    const listener = await listen();
    const wrong = curveKeyPair();
    const push = new zmq.Push({ curveServerKey: wrong.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey });
    push.connect(`tcp://127.0.0.1:${listener.port}`);
    const peer = runRawPeer(await listener.accept(), new CurveServer(context("PULL"), { secretKey: server.secretKey }));
    expect(await peer.failed).toMatchObject({ kind: "protocol", code: "CURVE_DECRYPT_FAILED" });
    push.close();
    await listener.close();
  });

  it("our CURVE server refusing with ZAP 400 makes a libzmq client report handshake:error:auth 400", async () => {
    const listener = await listen();
    const push = new zmq.Push({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey });
    const event = new Promise<string>((resolve) => {
      push.events.on("handshake:error:auth", (ev) => resolve(`auth ${(ev.error as { status?: number }).status}`));
      push.events.on("handshake:error:protocol", (ev) => resolve(`protocol ${(ev.error as { code?: string }).code}`));
    });
    push.connect(`tcp://127.0.0.1:${listener.port}`);
    const seen: Buffer[][] = [];
    const peer = runRawPeer(await listener.accept(), new CurveServer(context("PULL", { zapEnabled: true }), { secretKey: server.secretKey }), (req) => {
      seen.push(req.credentials);
      return zapReply(400);
    });
    expect(await peer.failed).toMatchObject({ kind: "auth", status: 400 });
    expect(seen).toEqual([[z85Decode(client.publicKey)]]);
    expect(await event).toBe("auth 400");
    push.close();
    await listener.close();
  });

  describe("with a libzmq ZAP handler", () => {
    let zap: zmq.Router;
    const requests: Buffer[][] = [];
    let verdict = "200";

    beforeAll(async () => {
      zap = new zmq.Router();
      await zap.bind("inproc://zeromq.zap.01");
      void (async () => {
        for await (const [id, delimiter, ...request] of zap) {
          requests.push(request);
          await zap.send([id!, delimiter!, Buffer.from("1.0"), request[1]!, verdict, "", verdict === "200" ? "joe" : "", Buffer.alloc(0)]);
        }
      })().catch(() => undefined);
    });

    afterAll(() => {
      zap.close();
    });

    it("libzmq's CURVE server asks ZAP with our 32-byte long-term public key", async () => {
      verdict = "200";
      requests.length = 0;
      const pull = new zmq.Pull({ curveServer: true, curveSecretKey: server.secretKey });
      await pull.bind("tcp://127.0.0.1:*");
      const peer = runRawPeer(
        await dial(portOf(pull)),
        new CurveClient(context("PUSH"), { serverKey: server.publicKey, secretKey: client.secretKey }),
      );
      await peer.ready;
      peer.send([Buffer.from("after zap")]);
      expect((await receiveFrom(pull)).map(String)).toEqual(["after zap"]);
      expect(requests).toHaveLength(1);
      expect(requests[0]!.slice(0, 1).map(String)).toEqual(["1.0"]);
      expect(requests[0]![5]!.toString()).toBe("CURVE");
      expect(requests[0]![6]).toEqual(z85Decode(client.publicKey));
      peer.socket.destroy();
      pull.close();
    });

    it("libzmq's CURVE server denying via ZAP: our client fails with auth/400", async () => {
      verdict = "400";
      const pull = new zmq.Pull({ curveServer: true, curveSecretKey: server.secretKey });
      await pull.bind("tcp://127.0.0.1:*");
      const peer = runRawPeer(
        await dial(portOf(pull)),
        new CurveClient(context("PUSH"), { serverKey: server.publicKey, secretKey: client.secretKey }),
      );
      expect(await peer.failed).toMatchObject({ kind: "auth", status: 400 });
      // WELCOME, then a correct ERROR: unlike its PLAIN server, libzmq's CURVE server spells it right.
      expect(peer.handshakeCommands).toHaveLength(2);
      expect(peer.handshakeCommands[0]!.toString("latin1", 0, 8)).toBe("\x07WELCOME");
      expect(peer.handshakeCommands[1]).toEqual(encodeError("400"));
      peer.socket.destroy();
      pull.close();
      verdict = "200";
    });
  });
});
