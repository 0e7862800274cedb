import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wq from "../../lib/index.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

/** A libzmq ZAP handler that accepts everyone (libzmq PLAIN servers refuse all without one). */
async function libzmqZapAllowAll(): Promise<zmq.Router> {
  const zap = track(new zmq.Router());
  await zap.bind("inproc://zeromq.zap.01");
  void (async () => {
    try {
      for await (const [id, delim, version, reqId] of zap) {
        await zap.send([id!, delim!, version!, reqId!, "200", "OK", "user", ""]);
      }
    } catch {
      // closed
    }
  })();
  return zap;
}

describe("CURVE with libzmq", () => {
  it("wiremq CURVE server (PULL binds) ← zeromq CURVE client (PUSH)", async () => {
    const server = wq.curveKeyPair();
    const client = zmq.curveKeyPair();
    const pull = track(new wq.Pull({ curveServer: true, curveSecretKey: server.secretKey }));
    await pull.bind("tcp://127.0.0.1:*");
    const push = track(new zmq.Push({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey }));
    push.connect(pull.lastEndpoint!);
    await push.send(["secret", Buffer.alloc(70000, 7)]);
    const [a, b] = await pull.receive();
    expect(String(a)).toBe("secret");
    expect(b!.equals(Buffer.alloc(70000, 7))).toBe(true);
  });

  it("zeromq CURVE server (PULL binds) ← wiremq CURVE client (PUSH)", async () => {
    const server = zmq.curveKeyPair();
    const client = wq.curveKeyPair();
    const pull = track(new zmq.Pull({ curveServer: true, curveSecretKey: server.secretKey }));
    await pull.bind("tcp://127.0.0.1:*");
    const push = track(new wq.Push({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey }));
    push.connect(pull.lastEndpoint!);
    await push.send(["one", "two"]);
    await push.send("three");
    expect((await pull.receive()).map(String)).toEqual(["one", "two"]);
    expect((await pull.receive()).map(String)).toEqual(["three"]);
  });

  it("a wrong server key never gets a message through", async () => {
    const server = wq.curveKeyPair();
    const other = wq.curveKeyPair();
    const client = wq.curveKeyPair();
    const pull = track(new zmq.Pull({ curveServer: true, curveSecretKey: server.secretKey, receiveTimeout: 300 }));
    await pull.bind("tcp://127.0.0.1:*");
    const push = track(new wq.Push({ curveServerKey: other.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey }));
    const failed = new Promise((r) => push.events.on("disconnect", r));
    push.connect(pull.lastEndpoint!);
    await push.send("x");
    await failed;
    await expect(pull.receive()).rejects.toMatchObject({ code: "EAGAIN" });
  });
});

describe("PLAIN with libzmq", () => {
  it("wiremq PLAIN client → zeromq PLAIN server with a ZAP handler", async () => {
    await libzmqZapAllowAll();
    const pull = track(new zmq.Pull({ plainServer: true }));
    await pull.bind("tcp://127.0.0.1:*");
    const push = track(new wq.Push({ plainUsername: "admin", plainPassword: "secret" }));
    push.connect(pull.lastEndpoint!);
    await push.send("hello");
    expect((await pull.receive()).map(String)).toEqual(["hello"]);
  });
});
