/**
 * RPC with side effects: a payments service whose `charge` must never run twice and whose
 * `quote` may. Charges are slower than the client's per-attempt timeout, and server "east" is
 * drained in the middle of the traffic (`close({ drain: true })`). Every charge is answered
 * and runs once; quotes are retried and the servers answer the retries from memory.
 */
import { json, rpc, RpcError, type CallContext, type RpcServer } from "../patterns/index.js";

export const payments = rpc.define({
  charge: { request: json<{ order: string; cents: number }>(), reply: json<{ order: string; server: string }>() },
  quote: { request: json<{ cents: number }>(), reply: json<{ fee: number }>(), idempotent: true },
});

export interface PaymentsResult {
  charges: number;
  answered: number;
  /** Charges that ran more than once, over both servers. */
  duplicates: number;
  /** Charges answered without having run. */
  lost: number;
  /** Charges answered by east while it drained. */
  drainedOnEast: number;
  quoteRetries: number;
  /** What the client saw of a handler that failed with a secret in its error. */
  leakedSecret: boolean;
}

export async function rpcPayments(log: (line: string) => void = console.log): Promise<PaymentsResult> {
  const ran = new Map<string, number>();
  let eastBusy!: () => void;
  const eastHasCharges = new Promise<void>((resolve) => (eastBusy = resolve));
  const start = async (name: string): Promise<RpcServer<typeof payments>> => {
    const server = rpc.server(payments, {
      charge: async ({ order, cents }, { signal, attempt }: CallContext) => {
        if (cents < 0) throw new Error("ledger at postgres://payments:s3cret@db rejected the row");
        // The side effect, then a slow confirmation; stop if the caller gives up.
        ran.set(order, (ran.get(order) ?? 0) + 1);
        if (name === "east") eastBusy();
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, 250);
          signal.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(new RpcError("ECANCELED", `charge ${order} given up (attempt ${attempt})`));
          });
        });
        return { order, server: name };
      },
      quote: async ({ cents }) => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return { fee: Math.ceil(cents * 0.029) + 30 };
      },
    });
    await server.bind("tcp://127.0.0.1:*");
    return server;
  };
  const east = await start("east");
  const west = await start("west");
  // 100 ms per attempt: a charge (250 ms) always outlasts one; a quote (150 ms) too.
  const client = rpc.client(payments, { servers: [east.lastEndpoint!, west.lastEndpoint!], timeout: 3000, attemptTimeout: 100 });
  try {
    const charges = Array.from({ length: 40 }, (_, i) => client.call("charge", { order: `o${i}`, cents: 100 + i }));
    const quotes = Array.from({ length: 10 }, (_, i) => client.call("quote", { cents: 1000 * i }));
    await eastHasCharges;
    const drained = east.close({ drain: true });
    const more = Array.from({ length: 10 }, (_, i) => client.call("charge", { order: `late${i}`, cents: 1 }));
    const replies = await Promise.all([...charges, ...more]);
    await Promise.all(quotes);
    await drained;
    const duplicates = [...ran.values()].filter((n) => n > 1).length;
    const lost = replies.filter((r) => ran.get(r.order) !== 1).length;
    const drainedOnEast = replies.filter((r) => r.server === "east").length;
    log(`${replies.length} charges answered (${drainedOnEast} by east while it drained), ${duplicates} ran twice, ${lost} lost`);
    log(`quotes retried ${client.stats.retries} times; servers answered ${west.stats.duplicates + east.stats.duplicates} retries from memory`);
    const failed = await client.call("charge", { order: "bad", cents: -1 }).catch((err: Error & { code: string }) => err);
    const leakedSecret = failed instanceof Error && failed.message.includes("s3cret");
    log(`a failing charge came back as ${(failed as { code: string }).code}: "${(failed as Error).message}"`);
    return { charges: replies.length, answered: replies.length, duplicates, lost, drainedOnEast, quoteRetries: client.stats.retries, leakedSecret };
  } finally {
    await client.close();
    await Promise.all([east.close(), west.close()]);
  }
}
