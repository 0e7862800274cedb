/**
 * Issue 22: a consumer closed with `drain` over tcp and ipc loses nothing its producer sent it,
 * including what was still in the network (kernel buffers) when it let go of its connection.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Consumer, json, Producer, runWorkers } from "../../patterns/index.js";
import { tracker } from "../helpers/sockets.js";
import { tmpIpc } from "../helpers/endpoints.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

/** 4 KiB orders: enough to fill the kernel buffers and the producer's queue for a slow consumer. */
type Order = { n: number; pad: string };
const pad = "x".repeat(4096);

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe.each([
  { transport: "tcp", address: async () => "tcp://127.0.0.1:*" },
  { transport: "ipc", address: async () => tmpIpc() },
])("close({ drain: true }) over $transport", ({ address }) => {
  it("closing one of two backlogged consumers mid-stream loses none of 3,000 orders", async () => {
    const total = 3000;
    const producer = track(new Producer(json<Order>()));
    await producer.bind(await address());
    const endpoint = producer.lastEndpoint!;
    const consumers = [track(new Consumer(json<Order>())), track(new Consumer(json<Order>(), { receiveHighWaterMark: 50 }))];
    for (const c of consumers) c.connect(endpoint);
    const done = new Map<number, number>();
    let closing!: () => void;
    const closeTime = new Promise<void>((resolve) => (closing = resolve));
    let handledByB = 0;
    let allDone!: () => void;
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    const pools = consumers.map((c, i) =>
      runWorkers(
        c,
        async ({ n }: Order) => {
          // B is slow, so that its queue, its kernel buffers and the producer's pipe to it fill.
          await (i === 1 ? new Promise((resolve) => setTimeout(resolve, 2)) : settle());
          done.set(n, (done.get(n) ?? 0) + 1);
          if (done.size === total) allDone();
          if (i === 1 && ++handledByB === 100) closing();
        },
        { concurrency: 4 },
      ),
    );
    const sending = (async () => {
      for (let i = 0; i < total; i++) await producer.send({ n: i, pad });
    })();
    await closeTime;
    await pools[1]!.close({ drain: true });
    await sending;
    let guard: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((resolve) => (guard = setTimeout(resolve, 5000)))]);
    clearTimeout(guard);
    await pools[0]!.close({ drain: true });
    const lost = total - done.size;
    const duplicates = [...done.values()].filter((n) => n > 1).length;
    expect({ lost, duplicates }).toEqual({ lost: 0, duplicates: 0 });
  });
});
