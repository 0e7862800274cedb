/**
 * Issue 22's five-service scenario, each part counted outside the library:
 * - orders: an intake service puts 300 orders on a durable queue; two fulfilment services work
 *   them (runDurableWorkers); fulfilment B is closed mid-stream with `drain`. Lost 0, run twice 0.
 * - payments: `charge` (not idempotent, slower than a retry's attempt timeout) on two servers;
 *   server west is killed (closed without drain) with charges running. Each charge runs at most
 *   once; a caller whose charge was on west learns ECONNRESET (it may have run), none is lost.
 * - reports: a durable job four times longer than its lease runs once and is acked.
 */
import { Broker, BrokerClient } from "../lib/broker/index.js";
import { durableQueue, json, rpc, runDurableWorkers as durableWorkers, type RpcServer } from "../patterns/index.js";

export const payments = rpc.define({
  charge: { request: json<{ order: string; cents: number }>(), reply: json<{ order: string; server: string }>() },
});

export interface FiveServicesResult {
  orders: { sent: number; fulfilled: number; lost: number; duplicates: number; byB: number };
  payments: { calls: number; answered: number; mayHaveRun: number; duplicates: number; lost: number; unsettled: number };
  report: { runs: number; acked: number; leaseMs: number; ranMs: number };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function fiveServices(log: (line: string) => void = console.log): Promise<FiveServicesResult> {
  // A 200 ms heartbeat: the broker looks at leases that often, so an expired one would show;
  // a session ends only after 600 ms of silence, so a busy machine does not end it (ending it
  // would return the leases, and at-least-once would run those orders again).
  const broker = new Broker({ memory: true, bind: "tcp://127.0.0.1:0", heartbeatInterval: 200 });
  await broker.start();
  const client = new BrokerClient({ endpoints: broker.endpoints, heartbeatInterval: 200 });
  const servers: RpcServer<typeof payments>[] = [];
  try {
    await client.ready();
    const orders = await ordersPart(client, log);
    const pay = await paymentsPart(servers, log);
    const report = await reportPart(client, log);
    return { orders, payments: pay, report };
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await client.close();
    await broker.close();
  }
}

async function ordersPart(client: BrokerClient, log: (line: string) => void): Promise<FiveServicesResult["orders"]> {
  const orders = durableQueue(client, "orders", json<{ id: string; cents: number }>());
  const runs = new Map<string, number>();
  let byB = 0;
  let fulfilled = 0;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  let halfway!: () => void;
  const half = new Promise<void>((resolve) => (halfway = resolve));
  const sent = 300;
  const fulfil = (service: "A" | "B") => async ({ id }: { id: string }) => {
    await delay(1); // the work: a database write, a label printed
    runs.set(id, (runs.get(id) ?? 0) + 1);
    if (service === "B") byB++;
    fulfilled++;
    if (fulfilled === 100) halfway();
    if (runs.size === sent) allDone();
  };
  const a = durableWorkers(orders, fulfil("A"), { concurrency: 4 });
  const b = durableWorkers(orders, fulfil("B"), { concurrency: 4 });
  const intake = orders.producer();
  for (let i = 0; i < sent; i++) await intake.put({ id: `ord-${i}`, cents: 100 + i });
  await half;
  await b.close({ drain: true });
  log(`orders: fulfilment B drained and closed after ${byB} orders`);
  await done;
  await a.close({ drain: true });
  const lost = sent - runs.size;
  const duplicates = [...runs.values()].filter((n) => n > 1).length;
  log(`orders: ${sent} sent, ${runs.size} fulfilled, lost ${lost}, run twice ${duplicates}`);
  return { sent, fulfilled, lost, duplicates, byB };
}

async function paymentsPart(servers: RpcServer<typeof payments>[], log: (line: string) => void): Promise<FiveServicesResult["payments"]> {
  const ran = new Map<string, number>();
  let westBusy!: () => void;
  const westHasCharges = new Promise<void>((resolve) => (westBusy = resolve));
  const start = async (name: string): Promise<RpcServer<typeof payments>> => {
    const server = rpc.server(payments, {
      charge: async ({ order }) => {
        if (order.startsWith("warm-up")) return { order, server: name };
        // The side effect first, then a slow confirmation (longer than an attempt's timeout).
        ran.set(order, (ran.get(order) ?? 0) + 1);
        if (name === "west") westBusy();
        await delay(200);
        return { order, server: name };
      },
    });
    await server.bind("tcp://127.0.0.1:*");
    servers.push(server);
    return server;
  };
  const east = await start("east");
  const west = await start("west");
  const client = rpc.client(payments, { servers: [east.lastEndpoint!, west.lastEndpoint!], timeout: 5000, attemptTimeout: 50, retries: 3 });
  try {
    await bothAnswering(client);
    const calls = Array.from({ length: 40 }, (_, i) => client.call("charge", { order: `o${i}`, cents: 100 + i }));
    await westHasCharges;
    // Killed: no drain, its running charges are never answered.
    await west.close();
    log("payments: west killed with charges running");
    const settled = await Promise.allSettled(calls);
    const answered = settled.filter((s) => s.status === "fulfilled").length;
    const mayHaveRun = settled.filter((s) => s.status === "rejected" && (s.reason as { code?: string }).code === "ECONNRESET").length;
    const duplicates = [...ran.values()].filter((n) => n > 1).length;
    // Lost: a charge answered as done that did not run once, or a failure that was neither.
    const lost =
      settled.filter((s) => s.status === "fulfilled" && ran.get(s.value.order) !== 1).length + (settled.length - answered - mayHaveRun);
    log(`payments: ${answered} answered, ${mayHaveRun} failed with ECONNRESET (may have run), run twice ${duplicates}, lost ${lost}`);
    return { calls: calls.length, answered, mayHaveRun, duplicates, lost, unsettled: calls.length - settled.length };
  } finally {
    await client.close();
  }
}

/**
 * Calls until east and west have each answered once. The client sends to servers it is
 * connected to first, so on a busy machine the 40 charges could all go to east before west's
 * connection is up, and west would have nothing running when it is killed.
 */
async function bothAnswering(client: ReturnType<typeof rpc.client<typeof payments>>): Promise<void> {
  const seen = new Set<string>();
  for (let i = 0; seen.size < 2; i++) {
    if (i === 200) throw new Error("payments: east and west did not both answer in 200 rounds of warm-up calls");
    const replies = await Promise.all([0, 1].map((n) => client.call("charge", { order: `warm-up-${i}-${n}`, cents: 0 })));
    for (const r of replies) seen.add(r.server);
  }
}

async function reportPart(client: BrokerClient, log: (line: string) => void): Promise<FiveServicesResult["report"]> {
  const reports = durableQueue(client, "reports", json<{ month: string }>());
  const leaseMs = 300;
  const ranMs = 1200;
  let runs = 0;
  let finished!: () => void;
  const ran = new Promise<void>((resolve) => (finished = resolve));
  const workers = durableWorkers(
    reports,
    async () => {
      runs++;
      await delay(ranMs);
    },
    { leaseMs },
  );
  // A second worker would be handed the job if its lease ran out.
  const rival = durableWorkers(reports, async () => void runs++, { leaseMs });
  await reports.producer().put({ month: "2026-11" });
  const poll = setInterval(() => workers.acked === 1 && finished(), 10);
  await ran.finally(() => clearInterval(poll));
  await Promise.all([workers.close({ drain: true }), rival.close({ drain: true })]);
  log(`reports: a ${ranMs} ms job with a ${leaseMs} ms lease ran ${runs} time(s), acked ${workers.acked}`);
  return { runs, acked: workers.acked, leaseMs, ranMs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await fiveServices();
  console.log(JSON.stringify(r));
}
