/**
 * A consumer slower than `ackTimeout` that then asks again: its message went back to the
 * queue at the timeout, so it is delivered twice (at least once), and nothing is lost; the
 * late request acknowledges nothing (the device took the consumer for gone).
 */
import { afterEach, describe, expect, it } from "vitest";
import { Push, Request } from "../../lib/index.js";
import { BufferingDevice } from "../../lib/devices/index.js";
import { tracker } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

async function take(consumer: Request): Promise<string> {
  await consumer.send("ready");
  return (await consumer.receive()).map(String).join("|");
}

async function done(consumer: Request): Promise<void> {
  await consumer.send("DONE");
  expect(await consumer.receive()).toEqual([Buffer.alloc(0)]);
}

describe("BufferingDevice: a consumer asks again after its ack timeout", () => {
  it("another consumer got its message meanwhile: that message twice, none lost", async () => {
    const device = new BufferingDevice({ ackTimeout: 150 });
    await device.frontEnd.bind("inproc://buffer-reask-front");
    await device.backEnd.bind("inproc://buffer-reask-back");
    const running = device.run();
    const producer = track(new Push());
    producer.connect("inproc://buffer-reask-front");
    const slow = track(new Request());
    const fast = track(new Request());
    slow.connect("inproc://buffer-reask-back");
    fast.connect("inproc://buffer-reask-back");
    await producer.send("m0");
    const got: string[] = [await take(slow)];
    // fast waits on an empty queue until m0's acknowledgement is overdue and m0 comes back.
    got.push(await take(fast));
    await producer.send("m1");
    got.push(await take(slow));
    await done(fast);
    await done(slow);
    expect(got).toEqual(["m0", "m0", "m1"]);
    expect(device.state).toMatchObject({ redelivered: 1, acknowledged: 2, outstanding: 0, memoryMessages: 0, diskMessages: 0 });
    device.terminate();
    await running;
  });

  it("nobody else asked: the same consumer gets its message again, then the rest in order", async () => {
    const device = new BufferingDevice({ ackTimeout: 100 });
    await device.frontEnd.bind("inproc://buffer-reask2-front");
    await device.backEnd.bind("inproc://buffer-reask2-back");
    const running = device.run();
    const producer = track(new Push());
    producer.connect("inproc://buffer-reask2-front");
    const slow = track(new Request());
    slow.connect("inproc://buffer-reask2-back");
    await producer.send("m0");
    const got: string[] = [await take(slow)];
    // Its acknowledgement overdue: m0 is back at the front (the device counts a redelivery).
    await new Promise<void>((resolve) => {
      const check = (): void => void (device.state.redelivered === 1 ? resolve() : setTimeout(check, 5));
      check();
    });
    await producer.send("m1");
    got.push(await take(slow), await take(slow));
    await done(slow);
    expect(got).toEqual(["m0", "m0", "m1"]);
    expect(device.state).toMatchObject({ redelivered: 1, acknowledged: 2, outstanding: 0, memoryMessages: 0, diskMessages: 0 });
    device.terminate();
    await running;
  });
});
