/**
 * The main entry is zeromq's: the same runtime names, and types as strict as zeromq's. The
 * type half is checked by `npm run typecheck` (tsconfig.test.json includes this file): each
 * `@ts-expect-error` line must fail to compile, or the type check fails.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import * as wiremq from "../../lib/index.js";
import type { Event, EventOfType, EventType, Message, MessageLike, Readable, SocketOptions, Writable } from "../../lib/index.js";

const require = createRequire(import.meta.url);

describe("the main entry", () => {
  it("exports the names zeromq exports, and nothing else at run time", () => {
    const zeromq = require("zeromq") as Record<string, unknown>;
    const ours = Object.keys(wiremq).sort();
    expect(ours).toEqual(Object.keys(zeromq).sort());
    for (const name of ours) expect([name, typeof (wiremq as Record<string, unknown>)[name]]).toEqual([name, typeof zeromq[name]]);
  });
});

// Never called: these lines are for the compiler.
export async function typeChecks(): Promise<void> {
  const push = new wiremq.Push();
  const pull = new wiremq.Pull();
  const sub = new wiremq.Subscriber();
  const pub = new wiremq.Publisher();
  const stream = new wiremq.Stream();

  void push.send(["a", 1, null, new Uint8Array(2), Buffer.alloc(1), new ArrayBuffer(1)]);
  // @ts-expect-error a PUSH cannot receive
  void push.receive();
  // @ts-expect-error nor iterate over messages
  for await (const message of push) void message;
  // @ts-expect-error a PULL cannot send
  void pull.send("x");
  // @ts-expect-error a SUB cannot send (XSUB can)
  void sub.send("x");
  void new wiremq.XSubscriber().send([Buffer.from([1])]);
  // @ts-expect-error a PUB cannot receive (XPUB can)
  void pub.receive();
  void new wiremq.XPublisher().receive();
  // @ts-expect-error a STREAM message is [routing id, data]
  void stream.send(["a", "b", "c"]);
  void stream.send(["id", "data"]);

  const received: Promise<Message[]> = pull.receive();
  const pair: Promise<[Message, Message]> = stream.receive();
  void received;
  void pair;

  const writable: Writable = push;
  const readable: Readable = pull;
  writable.sendHighWaterMark = 10;
  readable.receiveTimeout = 100;
  // @ts-expect-error a PULL is not Writable
  const notWritable: Writable = pull;
  void notWritable;

  const options: SocketOptions<wiremq.Dealer> = { routingId: "a", sendHighWaterMark: 5, context: wiremq.context };
  // @ts-expect-error read-only options are not constructor options
  const readOnly: SocketOptions<wiremq.Dealer> = { type: 5 };
  // @ts-expect-error unknown options neither
  const unknown: SocketOptions<wiremq.Dealer> = { sendHighWatermark: 5 };
  void new wiremq.Dealer(options);
  void readOnly;
  void unknown;

  push.events.on("connect:retry", (e) => {
    const interval: number = e.interval;
    const address: string = e.address;
    void interval;
    void address;
  });
  push.events.on("handshake:error:auth", (e) => {
    const status: 300 | 400 | 500 = e.error.status;
    void status;
  });
  // @ts-expect-error no such event
  push.events.on("connected", () => {});
  // @ts-expect-error an end event has no address
  push.events.on("end", (e) => e.address);
  const retry: EventOfType<"connect:retry"> = { type: "connect:retry", address: "tcp://a:1", interval: 100 };
  const name: EventType = retry.type;
  const any: Event = retry;
  void name;
  void any;
  const part: MessageLike = 42;
  void part;
  void push.events.receive().then((e: Event) => e.type);
}
