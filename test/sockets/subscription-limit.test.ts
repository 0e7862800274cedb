/**
 * maxSubscriptions (a wiremq option of PUB and XPUB, off by default as libzmq has none): a
 * subscriber asking for more distinct topics than allowed is disconnected, and the others are
 * served; memory per subscription is measured in the bench, not here.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Publisher, Subscriber, XPublisher } from "../../lib/index.js";
import { tracker, waitEvent } from "../helpers/sockets.js";

zmq.context.blocky = false;
const { track, closeAll } = tracker();
afterEach(closeAll);

/** Publishes `probe` until `sub` receives it. */
async function settle(pub: { send(m: string): Promise<void> }, sub: { receive(): Promise<Buffer[]> }, probe: string): Promise<void> {
  const timer = setInterval(() => void pub.send(probe).catch(() => {}), 20);
  try {
    expect((await sub.receive()).map(String)).toEqual([probe]);
  } finally {
    clearInterval(timer);
  }
}

describe("maxSubscriptions", () => {
  it("is off by default and refuses what is not -1 or a count", () => {
    const pub = track(new Publisher());
    expect(pub.maxSubscriptions).toBe(-1);
    expect(() => (pub.maxSubscriptions = -2)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => (pub.maxSubscriptions = 1.5)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => new XPublisher({ maxSubscriptions: "3" as never })).toThrow(TypeError);
    expect(new XPublisher({ maxSubscriptions: 3 }).maxSubscriptions).toBe(3);
  });

  it("disconnects a libzmq subscriber past the limit and keeps serving one within it", async () => {
    const pub = track(new Publisher({ maxSubscriptions: 3 }));
    await pub.bind("tcp://127.0.0.1:*");
    const within = track(new zmq.Subscriber());
    within.subscribe("a", "b", "probe");
    within.connect(pub.lastEndpoint!);
    await settle(pub, within, "probe");

    const greedy = track(new zmq.Subscriber({ reconnectInterval: 60_000 }));
    const dropped = waitEvent(pub, "disconnect");
    greedy.subscribe("w", "x", "y", "z");
    greedy.connect(pub.lastEndpoint!);
    await dropped;

    await pub.send("a-still");
    expect((await within.receive()).map(String)).toEqual(["a-still"]);
  });

  it("counts distinct topics: repeating one does not use up the limit", async () => {
    const pub = track(new Publisher({ maxSubscriptions: 1 }));
    await pub.bind("inproc://sub-limit-repeat");
    const sub = track(new Subscriber());
    sub.subscribe("t");
    sub.subscribe("t");
    sub.connect("inproc://sub-limit-repeat");
    await settle(pub, sub, "t1");
  });
});
