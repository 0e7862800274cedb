/** The patterns' own building blocks: the serial sender, the deque, the filter's wire order. */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Pull, Push, XPublisher } from "../../lib/index.js";
import { json, TopicSubscriber } from "../../patterns/index.js";
import { channelSubscription } from "../../patterns/pubsub/filter-wire.js";
import { Deque } from "../../patterns/internal/deque.js";
import { SerialSender } from "../../patterns/internal/serial-sender.js";
import { tracker } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

describe("SerialSender", () => {
  it("queues concurrent sends in order where the socket alone would refuse the second with EBUSY", async () => {
    const address = `inproc://patterns-serial-${randomBytes(6).toString("hex")}`;
    // High-water marks of 1 make the socket wait often: inproc holds at most 2 in flight.
    const push = track(new Push({ sendHighWaterMark: 1 }));
    await push.bind(address);
    const sender = new SerialSender(push);
    const sends = Array.from({ length: 20 }, (_, i) => sender.send([Buffer.from(`m${i}`)]));
    // A bound PUSH with no peer waits on its first send; the socket itself refuses another.
    expect(() => push.send("direct")).toThrow(expect.objectContaining({ code: "EBUSY" }));
    const pull = track(new Pull({ receiveHighWaterMark: 1 }));
    pull.connect(address);
    const got: string[] = [];
    for (let i = 0; i < 20; i++) got.push(String((await pull.receive())[0]));
    await Promise.all(sends);
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });

  it("rejects the queued sends when the socket closes, and later sends get the socket's EBADF", async () => {
    const push = track(new Push());
    await push.bind(`inproc://patterns-serial-${randomBytes(6).toString("hex")}`);
    const sender = new SerialSender(push);
    const sends = [sender.send([Buffer.from("a")]), sender.send([Buffer.from("b")])];
    await push.close();
    for (const s of sends) await expect(s).rejects.toMatchObject({ code: expect.any(String) });
    await expect(sender.send([Buffer.from("c")])).rejects.toMatchObject({ code: "EBADF" });
  });
});

describe("Deque", () => {
  it("pushes and shifts in order across growth, with items put back at the front", () => {
    const d = new Deque<number>();
    for (let i = 0; i < 40; i++) d.push(i);
    for (let i = 0; i < 10; i++) expect(d.shift()).toBe(i);
    d.unshift(-1);
    d.unshift(-2);
    for (let i = 40; i < 100; i++) d.push(i);
    const out: number[] = [];
    for (let x = d.shift(); x !== undefined; x = d.shift()) out.push(x);
    expect(out).toEqual([-2, -1, ...Array.from({ length: 90 }, (_, i) => i + 10)]);
    expect(d.length).toBe(0);
    expect(d.shift()).toBeUndefined();
  });

  it("retain keeps the accepted items in order", () => {
    const d = new Deque<number>();
    for (let i = 0; i < 10; i++) d.push(i);
    d.retain((x) => x % 3 !== 0);
    const out: number[] = [];
    for (let x = d.shift(); x !== undefined; x = d.shift()) out.push(x);
    expect(out).toEqual([1, 2, 4, 5, 7, 8]);
  });
});

describe("TopicSubscriber's upstream order", () => {
  it("sends the channel subscription before the filter, and cancels the filter first (the channel at close)", async () => {
    // A publisher sends filtered copies as soon as it reads the filter: any XPUB between must
    // already hold the channel subscription, or it drops them.
    const address = `inproc://patterns-order-${randomBytes(6).toString("hex")}`;
    const xpub = track(new XPublisher({ verbose: true }));
    await xpub.bind(address);
    const sub = track(new TopicSubscriber({ prices: json<{ price: number }>() }));
    sub.connect(address);
    const subscription = sub.subscribe("prices", { where: { field: "price", gte: 1 } });
    // The readiness exchange (ready(), waitForSubscribers) travels as subscriptions of its own.
    const upstream = async (): Promise<Buffer> => {
      for (;;) {
        const frame = (await xpub.receive())[0]!;
        if (!frame.subarray(1).toString("latin1").startsWith("\0wmq-hello:")) return frame;
      }
    };
    const first = await upstream();
    const second = await upstream();
    expect(first.equals(Buffer.concat([Buffer.of(1), channelSubscription(sub.channel)]))).toBe(true);
    expect(second[0]).toBe(1);
    expect(second.subarray(1).toString("latin1")).toContain('"where"');
    subscription.cancel();
    const third = await upstream();
    // The channel stays subscribed while the subscriber is open (the readiness exchange uses
    // it); closing cancels it, after the filter.
    const closing = sub.close();
    const fourth = await upstream();
    await closing;
    expect(third[0]).toBe(0);
    expect(third.subarray(1).toString("latin1")).toContain('"where"');
    expect(fourth.equals(Buffer.concat([Buffer.of(0), channelSubscription(sub.channel)]))).toBe(true);
  });
});
