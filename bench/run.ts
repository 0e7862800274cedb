// `npm run bench`: runs each workload for each library, alternating libraries round by round,
// and prints medians side by side with their ratio (see bench/README.md).
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { parseBenchArgs, USAGE, type BenchOptions } from "./args.js";
import { WorkerGroup } from "./child.js";
import { loadLib, type LibName } from "./lib-loader.js";
import { formatFigure } from "./stats.js";
import { formatTable, toJson, type Cell, type Column, type RunMeta, type WorkloadResult } from "./report.js";
import { workloads } from "./workloads/index.js";
import type { Measurement, RunParams, Workload } from "./workloads/types.js";

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    log(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const selected = workloads.filter((w) => opts.filters.length === 0 || opts.filters.some((f) => (f.startsWith("=") ? w.name === f.slice(1) : w.name.includes(f))));
  if (opts.list) {
    const width = Math.max(...workloads.map((w) => w.name.length));
    for (const w of workloads) console.log(`${w.name.padEnd(width)}  ${w.description}`);
    return 0;
  }
  if (selected.length === 0) {
    log(`no workload matches ${opts.filters.join(", ")}; see --list`);
    return 2;
  }

  const columns = await describeColumns(opts.libs);
  const params: RunParams = { quick: opts.quick, scale: opts.scale };
  const meta: RunMeta = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? "unknown",
    cpus: cpus().length,
    loadAvg: Number(loadavg()[0]!.toFixed(2)),
    rounds: opts.rounds,
    quick: opts.quick,
    scale: opts.scale,
    glibcTunables: process.env.GLIBC_TUNABLES,
  };
  const libs = columns.map((c) => `${c.label} ${c.version}${c.reports ? ` (version export ${c.reports})` : ""}`);
  log(`bench: ${libs.join(" vs ")}; ${opts.rounds} round(s); node ${meta.node}, ${meta.cpus} × ${meta.cpu}`);
  if (meta.glibcTunables) log(`bench: GLIBC_TUNABLES=${meta.glibcTunables} (inherited by every worker, both libraries)`);
  if (meta.loadAvg > 0.5 * meta.cpus) log(`bench: load average ${meta.loadAvg} at start: other work shares the CPUs, figures will be noisy`);

  const started = Date.now();
  const results: WorkloadResult[] = [];
  for (const workload of selected) {
    const result = await runWorkload(workload, columns, params, opts);
    log(`${workload.name}: ${result.wallSeconds.toFixed(1)} s`);
    results.push(result);
  }
  meta.wallSeconds = Math.round((Date.now() - started) / 100) / 10;
  meta.loadAvgEnd = Number(loadavg()[0]!.toFixed(2));
  log(`bench: ${meta.wallSeconds} s in all; load average ${meta.loadAvg} at start, ${meta.loadAvgEnd} at the end`);

  // Loaded only here: it brings libsodium into the parent process.
  const { curveCeilingReport } = await import("./cipher-ceiling.js");
  const ceiling = await curveCeilingReport(results, columns);
  if (ceiling !== undefined) {
    const { note, ...figures } = ceiling;
    meta.cipherCeiling = figures;
  }
  const table = formatTable(columns, results) + (ceiling === undefined ? "" : `\nnote: ${ceiling.note}`);
  const json = opts.json === undefined ? undefined : `${JSON.stringify(toJson(meta, columns, results), null, 2)}\n`;
  if (opts.json === "-") {
    log(`\n${table}`);
    process.stdout.write(json!);
  } else {
    console.log(`\n${table}`);
    if (opts.json !== undefined) {
      writeFileSync(opts.json, json!);
      log(`wrote ${opts.json}`);
    }
  }
  return results.some((r) => r.cells.some((c) => c.failures.length > 0)) ? 1 : 0;
}

async function describeColumns(libs: readonly LibName[]): Promise<Column[]> {
  return Promise.all(
    libs.map(async (lib, i) => {
      const label = libs.indexOf(lib) === i ? lib : `${lib}#${i + 1}`;
      const [version, reports] = await loadLib(lib).then(
        (l) => [l.packageVersion, l.version],
        () => ["unavailable", ""],
      );
      return { label, lib, version, reports };
    }),
  );
}

async function runWorkload(
  workload: Workload,
  columns: readonly Column[],
  params: RunParams,
  opts: BenchOptions,
): Promise<WorkloadResult> {
  const started = Date.now();
  const cells: Cell[] = [];
  for (const col of columns) {
    cells.push({ unavailable: await unavailableReason(workload, col.lib), samples: [], failures: [] });
  }
  const rounds = Math.min(opts.rounds, workload.maxRounds ?? opts.rounds);
  for (let round = 0; round < rounds; round++) {
    // Alternate which library goes first so drift over the run does not favour one of them.
    const order = columns.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const cell = cells[i]!;
      if (cell.unavailable !== undefined || cell.failures.length > 0) continue; // a failure is not retried
      const tag = `${workload.name} round ${round + 1}/${rounds} ${columns[i]!.label}`;
      try {
        const m = await measure(workload, columns[i]!.lib, params, Math.max(opts.timeoutMs, workload.timeoutMs ?? 0), workload.stallMs ?? opts.stallMs);
        cell.samples.push(m);
        log(`${tag}: ${Object.entries(m).map(([k, v]) => `${k} ${formatFigure(v)}`).join(", ")}`);
      } catch (err) {
        const message = (err as Error).message;
        cell.failures.push(`round ${round + 1}: ${message}`);
        log(`${tag}: FAILED ${message}`);
      }
    }
  }
  return { workload, cells, wallSeconds: (Date.now() - started) / 1000 };
}

async function unavailableReason(workload: Workload, lib: LibName): Promise<string | undefined> {
  try {
    const loaded = await loadLib(lib);
    const missing = workload.requires.filter((c) => !loaded.has(c));
    if (missing.length > 0) return `no ${missing.join(", ")} export`;
    return workload.prerequisite?.(lib);
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * One measurement, bounded twice: by a deadline, and by a watchdog that fails it once the
 * workers' progress answers stop changing. Either way its workers are killed.
 */
async function measure(
  workload: Workload,
  lib: LibName,
  params: RunParams,
  timeoutMs: number,
  stallMs: number,
): Promise<Measurement> {
  const workers = new WorkerGroup();
  let timer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const bounds = new Promise<never>((_, reject) => {
    const fail = (why: string): void => {
      const progress = workers.progress();
      workers.killAll();
      reject(new Error(progress === "" ? why : `${why} (${progress})`));
    };
    timer = setTimeout(() => fail(`timed out after ${timeoutMs / 1000} s`), timeoutMs);
    let last = "";
    let lastChange = Date.now();
    watchdog = setInterval(() => {
      const now = workers.progress();
      if (now !== last) {
        last = now;
        lastChange = Date.now();
      } else if (now !== "" && Date.now() - lastChange >= stallMs) {
        fail(`stalled: no progress for ${stallMs / 1000} s`);
      }
      workers.probeAll();
    }, Math.min(1000, stallMs / 4));
  });
  try {
    return await Promise.race([workload.run(lib, params, workers), bounds]);
  } catch (err) {
    workers.killAll();
    throw err;
  } finally {
    clearTimeout(timer);
    clearInterval(watchdog);
    await workers.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`bench: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
