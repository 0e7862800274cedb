// `node dist/bench/runtimes.js [--runtimes node,bun,deno] [--rounds N] [--quick] [--json]`:
// push-pull/tcp/16B and req-rep/tcp/16B with wiremq under each runtime, both ends in their own
// process of that runtime, rounds alternating the runtimes' order; medians, and ratios to the
// first runtime (Node by default) from the same run.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatFigure, formatRatio, median, round } from "./stats.js";

type Runtime = "node" | "bun" | "deno";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ROLES = fileURLToPath(new URL("../../bench/runtime-roles.mjs", import.meta.url));
const BINARIES: Record<Runtime, string> = {
  node: process.execPath,
  bun: `${ROOT}node_modules/@oven/bun-linux-x64/bin/bun`,
  deno: `${ROOT}node_modules/deno/deno`,
};

interface Line {
  name: string;
  unit: string;
  /** Higher is better for throughput, lower for latency: a ratio always reads "× Node's speed". */
  higherIsBetter: boolean;
  run(runtime: Runtime, count: number): Promise<number>;
  count: number;
}

function start(runtime: Runtime, args: string[]): { lines: AsyncIterableIterator<string>; done: Promise<void>; kill(): void } {
  const argv = runtime === "deno" ? ["run", "-A", ROLES, ...args] : [ROLES, ...args];
  const child = spawn(BINARIES[runtime], argv, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
  const queue: string[] = [];
  const waiters: Array<(v: IteratorResult<string>) => void> = [];
  let buffered = "";
  let ended = false;
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    const parts = (buffered + s).split("\n");
    buffered = parts.pop()!;
    for (const p of parts) {
      const w = waiters.shift();
      if (w !== undefined) w({ value: p, done: false });
      else queue.push(p);
    }
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on("close", (code) => {
      ended = true;
      for (const w of waiters.splice(0)) w({ value: undefined, done: true });
      if (code === 0) resolve();
      else reject(new Error(`${runtime} ${args[0]} exited with ${code}`));
    });
  });
  const lines: AsyncIterableIterator<string> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () =>
      new Promise((resolve) => {
        if (queue.length > 0) resolve({ value: queue.shift()!, done: false });
        else if (ended) resolve({ value: undefined, done: true });
        else waiters.push(resolve);
      }),
  };
  return { lines, done, kill: () => child.kill("SIGKILL") };
}

async function lineStarting(lines: AsyncIterableIterator<string>, prefix: string): Promise<string> {
  for (;;) {
    const r = await lines.next();
    if (r.done === true) throw new Error(`the program ended without "${prefix}"`);
    if (r.value.startsWith(prefix)) return r.value.slice(prefix.length);
  }
}

/** Binds `server` role, connects `client` role to it; the figure comes from `reporter`. */
async function pair(runtime: Runtime, server: string, client: string, count: number, reporter: "server" | "client", key: string): Promise<number> {
  const s = start(runtime, [server, String(count)]);
  let c: ReturnType<typeof start> | null = null;
  const deadline = setTimeout(() => {
    s.kill();
    c?.kill();
  }, 120_000);
  try {
    const endpoint = await lineStarting(s.lines, "ready ");
    c = start(runtime, [client, endpoint, String(count)]);
    const from = reporter === "server" ? s : c;
    const result = JSON.parse(await lineStarting(from.lines, "result ")) as Record<string, number>;
    await Promise.all([s.done, c.done]);
    return result[key]!;
  } finally {
    clearTimeout(deadline);
    s.kill();
    c?.kill();
  }
}

const LINES: Line[] = [
  { name: "push-pull/tcp/16B", unit: "msg/s", higherIsBetter: true, count: 1_000_000, run: (rt, n) => pair(rt, "pull", "push", n, "server", "msgsPerSec") },
  { name: "req-rep/tcp/16B median", unit: "µs", higherIsBetter: false, count: 30_000, run: (rt, n) => pair(rt, "rep", "req", n, "client", "medianUs") },
];

function parse(argv: string[]): { runtimes: Runtime[]; rounds: number; scale: number; json: boolean } {
  let runtimes: Runtime[] = ["node", "bun", "deno"];
  let rounds = 3;
  let scale = 1;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--runtimes") runtimes = argv[++i]!.split(",") as Runtime[];
    else if (arg === "--rounds") rounds = Number(argv[++i]);
    else if (arg === "--quick") (rounds = 1), (scale = 0.2);
    else if (arg === "--json") json = true;
    else throw new Error(`unknown option ${arg}`);
  }
  for (const r of runtimes) if (!(r in BINARIES)) throw new Error(`unknown runtime ${r} (node, bun, deno)`);
  for (const r of runtimes) if (!existsSync(BINARIES[r])) throw new Error(`${r}: no binary at ${BINARIES[r]} (npm ci installs it)`);
  if (!(rounds >= 1)) throw new Error("--rounds takes a positive number");
  return { runtimes, rounds, scale, json };
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  const figures = new Map<string, number[]>();
  for (const line of LINES) {
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 === 0 ? opts.runtimes : [...opts.runtimes].reverse();
      for (const rt of order) {
        const v = await line.run(rt, Math.max(1000, Math.round(line.count * opts.scale)));
        const key = `${line.name}|${rt}`;
        figures.set(key, [...(figures.get(key) ?? []), v]);
      }
    }
  }
  const base = opts.runtimes[0]!;
  const rows: Array<Record<string, unknown>> = [];
  const header = ["line", ...opts.runtimes.map((r) => `${r}`), ...opts.runtimes.slice(1).map((r) => `${r}/${base}`)];
  const table: string[][] = [header];
  for (const line of LINES) {
    const med = opts.runtimes.map((rt) => median(figures.get(`${line.name}|${rt}`)!));
    const ratios = med.slice(1).map((m) => (line.higherIsBetter ? m / med[0]! : med[0]! / m));
    table.push([`${line.name} (${line.unit})`, ...med.map(formatFigure), ...ratios.map(formatRatio)]);
    rows.push({ line: line.name, unit: line.unit, ...Object.fromEntries(opts.runtimes.map((rt, i) => [rt, round(med[i]!)])), ratios: Object.fromEntries(opts.runtimes.slice(1).map((rt, i) => [rt, round(ratios[i]!)])) });
  }
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  const out = table.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ")).join("\n");
  if (opts.json) {
    process.stderr.write(`${out}\n`);
    process.stdout.write(`${JSON.stringify({ rounds: opts.rounds, rows }, null, 2)}\n`);
  } else {
    process.stdout.write(`${out}\n(medians of ${opts.rounds} rounds; a ratio > 1 means faster than ${base}, for latency too)\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
