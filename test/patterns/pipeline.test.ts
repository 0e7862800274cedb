/** Typed pipeline: producer and consumer over PUSH/PULL, decode errors, and the worker pool. */
import { randomBytes } from "node:crypto";
import protobufjs from "protobufjs";
import { afterEach, describe, expect, it } from "vitest";
import { Push } from "../../lib/index.js";
import { Consumer, DecodeError, json, Producer, protobuf, runWorkers, string } from "../../patterns/index.js";
import { tracker, waitEvent } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

const TASK_PROTO = `syntax = "proto3"; message Task { uint32 id = 1; string name = 2; repeated double weights = 3; }`;
interface Task {
  id: number;
  name: string;
  weights: number[];
}
const TaskType = protobufjs.parse(TASK_PROTO).root.lookupType("Task");

const inproc = (): string => `inproc://patterns-pipeline-${randomBytes(6).toString("hex")}`;

/** Lets every queued callback and I/O poll run once: enough for work that is ready to start. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("typed pipeline", () => {
  it("carries protobuf values from producer to consumer over tcp, in order", async () => {
    const codec = protobuf<Task>(TaskType);
    const consumer = track(new Consumer(codec));
    await consumer.bind("tcp://127.0.0.1:*");
    const producer = track(new Producer(codec));
    producer.connect(consumer.lastEndpoint!);
    const sent: Task[] = Array.from({ length: 50 }, (_, i) => ({ id: i, name: `task-${i}`, weights: [i / 2, -i] }));
    for (const t of sent) await producer.send(t);
    const got: Task[] = [];
    for await (const task of consumer) {
      got.push(task);
      if (got.length === sent.length) break;
    }
    expect(got).toEqual(sent);
  });

  it("spreads values over two consumers", async () => {
    const producer = track(new Producer(string));
    await producer.bind("tcp://127.0.0.1:*");
    const consumers = [track(new Consumer(string)), track(new Consumer(string))];
    const joined = waitEvent(producer.socket, "handshake", 2);
    for (const c of consumers) c.connect(producer.lastEndpoint!);
    await joined;
    for (let i = 0; i < 10; i++) await producer.send(`job ${i}`);
    const counts = await Promise.all(
      consumers.map(async (c) => {
        for (let i = 0; i < 5; i++) await c.receive();
        return 5;
      }),
    );
    expect(counts).toEqual([5, 5]);
  });

  it("counts an undecodable message, reports its raw frames, and delivers the next one", async () => {
    const reported: DecodeError[] = [];
    const consumer = track(new Consumer(json<{ n: number }>(), { onDecodeError: (e) => reported.push(e) }));
    const address = inproc();
    await consumer.bind(address);
    const plain = track(new Push());
    plain.connect(address);
    await plain.send(["{not json"]);
    await plain.send(['{"n":1}', "extra frame"]);
    await plain.send('{"n":2}');
    expect(await consumer.receive()).toEqual({ n: 2 });
    expect(consumer.decodeErrors).toBe(2);
    expect(reported.map((e) => e.code)).toEqual(["EDECODE", "EDECODE"]);
    expect(reported[0]!.frames.map(String)).toEqual(["{not json"]);
    expect(reported[1]!.frames.map(String)).toEqual(['{"n":1}', "extra frame"]);
  });

  it("rejects a value its codec cannot encode, and sends nothing", async () => {
    const producer = track(new Producer(protobuf<Task>(TaskType)));
    const bad = { id: 1, name: "x", weights: "heavy" } as unknown as Task;
    await expect(producer.send(bad)).rejects.toMatchObject({ code: "EENCODE" });
  });

  it("ends for-await when the consumer closes", async () => {
    const consumer = track(new Consumer(string));
    await consumer.bind(inproc());
    const iterating = (async () => {
      const got: string[] = [];
      for await (const v of consumer) got.push(v);
      return got;
    })();
    await settle();
    await consumer.close();
    expect(await iterating).toEqual([]);
  });
});

describe("worker pool", () => {
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

  it("runs at most `concurrency` handlers and leaves the rest in the socket", async () => {
    const consumer = await loaded(10);
    const gates: Array<() => void> = [];
    const started: number[] = [];
    let maxRunning = 0;
    const pool = runWorkers(
      consumer,
      (n) =>
        new Promise<void>((resolve) => {
          started.push(n);
          maxRunning = Math.max(maxRunning, pool.inFlight);
          gates.push(resolve);
        }),
      { concurrency: 3 },
    );
    while (started.length < 3) await settle();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    expect(pool.inFlight).toBe(3);
    // The other seven are still queued in the PULL socket, not buffered by the pool.
    expect(consumer.socket.readable).toBe(true);
    while (pool.processed < 10) {
      gates.splice(0).forEach((open) => open());
      await settle();
    }
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(maxRunning).toBe(3);
    await pool.stop();
  });

  it("counts handler failures, tells onError, and goes on", async () => {
    const consumer = await loaded(6);
    const errors: Array<[string, number]> = [];
    const pool = runWorkers(
      consumer,
      (n) => {
        if (n % 2 === 1) throw new Error(`odd ${n}`);
      },
      { concurrency: 2, onError: (err, n) => errors.push([(err as Error).message, n]) },
    );
    while (pool.processed + pool.failed < 6) await settle();
    expect(pool.processed).toBe(3);
    expect(pool.failed).toBe(3);
    expect(errors.map(([, n]) => n).sort()).toEqual([1, 3, 5]);
    await pool.stop();
  });

  it("stop() waits for running handlers and takes no more values", async () => {
    const consumer = await loaded(5);
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    let finished = 0;
    const pool = runWorkers(
      consumer,
      async () => {
        await blocked;
        finished++;
      },
      { concurrency: 2 },
    );
    while (pool.inFlight < 2) await settle();
    let stopped = false;
    const stopping = pool.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(2);
    // The remaining three were never taken: a new reader gets them.
    expect(await consumer.receive()).toBe(2);
  });

  it("ends when its consumer is closed", async () => {
    const consumer = await loaded(0);
    const pool = runWorkers(consumer, () => {}, { concurrency: 1 });
    await consumer.close();
    await expect(pool.done).resolves.toBeUndefined();
  });

  it("refuses a concurrency below 1", async () => {
    const consumer = await loaded(0);
    expect(() => runWorkers(consumer, () => {}, { concurrency: 0 })).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });
});
