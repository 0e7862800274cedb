/** Issue 22: a ServiceWorker closed with { drain: true } answers every job it was given. */
import { afterEach, describe, expect, it } from "vitest";
import { json, LoadBalancingBroker, rpc, ServiceWorker, type Handlers, type WorkerEvent } from "../../patterns/index.js";
import { tracker, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

const jobs = rpc.define({ work: { request: json<number>(), reply: json<string>() } });
const HEARTBEAT = { heartbeatInterval: 50, heartbeatLiveness: 5 };

describe("ServiceWorker close({ drain: true })", () => {
  it("closing one of two workers mid-stream loses no job and runs none twice", async () => {
    const events: WorkerEvent["type"][] = [];
    let bothReady!: () => void;
    const ready = new Promise<void>((resolve) => (bothReady = resolve));
    const broker = track(
      new LoadBalancingBroker({
        ...HEARTBEAT,
        onWorker: (e) => {
          events.push(e.type);
          if (e.type === "ready" && e.workers === 2) bothReady();
        },
      }),
    );
    await broker.frontend.bind("tcp://127.0.0.1:*");
    await broker.backend.bind("tcp://127.0.0.1:*");
    const runs = new Map<number, number>();
    let closeA!: () => void;
    const timeToClose = new Promise<void>((resolve) => (closeA = resolve));
    const handlersFor = (name: string): Handlers<typeof jobs> => ({
      work: async (n) => {
        runs.set(n, (runs.get(n) ?? 0) + 1);
        await new Promise((resolve) => setImmediate(resolve));
        if (name === "a" && [...runs.keys()].length === 40) closeA();
        return name;
      },
    });
    const a = track(new ServiceWorker(jobs, handlersFor("a"), broker.backend.lastEndpoint!, { ...HEARTBEAT, capacity: 4 }));
    const b = track(new ServiceWorker(jobs, handlersFor("b"), broker.backend.lastEndpoint!, { ...HEARTBEAT, capacity: 4 }));
    await within(ready, 5000, "two workers");
    const client = track(rpc.client(jobs, { servers: broker.frontend.lastEndpoint!, timeout: 20_000 }));
    const total = 300;
    const calls = Array.from({ length: total }, (_, n) => client.call("work", n));
    await timeToClose;
    await a.close({ drain: true });
    const answers = await within(Promise.all(calls), 15_000, "every call answered");
    expect(answers).toHaveLength(total);
    const twice = [...runs.values()].filter((n) => n > 1).length;
    expect({ ran: runs.size, twice }).toEqual({ ran: total, twice: 0 });
    expect(broker.stats).toMatchObject({ retried: 0, lostWorkers: 0, workers: 1 });
    expect(events).toContain("left");
    expect(answers.filter((w) => w === "a").length).toBeGreaterThan(0);
    void b;
  });

  it("a drain the broker never confirms closes after its timeout with ETIMEDOUT", async () => {
    // No broker at this address: nobody will confirm.
    const worker = track(new ServiceWorker(jobs, { work: () => "x" }, "tcp://127.0.0.1:9", HEARTBEAT));
    await expect(worker.close({ drain: true, timeout: 30 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
  });
});
