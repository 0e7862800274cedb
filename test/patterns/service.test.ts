/**
 * The load-balancing broker: jobs go to ready workers by free capacity, heartbeats find dead
 * workers and their jobs go to others, overload is refused, and workers find a new broker.
 */
import { afterEach, describe, expect, it } from "vitest";
import { json, LoadBalancingBroker, rpc, ServiceWorker, string, type BrokerOptions, type Handlers } from "../../patterns/index.js";
import { tracker, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

// Resizing an image again gives the same image: idempotent, so the broker may re-run it.
const resize = rpc.define({
  resize: { request: json<{ id: number; width: number }>(), reply: json<{ id: number; worker: string }>(), idempotent: true },
});

// Liveness of 5 intervals: a starved event loop (parallel test runs) must not look like a dead worker.
const HEARTBEAT = { heartbeatInterval: 50, heartbeatLiveness: 5 };

/** A broker on ephemeral ports (or given ones) whose worker count can be awaited. */
async function startBroker(options: BrokerOptions = {}, at?: { front: string; back: string }) {
  const waiting: Array<{ n: number; resolve(): void }> = [];
  const broker = track(
    new LoadBalancingBroker({
      ...HEARTBEAT,
      ...options,
      onWorker: ({ workers }) => {
        for (const w of waiting.filter((w) => w.n === workers)) w.resolve();
      },
    }),
  );
  await broker.frontend.bind(at?.front ?? "tcp://127.0.0.1:*");
  await broker.backend.bind(at?.back ?? "tcp://127.0.0.1:*");
  const workers = (n: number): Promise<void> =>
    within(
      new Promise<void>((resolve) => (broker.stats.workers === n ? resolve() : waiting.push({ n, resolve }))),
      5000,
      `${n} workers registered`,
    );
  return { broker, workers, front: broker.frontend.lastEndpoint!, back: broker.backend.lastEndpoint! };
}

/** A worker whose handler the test drives: answer, hold until released, or die. */
function startWorker(name: string, backend: string) {
  const state = {
    mode: "answer" as "answer" | "hold" | "die",
    running: 0,
    most: 0,
    handled: [] as number[],
    held: [] as Array<() => void>,
    onStart: null as (() => void) | null,
  };
  const handlers: Handlers<typeof resize> = {
    resize: async ({ id }) => {
      state.most = Math.max(state.most, ++state.running);
      state.onStart?.();
      try {
        if (state.mode === "die") {
          void worker.close();
          return await new Promise<never>(() => {});
        }
        if (state.mode === "hold") await new Promise<void>((resolve) => state.held.push(resolve));
        state.handled.push(id);
        return { id, worker: name };
      } finally {
        state.running--;
      }
    },
  };
  const worker = track(new ServiceWorker(resize, handlers, backend, HEARTBEAT));
  const started = (): Promise<void> => within(new Promise<void>((resolve) => (state.onStart = resolve)), 5000, `${name} starts a job`);
  return { worker, state, started };
}

describe("load-balancing broker", () => {
  it("serves calls through ready workers and balances them", async () => {
    const { workers, front, back } = await startBroker();
    const pool = [startWorker("w1", back), startWorker("w2", back)];
    await workers(2);
    const client = track(rpc.client(resize, { servers: front, timeout: 10_000 }));
    const replies = await Promise.all(Array.from({ length: 40 }, (_, id) => client.call("resize", { id, width: 100 })));
    expect(replies.map((r) => r.id)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const w of pool) expect(w.state.handled.length).toBeGreaterThan(0);
    // Capacity 1: a worker never had two jobs at once.
    for (const w of pool) expect(w.state.most).toBe(1);
  });

  it("gives a job to a free worker, not to a busy one", async () => {
    const { workers, front, back } = await startBroker();
    const a = startWorker("a", back);
    const b = startWorker("b", back);
    await workers(2);
    a.state.mode = b.state.mode = "hold";
    const client = track(rpc.client(resize, { servers: front, timeout: 10_000 }));
    const first = client.call("resize", { id: 1, width: 1 });
    await Promise.race([a.started(), b.started()]);
    const [busy, free] = a.state.running === 1 ? [a, b] : [b, a];
    free.state.mode = "answer";
    expect((await client.call("resize", { id: 2, width: 1 })).worker).toBe(free === a ? "a" : "b");
    busy.state.held.forEach((release) => release());
    expect((await first).id).toBe(1);
  });

  it("retries a dead worker's job on another worker", async () => {
    const { broker, workers, front, back } = await startBroker();
    const doomed = startWorker("doomed", back);
    await workers(1);
    doomed.state.mode = "die";
    const client = track(rpc.client(resize, { servers: front, timeout: 10_000, retries: 0 }));
    const taken = doomed.started();
    const call = client.call("resize", { id: 7, width: 640 });
    await taken;
    const survivor = startWorker("survivor", back);
    expect(await within(call, 5000, "reply from the survivor")).toEqual({ id: 7, worker: "survivor" });
    expect(survivor.state.handled).toEqual([7]);
    expect(broker.stats).toMatchObject({ retried: 1, lostWorkers: 1, workers: 1 });
  });

  it("never runs a non-idempotent job twice: its worker dies, or is slow past the caller's timeout", async () => {
    const payments = rpc.define({ charge: { request: json<{ id: number }>(), reply: json<{ id: number; by: string }>() } });
    const { broker, workers, front, back } = await startBroker();
    const runs: string[] = [];
    let mode: "die" | "hold" | "answer" = "die";
    let started!: () => void;
    const startWorker2 = (name: string): ServiceWorker<typeof payments> => {
      const w: ServiceWorker<typeof payments> = track(
        new ServiceWorker(
          payments,
          {
            charge: async ({ id }) => {
              runs.push(`${name}:${id}`);
              started?.();
              if (mode === "die") {
                void w.close();
                return new Promise<never>(() => {});
              }
              if (mode === "hold") await new Promise((r) => setTimeout(r, 600));
              return { id, by: name };
            },
          },
          back,
          HEARTBEAT,
        ),
      );
      return w;
    };
    startWorker2("doomed");
    await workers(1);
    const client = track(rpc.client(payments, { servers: front, timeout: 10_000, retries: 2 }));
    const first = new Promise<void>((r) => (started = r));
    const dying = client.call("charge", { id: 1 });
    await first;
    startWorker2("survivor");
    // The survivor is there to take a retry; it must not get one.
    await expect(within(dying, 5000, "EWORKERLOST")).rejects.toMatchObject({ code: "EWORKERLOST", remote: true });
    expect(runs).toEqual(["doomed:1"]);
    expect(broker.stats).toMatchObject({ retried: 0, notRetried: 1, lostWorkers: 1 });

    // Slow: the caller gives up (timeout 200 ms, retries 2) while the job runs 600 ms.
    mode = "hold";
    await workers(1);
    startWorker2("second");
    await workers(2);
    const slow = client.call("charge", { id: 2 }, { timeout: 200 });
    await expect(slow).rejects.toMatchObject({ code: "ETIMEDOUT" });
    mode = "answer";
    expect((await client.call("charge", { id: 3 })).id).toBe(3);
    expect(runs.filter((r) => r.endsWith(":2"))).toHaveLength(1);
  });

  it("answers EWORKERLOST when workers keep dying on a job", async () => {
    const { workers, front, back } = await startBroker({ maxAttempts: 1 });
    const doomed = startWorker("doomed", back);
    await workers(1);
    doomed.state.mode = "die";
    const client = track(rpc.client(resize, { servers: front, timeout: 10_000, retries: 0 }));
    await expect(within(client.call("resize", { id: 1, width: 1 }), 5000, "EWORKERLOST")).rejects.toMatchObject({
      code: "EWORKERLOST",
      remote: true,
    });
  });

  it("refuses requests past maxQueued with EOVERLOAD", async () => {
    const { broker, front } = await startBroker({ maxQueued: 1 });
    const client = track(rpc.client(resize, { servers: front, timeout: 10_000, retries: 0 }));
    const waiting = client.call("resize", { id: 1, width: 1 });
    waiting.catch(() => {});
    await expect(client.call("resize", { id: 2, width: 1 })).rejects.toMatchObject({ code: "EOVERLOAD" });
    expect(broker.stats).toMatchObject({ queued: 1, overloaded: 1 });
  });

  it("passes a worker's EDECODE for an undecodable request back to the client", async () => {
    const { workers, front, back } = await startBroker();
    const w = startWorker("w", back);
    await workers(1);
    // Same method, but the client's codec writes plain text where the worker expects JSON.
    const mismatched = rpc.define({ resize: { request: string, reply: json<unknown>() } });
    const client = track(rpc.client(mismatched, { servers: front }));
    await expect(client.call("resize", "{oops")).rejects.toMatchObject({ code: "EDECODE", remote: true });
    expect(w.worker.stats.decodeErrors).toBe(1);
  });

  it("a worker finds a broker restarted at the same endpoints", async () => {
    const first = await startBroker();
    startWorker("w", first.back);
    await first.workers(1);
    await first.broker.close();
    const second = await startBroker({}, { front: first.front, back: first.back });
    await second.workers(1);
    const client = track(rpc.client(resize, { servers: second.front, timeout: 5000 }));
    expect(await client.call("resize", { id: 3, width: 3 })).toEqual({ id: 3, worker: "w" });
  });
});
