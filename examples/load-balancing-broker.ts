/**
 * The load-balancing broker: image-resize jobs from an RPC client go through a broker to three
 * workers, each taking one job at a time. One worker crashes in the middle of a job; the broker
 * notices its heartbeats stop and gives the job to another worker, and every call is answered.
 */
import { json, LoadBalancingBroker, rpc, ServiceWorker, type Handlers } from "../patterns/index.js";

export const images = rpc.define({
  // Resizing again gives the same image: idempotent, so a lost worker's job may run elsewhere.
  resize: { request: json<{ image: string; width: number }>(), reply: json<{ image: string; width: number; worker: string }>(), idempotent: true },
});

export interface BrokerResult {
  answered: number;
  byWorker: Record<string, number>;
  retried: number;
  lostWorkers: number;
}

export async function loadBalancingBroker(log: (line: string) => void = console.log): Promise<BrokerResult> {
  const heartbeat = { heartbeatInterval: 100, heartbeatLiveness: 5 };
  let registered!: () => void;
  const allRegistered = new Promise<void>((resolve) => (registered = resolve));
  const broker = new LoadBalancingBroker({
    ...heartbeat,
    onWorker: (e) => {
      log(`broker: worker ${e.id.toString("hex")} ${e.type} (${e.workers} now)`);
      if (e.type === "ready" && e.workers === 3) registered();
    },
  });
  const workers: ServiceWorker<typeof images>[] = [];
  const byWorker: Record<string, number> = {};
  const client = { current: null as ReturnType<typeof rpc.client<typeof images>> | null };
  try {
    await broker.frontend.bind("tcp://127.0.0.1:*");
    await broker.backend.bind("tcp://127.0.0.1:*");
    log(`broker: clients at ${broker.frontend.lastEndpoint}, workers at ${broker.backend.lastEndpoint}`);
    for (const name of ["w1", "w2", "w3"]) {
      let crashed = false;
      const handlers: Handlers<typeof images> = {
        resize: async ({ image, width }) => {
          if (name === "w2" && !crashed) {
            crashed = true;
            log(`w2: crashing in the middle of ${image} (expected: made to crash once)`);
            void worker.close();
            return new Promise<never>(() => {});
          }
          // Stands in for the resize itself.
          await new Promise((resolve) => setTimeout(resolve, 5));
          byWorker[name] = (byWorker[name] ?? 0) + 1;
          return { image, width, worker: name };
        },
      };
      const worker: ServiceWorker<typeof images> = new ServiceWorker(images, handlers, broker.backend.lastEndpoint!, heartbeat);
      workers.push(worker);
    }
    await allRegistered;
    client.current = rpc.client(images, { servers: broker.frontend.lastEndpoint!, timeout: 10_000, retries: 0 });
    const jobs = Array.from({ length: 12 }, (_, i) => ({ image: `photo-${i}.jpg`, width: 320 + 10 * i }));
    const replies = await Promise.all(jobs.map((job) => client.current!.call("resize", job)));
    for (const r of replies) log(`${r.image} → ${r.width}px by ${r.worker}`);
    const { retried, lostWorkers } = broker.stats;
    log(`broker: ${retried} job retried after ${lostWorkers} worker lost`);
    return { answered: replies.length, byWorker, retried, lostWorkers };
  } finally {
    await client.current?.close();
    for (const w of workers) await w.close();
    await broker.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await loadBalancingBroker();
