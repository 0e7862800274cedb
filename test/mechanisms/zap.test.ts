import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wq from "../../lib/index.js";
import * as wqs from "../../lib/security.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(async () => {
  wqs.setZapHandler(null);
  await closeAll();
});

function nextEvent<E extends wq.EventType>(sock: { events: wq.EventSubscriber }, type: E): Promise<wq.EventOfType<E>> {
  return new Promise((resolve) => sock.events.on<E>(type, (e) => resolve(e)));
}

describe("ZAP with an in-process handler", () => {
  it("PLAIN: a good password gets in with its User-Id, a wrong one is refused with 400", async () => {
    wqs.setZapHandler(wqs.createAuthenticator({ passwords: { alice: "wonderland" } }));
    const pull = track(new wq.Pull({ plainServer: true }));
    await pull.bind("tcp://127.0.0.1:*");

    const bad = track(new zmq.Push({ plainUsername: "alice", plainPassword: "guess" }));
    const refused = nextEvent(pull, "handshake:error:auth");
    bad.connect(pull.lastEndpoint!);
    const event = await refused;
    expect(event.error?.status).toBe(400);
    expect(JSON.stringify(event)).not.toContain("guess");

    const good = track(new zmq.Push({ plainUsername: "alice", plainPassword: "wonderland" }));
    good.connect(pull.lastEndpoint!);
    await good.send("hello");
    const msg = (await pull.receive()) as wq.MessageWithMeta;
    expect(msg.map(String)).toEqual(["hello"]);
    expect(msg.userId).toBe("alice");
    expect(String(msg.properties?.get("user-id"))).toBe("alice");
    expect(String(msg.properties?.get("socket-type"))).toBe("PUSH");
  });

  it("CURVE: only listed client keys get in; the server keeps serving good clients", async () => {
    const server = wq.curveKeyPair();
    const goodKeys = wq.curveKeyPair();
    const badKeys = wq.curveKeyPair();
    wqs.setZapHandler(wqs.createAuthenticator({ curveKeys: [goodKeys.publicKey] }));
    const pull = track(new wq.Pull({ curveServer: true, curveSecretKey: server.secretKey }));
    await pull.bind("tcp://127.0.0.1:*");
    const refused = nextEvent(pull, "handshake:error:auth");
    const bad = track(new wq.Push({ curveServerKey: server.publicKey, curvePublicKey: badKeys.publicKey, curveSecretKey: badKeys.secretKey }));
    bad.connect(pull.lastEndpoint!);
    await bad.send("from the unknown key");
    expect((await refused).error?.status).toBe(400);
    const good = track(new zmq.Push({ curveServerKey: server.publicKey, curvePublicKey: goodKeys.publicKey, curveSecretKey: goodKeys.secretKey }));
    good.connect(pull.lastEndpoint!);
    await good.send("from the good key");
    const msg = (await pull.receive()) as wq.MessageWithMeta;
    expect(msg.map(String)).toEqual(["from the good key"]);
    expect(msg.userId).toBe(goodKeys.publicKey);
  });

  it("NULL with a zapDomain: the address list decides", async () => {
    wqs.setZapHandler(wqs.createAuthenticator({ deny: ["127.0.0.1"] }));
    const pull = track(new wq.Pull({ zapDomain: "global" }));
    await pull.bind("tcp://127.0.0.1:*");
    const refused = nextEvent(pull, "handshake:error:auth");
    const push = track(new wq.Push());
    push.connect(pull.lastEndpoint!);
    expect((await refused).error?.status).toBe(400);
  });

  it("the handler sees each peer's address (read when asked, not at the accept)", async () => {
    const addresses: string[] = [];
    wqs.setZapHandler((req) => {
      addresses.push(req.address);
      return { status: 200 };
    });
    const pull = track(new wq.Pull({ zapDomain: "global" }));
    await pull.bind("tcp://127.0.0.1:*");
    const admitted = new Promise<void>((resolve) => {
      let n = 0;
      pull.events.on("handshake", () => ++n === 2 && resolve());
    });
    for (let i = 0; i < 2; i++) track(new wq.Push()).connect(pull.lastEndpoint!);
    await admitted;
    expect(addresses).toEqual(["127.0.0.1", "127.0.0.1"]);
  });

  it("a mechanism mismatch is a protocol error on both sides", async () => {
    const pull = track(new wq.Pull({ plainServer: true }));
    await pull.bind("tcp://127.0.0.1:*");
    const server = nextEvent(pull, "handshake:error:protocol");
    const push = track(new wq.Push());
    const client = nextEvent(push, "handshake:error:protocol");
    push.connect(pull.lastEndpoint!);
    await Promise.all([server, client]);
  });
});

describe("ZAP through inproc://zeromq.zap.01", () => {
  it("a libzmq-convention handler (wiremq ROUTER) judges wiremq PLAIN servers", async () => {
    const handler = track(new wq.Router());
    await handler.bind("inproc://zeromq.zap.01");
    const seen: string[] = [];
    void (async () => {
      try {
        for await (const frames of handler) {
          const [id, delim, version, reqId, , , , mechanism, user, pass] = frames;
          seen.push(`${mechanism}:${user}`);
          const ok = String(user) === "bob" && String(pass) === "builder";
          await handler.send([id!, delim!, version!, reqId!, ok ? "200" : "400", ok ? "OK" : "No", ok ? "bob" : "", ""]);
        }
      } catch {
        // closed
      }
    })();
    const pull = track(new wq.Pull({ plainServer: true }));
    await pull.bind("tcp://127.0.0.1:*");
    const push = track(new wq.Push({ plainUsername: "bob", plainPassword: "builder" }));
    push.connect(pull.lastEndpoint!);
    await push.send("can we fix it");
    const msg = (await pull.receive()) as wq.MessageWithMeta;
    expect(msg.userId).toBe("bob");
    expect(seen).toEqual(["PLAIN:bob"]);
  });
});
