/**
 * Issue 22, pipeline: close({ drain }) for consumers and worker pools, handler errors that
 * cannot go unnoticed, and a producer whose send never resolves into nothing.
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Consumer, json, Producer, PRODUCER_SEND_TIMEOUT, runWorkers, WorkerPool } from "../../patterns/index.js";
import { ChildProgram } from "../helpers/child-program.js";
import { tracker, waitEvent } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

const inproc = (): string => `inproc://patterns-drain-${randomBytes(6).toString("hex")}`;
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A consumer with `n` values already waiting in its queue (inproc delivers on send). */
async function loaded(n: number): Promise<Consumer<number>> {
  const address = inproc();
  const consumer = track(new Consumer(json<number>()));
  await consumer.bind(address);
  const producer = track(new Producer(json<number>()));
  producer.connect(address);
  for (let i = 0; i < n; i++) await producer.send(i);
  return consumer;
}

describe("close({ drain: true })", () => {
  it("closing one of two consumers mid-stream loses none of 3,000 orders", async () => {
    const total = 3000;
    const address = inproc();
    const producer = track(new Producer(json<number>()));
    await producer.bind(address);
    const consumers = [track(new Consumer(json<number>())), track(new Consumer(json<number>()))];
    for (const c of consumers) c.connect(address);
    const done = new Map<number, number>();
    let closing!: () => void;
    const closeTime = new Promise<void>((resolve) => (closing = resolve));
    let handledByB = 0;
    let allDone!: () => void;
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    const pools = consumers.map((c, i) =>
      runWorkers(
        c,
        async (n: number) => {
          await settle();
          done.set(n, (done.get(n) ?? 0) + 1);
          if (done.size === total) allDone();
          if (i === 1 && ++handledByB === 300) closing();
        },
        { concurrency: 4 },
      ),
    );
    const sending = (async () => {
      for (let i = 0; i < total; i++) await producer.send(i);
    })();
    await closeTime;
    await pools[1]!.close({ drain: true });
    expect(consumers[1]!.socket.closed).toBe(true);
    await sending;
    // The guard only turns lost values into a failure with counts, instead of a hung test.
    let guard: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((resolve) => (guard = setTimeout(resolve, 5000)))]);
    clearTimeout(guard);
    await pools[0]!.close({ drain: true });
    const lost = total - done.size;
    const duplicates = [...done.values()].filter((n) => n > 1).length;
    expect({ lost, duplicates }).toEqual({ lost: 0, duplicates: 0 });
    // The closed consumer finished far more than the 300 it had done when asked to close.
    expect(handledByB).toBeGreaterThan(300);
  });

  it("a pool finishes every value already received, then closes its consumer", async () => {
    const consumer = await loaded(50);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    const pool = runWorkers(
      consumer,
      async (n) => {
        await gate;
        handled.push(n);
      },
      { concurrency: 3 },
    );
    while (pool.inFlight < 3) await settle();
    let closed = false;
    const closing = pool.close({ drain: true }).then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    release();
    await closing;
    expect(handled.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(consumer.socket.closed).toBe(true);
    await expect(pool.done).resolves.toBeUndefined();
  });

  it("a consumer read with for-await hands out what it holds, then ends and closes", async () => {
    const consumer = await loaded(20);
    const got: number[] = [];
    const reading = (async () => {
      for await (const n of consumer) {
        got.push(n);
        await settle();
      }
    })();
    await settle();
    await consumer.close({ drain: true });
    await reading;
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(consumer.socket.closed).toBe(true);
  });

  it("stops intake: a producer's later values go to the other consumer", async () => {
    const address = inproc();
    const producer = track(new Producer(json<number>()));
    await producer.bind(address);
    const [a, b] = [track(new Consumer(json<number>())), track(new Consumer(json<number>()))];
    a.connect(address);
    b.connect(address);
    const draining = b.close({ drain: true });
    await draining;
    for (let i = 0; i < 10; i++) await producer.send(i);
    const got: number[] = [];
    for (let i = 0; i < 10; i++) got.push(await a.receive());
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it("a drain that outlasts its timeout closes anyway and rejects with ETIMEDOUT", async () => {
    const consumer = await loaded(5);
    const pool = runWorkers(consumer, () => new Promise<void>(() => {}), { concurrency: 1 });
    while (pool.inFlight < 1) await settle();
    await expect(pool.close({ drain: true, timeout: 20 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
    expect(consumer.socket.closed).toBe(true);
  });

  it("refuses a negative or NaN timeout with EINVAL", async () => {
    const consumer = await loaded(0);
    expect(() => consumer.close({ drain: true, timeout: -1 })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    const pool = runWorkers(consumer, () => {}, { concurrency: 1 });
    expect(() => pool.close({ drain: true, timeout: Number.NaN })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    await pool.close();
  });
});

describe("handler errors", () => {
  it("go to an `error` event when there is no onError", async () => {
    const consumer = await loaded(3);
    const pool: WorkerPool<number> = runWorkers(
      consumer,
      (n) => {
        if (n === 1) throw Object.assign(new Error("bad order"), { code: "EBADORDER" });
      },
      { concurrency: 1 },
    );
    const [error, value] = await new Promise<[unknown, number]>((resolve) => pool.once("error", (...args) => resolve(args)));
    expect(error).toMatchObject({ code: "EBADORDER" });
    expect(value).toBe(1);
    await pool.close({ drain: true });
    expect(pool.processed + pool.failed).toBe(3);
  });

  it("crash the process when nobody listens, as a Node stream's error does", async () => {
    const patterns = fileURLToPath(new URL("../../dist/patterns/index.js", import.meta.url));
    const program = new ChildProgram(
      "wiremq",
      `import(${JSON.stringify(patterns)}).then(async ({ Consumer, Producer, json, runWorkers }) => {
        const consumer = new Consumer(json());
        await consumer.bind("inproc://crash");
        const producer = new Producer(json());
        producer.connect("inproc://crash");
        await producer.send(1);
        runWorkers(consumer, () => { throw Object.assign(new Error("handler failed"), { code: "EHANDLER" }); }, { concurrency: 1 });
        console.log("running");
      });`,
    );
    const exit = await program.exited;
    expect(program.lines).toContain("running");
    expect(exit.code).not.toBe(0);
    expect(program.stderr).toContain("EHANDLER");
  });
});

describe("Producer.send with no consumer", () => {
  it("is bounded by a documented default sendTimeout", () => {
    const producer = track(new Producer(json<number>()));
    expect(PRODUCER_SEND_TIMEOUT).toBe(10_000);
    expect(producer.socket.sendTimeout).toBe(PRODUCER_SEND_TIMEOUT);
    expect(track(new Producer(json<number>(), { sendTimeout: -1 })).socket.sendTimeout).toBe(-1);
  });

  it("rejects with EAGAIN when no consumer ever connects", async () => {
    const producer = track(new Producer(json<number>(), { sendTimeout: 30 }));
    await expect(producer.send(1)).rejects.toMatchObject({ code: "EAGAIN" });
    await producer.bind(inproc());
    await expect(producer.send(2)).rejects.toMatchObject({ code: "EAGAIN" });
  });

  it("keeps the process alive while it waits, then fails it, instead of exiting with the value gone", async () => {
    const patterns = fileURLToPath(new URL("../../dist/patterns/index.js", import.meta.url));
    const program = new ChildProgram(
      "wiremq",
      `import(${JSON.stringify(patterns)}).then(async ({ Producer, json }) => {
        const producer = new Producer(json(), { sendTimeout: 200 });
        try {
          await producer.send({ order: 1 });
          console.log("sent");
        } catch (err) {
          console.log("failed " + err.code);
          process.exitCode = 3;
        }
        await producer.close();
      });`,
    );
    const exit = await program.exited;
    expect(program.lines).toEqual(["failed EAGAIN"]);
    expect(exit.code).toBe(3);
  });

  it("still delivers once a consumer joins within the timeout", async () => {
    const producer = track(new Producer(json<number>()));
    await producer.bind("tcp://127.0.0.1:*");
    const sending = producer.send(7);
    const consumer = track(new Consumer(json<number>()));
    const joined = waitEvent(producer.socket, "handshake");
    consumer.connect(producer.lastEndpoint!);
    await joined;
    await sending;
    expect(await consumer.receive()).toBe(7);
  });
});
