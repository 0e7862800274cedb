import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wq from "../../lib/index.js";
import { tmpIpc } from "../helpers/endpoints.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

type Lib = "wiremq" | "zeromq";
type Role = "pub" | "xpub" | "sub" | "xsub";
interface AnySocket {
  bind(ep: string): Promise<void>;
  connect(ep: string): void;
  send(m: unknown): Promise<void>;
  receive(): Promise<Buffer[]>;
  close(): unknown;
  lastEndpoint: string | null;
  subscribe?(...t: string[]): void;
}

function make(lib: Lib, role: Role): AnySocket {
  const m = (lib === "wiremq" ? wq : zmq) as unknown as Record<string, new () => AnySocket>;
  const cls = { pub: "Publisher", xpub: "XPublisher", sub: "Subscriber", xsub: "XSubscriber" }[role];
  return track(new m[cls]!());
}

/** Subscribes to "t" the way each receiver type does it. */
async function subscribe(sock: AnySocket, role: Role): Promise<void> {
  if (role === "sub") sock.subscribe!("t");
  else await sock.send(Buffer.from("\x01t"));
}

/** Sends until the receiver sees a "t..." message; an XPUB sender first reads the subscription. */
async function flow(sender: AnySocket, senderRole: Role, receiver: AnySocket): Promise<string[]> {
  // Start receiving first: a libzmq socket attaches a new peer (and a bound SUB sends it its
  // subscriptions) only while the application is using the socket.
  let arrived = false;
  const rx = receiver.receive().then((m) => {
    arrived = true;
    return m;
  });
  if (senderRole === "xpub") {
    const [sub] = await sender.receive();
    expect(sub).toEqual(Buffer.from("\x01t"));
  }
  // Bounded by time, not turns: libzmq may take a while to apply a subscription under load.
  const deadline = Date.now() + 20_000;
  for (let i = 0; !arrived; i++) {
    if (Date.now() > deadline) throw new Error("the subscription never took effect");
    await sender.send(["nope", "x"]);
    await sender.send(["topic", String(i)]);
    await new Promise((r) => setTimeout(r, 1));
  }
  return (await rx).map(String);
}

const pairs: Array<[Role, Role]> = [
  ["pub", "sub"],
  ["pub", "xsub"],
  ["xpub", "sub"],
  ["xpub", "xsub"],
];
const libPairs: Array<[Lib, Lib]> = [
  ["wiremq", "zeromq"],
  ["zeromq", "wiremq"],
  ["wiremq", "wiremq"],
];
const transports = ["tcp", "ipc", "inproc"] as const;

function endpoint(t: (typeof transports)[number]): string {
  if (t === "tcp") return "tcp://127.0.0.1:*";
  if (t === "ipc") return tmpIpc();
  return `inproc://matrix-${Math.random().toString(36).slice(2)}`;
}

describe("publish/subscribe compatibility matrix", () => {
  for (const [sendRole, recvRole] of pairs) {
    for (const [sendLib, recvLib] of libPairs) {
      for (const t of transports) {
        if (t === "inproc" && (sendLib !== "wiremq" || recvLib !== "wiremq")) continue;
        for (const binder of ["sender", "receiver"] as const) {
          it(`${sendLib} ${sendRole} → ${recvLib} ${recvRole} over ${t}, ${binder} binds`, async () => {
            const sender = make(sendLib, sendRole);
            const receiver = make(recvLib, recvRole);
            await subscribe(receiver, recvRole);
            if (binder === "sender") {
              await sender.bind(endpoint(t));
              receiver.connect(sender.lastEndpoint!);
            } else {
              await receiver.bind(endpoint(t));
              sender.connect(receiver.lastEndpoint!);
            }
            const msg = await flow(sender, sendRole, receiver);
            expect(msg[0]).toBe("topic");
          });
        }
      }
    }
  }
});

