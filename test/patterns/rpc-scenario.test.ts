/**
 * The RPC part of issue 22's scenario, with real processes: three servers in child processes,
 * slow handlers (slower than the attempt timeout), retries on, and one server SIGKILLed in the
 * middle. Each server prints a line when a handler starts and when it has done its side
 * effect (before it replies), so executions are counted outside the library.
 *
 * Needs the build (npm run build), as the servers run dist/.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { rpcPayments } from "../../examples/rpc-payments.js";
import { json, rpc } from "../../patterns/index.js";
import { ChildProgram } from "../helpers/child-program.js";
import { tracker } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
const children: ChildProgram[] = [];
afterEach(async () => {
  await closeAll();
  await Promise.all(children.splice(0).map((c) => c.kill()));
});

const PATTERNS = pathToFileURL(fileURLToPath(new URL("../../dist/patterns/index.js", import.meta.url))).href;

const ledger = rpc.define({
  charge: { request: json<{ key: string; ms: number }>(), reply: json<{ server: string }>() },
  quote: { request: json<{ key: string; ms: number }>(), reply: json<{ server: string }>(), idempotent: true },
});

const SERVER = `
const { rpc, json } = await import(${JSON.stringify(PATTERNS)});
const name = process.argv[2];
const ledger = rpc.define({
  charge: { request: json(), reply: json() },
  quote: { request: json(), reply: json(), idempotent: true },
});
const run = (method) => async ({ key, ms }, context) => {
  process.stdout.write("start " + method + " " + key + " " + context.attempt + "\\n");
  await new Promise((resolve) => setTimeout(resolve, ms));
  // The side effect is done once this line is out (stdout is a pipe: written synchronously).
  process.stdout.write("done " + method + " " + key + "\\n");
  return { server: name };
};
const server = rpc.server(ledger, { charge: run("charge"), quote: run("quote") });
await server.bind("tcp://127.0.0.1:*");
console.log("ready " + server.lastEndpoint);
`;

async function startServer(name: string): Promise<{ child: ChildProgram; endpoint: string }> {
  const child = new ChildProgram("wiremq", SERVER, [name]);
  children.push(child);
  const endpoint = (await child.line("ready ")).slice("ready ".length);
  return { child, endpoint };
}

/** How many times each `method key` printed `kind` (start or done), over all servers. */
function count(servers: ChildProgram[], kind: "start" | "done"): Map<string, number> {
  const counts = new Map<string, number>();
  for (const server of servers) {
    for (const line of server.lines) {
      const [k, method, key] = line.split(" ");
      if (k !== kind) continue;
      const id = `${method} ${key}`;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

describe("rpc scenario", () => {
  it("slow handlers, retries and a SIGKILLed server: no charge lost or run twice", async () => {
    const servers = await Promise.all(["A", "B", "C"].map(startServer));
    const [victim] = servers;
    const client = track(rpc.client(ledger, { servers: servers.map((s) => s.endpoint), timeout: 6000, retries: 2, attemptTimeout: 300 }));
    const CALLS = 600;
    const WAVE = 40;
    const outcomes: Array<{ method: "charge" | "quote"; key: string; result: "ok" | string }> = [];
    let killed = false;
    for (let start = 0; start < CALLS; start += WAVE) {
      const wave = Array.from({ length: WAVE }, (_, j) => {
        const i = start + j;
        const method = i % 2 === 0 ? "charge" : "quote";
        // Every seventh handler is slower than the attempt timeout.
        const ms = i % 7 === 0 ? 450 : i % 5;
        const key = `k${i}`;
        return client.call(method, { key, ms }).then(
          () => outcomes.push({ method, key, result: "ok" }),
          (err: { code?: string }) => outcomes.push({ method, key, result: err.code ?? "?" }),
        );
      });
      if (!killed && start >= CALLS / 3) {
        // Mid-wave, with calls running on it.
        await new Promise((resolve) => setTimeout(resolve, 30));
        await victim!.child.kill();
        killed = true;
      }
      await Promise.all(wave);
    }
    const logs = servers.map((s) => s.child);
    const done = count(logs, "done");
    const startedCounts = count(logs, "start");
    const charges = outcomes.filter((o) => o.method === "charge");
    const quotes = outcomes.filter((o) => o.method === "quote");
    const ok = charges.filter((o) => o.result === "ok");
    const reset = charges.filter((o) => o.result === "ECONNRESET");
    const other = outcomes.filter((o) => o.result !== "ok" && !(o.method === "charge" && o.result === "ECONNRESET"));
    // Lost: answered as done with no side effect, or a side effect whose caller was told of an
    // error other than "may or may not have run".
    const lost =
      ok.filter((o) => done.get(`charge ${o.key}`) !== 1).length +
      charges.filter((o) => o.result !== "ok" && o.result !== "ECONNRESET" && done.has(`charge ${o.key}`)).length;
    const duplicateRuns = [...done].filter(([id, n]) => id.startsWith("charge ") && n > 1).length;
    const duplicateStarts = [...startedCounts].filter(([id, n]) => id.startsWith("charge ") && n > 1).length;
    const resetButDone = reset.filter((o) => done.has(`charge ${o.key}`)).length;
    const quoteRuns = [...done].filter(([id]) => id.startsWith("quote ")).reduce((sum, [, n]) => sum + n, 0);
    const figures = {
      calls: outcomes.length,
      charges: charges.length,
      chargesAnswered: ok.length,
      chargesReset: reset.length,
      resetButDoneOnKilledServer: resetButDone,
      lost,
      duplicateChargeRuns: duplicateRuns,
      duplicateChargeStarts: duplicateStarts,
      quotes: quotes.length,
      quotesAnswered: quotes.filter((o) => o.result === "ok").length,
      quoteRuns,
      otherErrors: other.length,
      clientStats: client.stats,
    };
    console.log(`rpc scenario: ${JSON.stringify(figures)}`);
    expect(outcomes.length).toBe(CALLS);
    expect(lost).toBe(0);
    expect(duplicateRuns).toBe(0);
    expect(duplicateStarts).toBe(0);
    expect(other).toEqual([]);
    // Only calls that were on the killed server may be reset; idempotent ones all answered.
    expect(reset.length).toBeLessThanOrEqual(WAVE);
    expect(quotes.every((o) => o.result === "ok")).toBe(true);
  }, 60_000);

  it("the payments example: slow charges and a drained server, every charge answered and run once", async () => {
    const result = await rpcPayments(() => {});
    expect(result).toMatchObject({ charges: 50, duplicates: 0, lost: 0, leakedSecret: false });
    expect(result.drainedOnEast).toBeGreaterThan(0);
    expect(result.quoteRetries).toBeGreaterThan(0);
  });
});
