import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Push, Reply, Request } from "../../lib/index.js";
import { BufferingDevice, decodeStatistics } from "../../lib/devices/index.js";
import { tracker, within } from "../helpers/sockets.js";

const dir = mkdtempSync(join(tmpdir(), "wiremq-buffer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { track, closeAll } = tracker();
afterEach(closeAll);

/** A consumer: asks for each message (the request acknowledges the one before). */
async function take(consumer: Request): Promise<string> {
  await consumer.send("ready");
  const msg = await consumer.receive();
  return msg.map(String).join("|");
}

describe("BufferingDevice", () => {
  it("loses nothing across a downstream outage under a steady stream, and keeps order", async () => {
    // What is asserted is the property, not a rate: every message sent while no consumer was
    // there (enough of them to overflow memory to disk) is delivered once, in order, after
    // it. The outage ends on events (messages sent, bytes spilled), never on a clock, and the
    // ack timeout is far above any pause a loaded machine makes between two requests.
    const device = new BufferingDevice({ memoryBytes: 4096, spillFile: join(dir, "outage.spill"), ackTimeout: 120_000 });
    await device.frontEnd.bind("tcp://127.0.0.1:*");
    await device.backEnd.bind("tcp://127.0.0.1:*");
    const running = device.run();
    const producer = track(new Push());
    producer.connect(device.frontEnd.lastEndpoint!);

    // A steady stream, one message a turn, until told to stop; `when` is checked after each.
    let stop = false;
    let sent = 0;
    const waiting: Array<{ test: () => boolean; resolve: () => void }> = [];
    const sentUntil = (test: () => boolean): Promise<void> => new Promise((resolve) => void waiting.push({ test, resolve }));
    const producing = (async () => {
      while (!stop) {
        await producer.send(`seq-${sent++}`);
        if (waiting[0]?.test()) waiting.shift()!.resolve();
        await new Promise((r) => setImmediate(r));
      }
    })();
    // Handled here so a failing assertion below does not also leave an unhandled rejection
    // (the producer is closed under the loop); awaited further down to surface real errors.
    producing.catch(() => {});

    const received: string[] = [];
    const first = track(new Request());
    first.connect(device.backEnd.lastEndpoint!);
    while (received.length < 100) received.push(await take(first));
    // Leaves cleanly: DONE acknowledges the last message without asking for another.
    await first.send("DONE");
    expect(await first.receive()).toEqual([Buffer.alloc(0)]);
    await first.close();

    // The outage: 500 messages at least, and until the device has spilled to disk.
    const outageFrom = sent;
    await within(sentUntil(() => sent - outageFrom >= 500 && device.state.diskMessages > 0), 60_000, "500 messages and a spill during the outage");
    const duringOutage = sent - outageFrom;

    // A consumer again, while the stream goes on for 200 more, then everything is drained.
    const second = track(new Request());
    second.connect(device.backEnd.lastEndpoint!);
    const afterFrom = sent;
    const streamEnds = sentUntil(() => sent - afterFrom >= 200).then(() => {
      stop = true;
    });
    while (!stop || received.length < sent) received.push(await within(take(second), 30_000, `message ${received.length} of ${sent}`));
    await streamEnds;
    await producing;
    expect(duringOutage).toBeGreaterThanOrEqual(500);
    expect(received).toEqual(Array.from({ length: sent }, (_, i) => `seq-${i}`));
    expect(device.state.redelivered).toBe(0);
    device.terminate();
    await running;
  });

  it("saves what it holds on a clean stop and delivers it, in order, after a restart", async () => {
    const spillFile = join(dir, "restart.spill");
    const before = new BufferingDevice({ memoryBytes: 512, spillFile });
    await before.frontEnd.bind("inproc://buffer-restart-front");
    await before.backEnd.bind("inproc://buffer-restart-back");
    const running = before.run();
    const producer = track(new Push());
    producer.connect("inproc://buffer-restart-front");
    for (let i = 0; i < 300; i++) await producer.send([`m${i}`, "payload"]);
    before.terminate();
    await running;
    expect(before.saved).toBe(300);

    const after = new BufferingDevice({ memoryBytes: 512, spillFile });
    await after.frontEnd.bind("inproc://buffer-restart-front");
    await after.backEnd.bind("inproc://buffer-restart-back");
    const again = after.run();
    expect(after.state.diskMessages).toBe(300);
    const consumer = track(new Request());
    consumer.connect("inproc://buffer-restart-back");
    for (let i = 0; i < 300; i++) expect(await take(consumer)).toBe(`m${i}|payload`);
    after.terminate();
    await again;
    // The last message was never acknowledged: kept, to be delivered again (at least once).
    expect(after.saved).toBe(1);
  });

  it("dies without stopping and loses nothing: a device on its file sends what was not acknowledged, and nothing that was", async () => {
    // The first device is never stopped: a copy of its file taken while it runs is what a
    // SIGKILL would leave (the child-process kills are in buffer-crash.test.ts).
    const spillFile = join(dir, "killed.spill");
    const dead = new BufferingDevice({ memoryBytes: 512, spillFile });
    await dead.frontEnd.bind("inproc://buffer-killed-front");
    await dead.backEnd.bind("inproc://buffer-killed-back");
    const deadRun = dead.run();
    const producer = track(new Push());
    producer.connect("inproc://buffer-killed-front");
    for (let i = 0; i < 300; i++) await producer.send([`k${i}`, "payload"]);
    const first = new Request();
    first.connect("inproc://buffer-killed-back");
    // k0..k98 acknowledged by the next request; k99 handed out and not acknowledged.
    for (let i = 0; i < 100; i++) expect(await take(first)).toBe(`k${i}|payload`);
    await first.close();
    while (dead.state.memoryMessages + dead.state.diskMessages + dead.state.outstanding < 201) await delay(5);

    copyFileSync(spillFile, join(dir, "killed-copy.spill"));
    const restarted = new BufferingDevice({ memoryBytes: 512, spillFile: join(dir, "killed-copy.spill") });
    await restarted.frontEnd.bind("inproc://buffer-restarted-front");
    await restarted.backEnd.bind("inproc://buffer-restarted-back");
    const running = restarted.run();
    expect(restarted.state.diskMessages).toBe(201);
    const consumer = track(new Request());
    consumer.connect("inproc://buffer-restarted-back");
    for (let i = 99; i < 300; i++) expect(await take(consumer)).toBe(`k${i}|payload`);
    await consumer.send("DONE");
    expect(await consumer.receive()).toEqual([Buffer.alloc(0)]);
    restarted.terminate();
    await running;
    expect(restarted.saved).toBe(0);
    dead.terminate();
    await deadRun;
  });

  it("gives a message its consumer never acknowledged to the next consumer", async () => {
    // r0's timeout is waited out once; r1 must not time out between its delivery and DONE, two
    // awaits later, so the timeout is far above a loaded machine's pause, not a tight 200 ms.
    const device = new BufferingDevice({ ackTimeout: 1000 });
    await device.frontEnd.bind("inproc://buffer-redeliver-front");
    await device.backEnd.bind("inproc://buffer-redeliver-back");
    const running = device.run();
    const producer = track(new Push());
    producer.connect("inproc://buffer-redeliver-front");
    await producer.send("r0");
    const crashing = new Request();
    crashing.connect("inproc://buffer-redeliver-back");
    expect(await take(crashing)).toBe("r0");
    await crashing.close();
    // The next consumer waits on an empty queue until r0's acknowledgement is overdue.
    const next = track(new Request());
    next.connect("inproc://buffer-redeliver-back");
    expect(await take(next)).toBe("r0");
    await producer.send("r1");
    expect(await take(next)).toBe("r1");
    expect(device.state).toMatchObject({ redelivered: 1, acknowledged: 1, outstanding: 1 });
    await next.send("DONE");
    expect(await next.receive()).toEqual([Buffer.alloc(0)]);
    expect(device.state).toMatchObject({ acknowledged: 2, outstanding: 0 });
    device.terminate();
    await running;
  });

  it("without a file, reports what a stop loses", async () => {
    const device = new BufferingDevice();
    await device.frontEnd.bind("inproc://buffer-lossy-front");
    await device.backEnd.bind("inproc://buffer-lossy-back");
    const running = device.run();
    const producer = track(new Push());
    producer.connect("inproc://buffer-lossy-front");
    for (let i = 0; i < 4; i++) await producer.send(`l${i}`);
    device.terminate();
    await expect(running).rejects.toMatchObject({ code: "EAGAIN" });
    expect(device.lost).toBe(4);
  });

  it("without a file, stops taking messages at its memory bound, so the producer waits and nothing is dropped", async () => {
    const device = new BufferingDevice({ memoryBytes: 100 });
    device.frontEnd.receiveHighWaterMark = 5;
    await device.frontEnd.bind("inproc://buffer-full-front");
    await device.backEnd.bind("inproc://buffer-full-back");
    const running = device.run();
    const producer = track(new Push({ sendHighWaterMark: 5, sendTimeout: 100 }));
    producer.connect("inproc://buffer-full-front");
    let sent = 0;
    for (; sent < 10_000; sent++) {
      try {
        await producer.send(`f${sent}`.padEnd(10, "."));
      } catch (err) {
        expect(err).toMatchObject({ code: "EAGAIN" });
        break;
      }
    }
    // Memory (10 messages of 10 bytes, plus the one that found room) and the two queues of 5.
    expect(sent).toBeGreaterThanOrEqual(10);
    expect(sent).toBeLessThanOrEqual(25);
    const consumer = track(new Request());
    consumer.connect("inproc://buffer-full-back");
    for (let i = 0; i < sent; i++) expect(await take(consumer)).toBe(`f${i}`.padEnd(10, "."));
    device.terminate();
    await running;
  });

  it("answers STATISTICS on its control socket with the traffic each way", async () => {
    const control = new Reply({ linger: 1000 });
    await control.bind("inproc://buffer-control");
    const device = new BufferingDevice({ control });
    await device.frontEnd.bind("inproc://buffer-stats-front");
    await device.backEnd.bind("inproc://buffer-stats-back");
    const running = device.run();
    const producer = track(new Push());
    producer.connect("inproc://buffer-stats-front");
    for (let i = 0; i < 10; i++) await producer.send("0123456789");
    const consumer = track(new Request({ routingId: "c1" }));
    consumer.connect("inproc://buffer-stats-back");
    for (let i = 0; i < 10; i++) await take(consumer);
    const client = track(new Request());
    client.connect("inproc://buffer-control");
    await client.send("STATISTICS");
    const stats = decodeStatistics(await client.receive());
    // Requests arrive as [id "c1", "", "ready"]; deliveries leave as [id, "", body].
    expect(stats).toEqual({
      frontEnd: { messagesIn: 10, bytesIn: 100, messagesOut: 0, bytesOut: 0 },
      backEnd: { messagesIn: 10, bytesIn: 10 * 7, messagesOut: 10, bytesOut: 10 * 12 },
    });
    await client.send("TERMINATE");
    expect((await client.receive()).map(String)).toEqual(["TERMINATE"]);
    await running;
  });

  it("refuses bad options with EINVAL and a foreign spill file with EPROTO", () => {
    expect(() => new BufferingDevice({ ackTimeout: 0 })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => new BufferingDevice({ memoryBytes: -1 })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => new BufferingDevice({ spillFile: join(dir, "no", "such", "dir") })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => new BufferingDevice({ spillFile: __filename })).toThrow(expect.objectContaining({ code: "EPROTO" }));
  });
});