describe("publisher options", () => {
  it("XPUB welcomeMessage reaches each new subscriber", async () => {
    const xpub = track(new wq.XPublisher({ welcomeMessage: "welcome" }));
    await xpub.bind("tcp://127.0.0.1:*");
    const sub = track(new zmq.Subscriber());
    sub.subscribe("welcome");
    sub.connect(xpub.lastEndpoint!);
    expect((await sub.receive()).map(String)).toEqual(["welcome"]);
  });

  it("XPUB manual mode applies only what the user subscribes", async () => {
    const xpub = track(new wq.XPublisher({ manual: true }));
    await xpub.bind("inproc://manual");
    const sub = track(new wq.Subscriber());
    sub.subscribe();
    sub.connect("inproc://manual");
    expect((await xpub.receive())[0]).toEqual(Buffer.from("\x01"));
    xpub.subscribe("granted");
    await xpub.send(["asked", "1"]);
    await xpub.send(["granted", "2"]);
    expect((await sub.receive()).map(String)).toEqual(["granted", "2"]);
  });

  it("invertMatching sends what does not match", async () => {
    const pub = track(new wq.Publisher({ invertMatching: true }));
    await pub.bind("inproc://invert");
    const sub = track(new wq.Subscriber({ invertMatching: true }));
    sub.subscribe("skip");
    sub.connect("inproc://invert");
    await new Promise((r) => setImmediate(r));
    await pub.send(["skip.me", "1"]);
    await pub.send(["take", "2"]);
    expect((await sub.receive()).map(String)).toEqual(["take", "2"]);
  });

  it("PUB drops for a full subscriber and never blocks; noDrop XPUB waits instead", async () => {
    const pub = track(new wq.Publisher({ sendHighWaterMark: 5 }));
    await pub.bind("inproc://drop");
    const sub = track(new wq.Subscriber({ receiveHighWaterMark: 5 }));
    sub.subscribe();
    sub.connect("inproc://drop");
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 100; i++) await pub.send(String(i));
    const got: string[] = [];
    while (sub.readable) got.push(String((await sub.receive())[0]));
    expect(got.length).toBe(10);
    expect(got).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);

    const xpub = track(new wq.XPublisher({ sendHighWaterMark: 2, noDrop: true, sendTimeout: 0 }));
    await xpub.bind("inproc://nodrop");
    const sub2 = track(new wq.Subscriber({ receiveHighWaterMark: 2 }));
    sub2.subscribe();
    sub2.connect("inproc://nodrop");
    await xpub.receive();
    for (let i = 0; i < 4; i++) await xpub.send(String(i));
    await expect(xpub.send("overflow")).rejects.toMatchObject({ code: "EAGAIN" });
  });

  it("PUB never blocks on a stalled subscriber while a fast one gets everything", async () => {
    const pub = track(new wq.Publisher({ sendHighWaterMark: 10 }));
    await pub.bind("inproc://stalled-and-fast");
    const stalled = track(new wq.Subscriber({ receiveHighWaterMark: 10 }));
    const fast = track(new wq.Subscriber());
    for (const s of [stalled, fast]) {
      s.subscribe();
      s.connect("inproc://stalled-and-fast");
    }
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 500; i++) {
      await pub.send(String(i));
      expect(String((await fast.receive())[0])).toBe(String(i));
    }
    let kept = 0;
    while (stalled.readable) {
      expect(String((await stalled.receive())[0])).toBe(String(kept));
      kept++;
    }
    expect(kept).toBe(20);
  });

  it("conflate keeps only the newest message", async () => {
    const pub = track(new wq.Publisher());
    await pub.bind("inproc://conflate");
    const sub = track(new wq.Subscriber({ conflate: true }));
    sub.subscribe();
    sub.connect("inproc://conflate");
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 10; i++) await pub.send(String(i));
    expect((await sub.receive()).map(String)).toEqual(["9"]);
    expect(sub.readable).toBe(false);
  });
});
