/**
 * An RPC service with two healthy servers and a failing one. The client spreads calls over all
 * three; when "gamma" crashes in the middle of calls, they move to the others and every call is
 * answered. A handler's typed error comes back as a RemoteError with its code.
 */
import { json, RemoteError, rpc, RpcError, type RpcServer } from "../patterns/index.js";

export const quotes = rpc.define({
  // A quote reads prices and changes nothing, so it may run twice: marked idempotent, a call
  // cut off by a crash moves to another server (others would fail with ECONNRESET).
  quote: { request: json<{ symbol: string; quantity: number }>(), reply: json<{ symbol: string; total: number; server: string }>(), idempotent: true },
});

const PRICES: Record<string, number> = { ACME: 12.5, BOLT: 3.25, CORE: 41 };

export interface FailoverResult {
  answered: number;
  /** Which server answered each call of the second round (after gamma failed). */
  secondRound: string[];
  gammaCrashed: boolean;
  failovers: number;
  remoteErrorCode: string | null;
}

export async function rpcFailover(log: (line: string) => void = console.log): Promise<FailoverResult> {
  let gammaCrashes = false;
  let gammaCrashed = false;
  const servers: RpcServer<typeof quotes>[] = [];
  const start = async (name: string): Promise<string> => {
    const server: RpcServer<typeof quotes> = rpc.server(quotes, {
      quote: ({ symbol, quantity }) => {
        if (name === "gamma" && gammaCrashes) {
          // A crash mid-call: the server goes away without answering.
          gammaCrashed = true;
          void server.close();
          return new Promise<never>(() => {});
        }
        const price = PRICES[symbol];
        if (price === undefined) throw new RpcError("ENOSYMBOL", `no such symbol ${symbol}`);
        return { symbol, total: price * quantity, server: name };
      },
    });
    servers.push(server);
    await server.bind("tcp://127.0.0.1:*");
    return server.lastEndpoint!;
  };
  const endpoints = [await start("alpha"), await start("beta"), await start("gamma")];
  log(`servers alpha, beta, gamma at ${endpoints.join(", ")}`);
  const client = rpc.client(quotes, { servers: endpoints, timeout: 6000, attemptTimeout: 2000 });
  const round = (n: number): Promise<Array<{ symbol: string; total: number; server: string }>> =>
    Promise.all(Array.from({ length: n }, (_, i) => client.call("quote", { symbol: ["ACME", "BOLT", "CORE"][i % 3]!, quantity: i + 1 })));
  let answered = 0;
  try {
    // First round, repeated until all three servers have answered, so each is connected.
    const seen = new Set<string>();
    while (seen.size < 3) {
      for (const r of await round(6)) {
        seen.add(r.server);
        answered++;
      }
    }
    log(`first rounds: ${answered} calls answered by ${[...seen].sort().join(", ")}`);

    gammaCrashes = true;
    const began = performance.now();
    const second = await round(6);
    answered += second.length;
    log(`second round: ${second.map((r) => `${r.symbol}=${r.total} from ${r.server}`).join("; ")}`);
    log(`gamma ${gammaCrashed ? "crashed mid-call (expected: it is made to)" : "was not called"}; ${client.stats.failovers} calls moved; round took ${Math.round(performance.now() - began)} ms`);

    let remoteErrorCode: string | null = null;
    try {
      await client.call("quote", { symbol: "NOPE", quantity: 1 });
    } catch (err) {
      if (err instanceof RemoteError) remoteErrorCode = err.code;
      log(`quote for NOPE failed remotely: ${(err as RemoteError).code}: ${(err as Error).message} — expected: NOPE is not a symbol`);
    }
    return { answered, secondRound: second.map((r) => r.server), gammaCrashed, failovers: client.stats.failovers, remoteErrorCode };
  } finally {
    await client.close();
    for (const s of servers) await s.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await rpcFailover();
