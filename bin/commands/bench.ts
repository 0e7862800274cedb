import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ParsedArgs } from "../cli/args.js";
import { CliError } from "../cli/cli-error.js";
import type { Command } from "../cli/command.js";
import { EXIT, type ExitCode } from "../cli/exit-codes.js";
import { ProgressBar } from "../cli/progress-bar.js";

/** The harness's per-measurement log line: `<workload> round <r>/<R> <library>: <figures>`. */
const MEASUREMENT = /^(\S+) round (\d+)\/(\d+) (\S+): /;

export const benchCommand: Command = {
  spec: {
    name: "bench",
    summary: "run the benchmark harness (wiremq against zeromq side by side) with a progress bar",
    usage: "[harness options]",
    passThrough: true,
    options: [],
    details: [
      "Runs dist/bench/run.js (see bench/README.md) with the options given, which it checks itself;",
      "`wiremq bench --help` lists them. On a terminal a bar shows measurements done out of the total.",
      "Exit code: the harness's (0 all measured, 1 a measurement failed, 2 bad options).",
    ].join("\n"),
    examples: ["wiremq bench --quick", "wiremq bench --filter tcp --rounds 3 --json=results.json"],
  },
  available: () => existsSync(harnessPath("run.js")),
  run: bench,
};

function harnessPath(name: string): string {
  return fileURLToPath(new URL(`../../bench/${name}`, import.meta.url));
}

async function bench(_args: ParsedArgs, argv: readonly string[]): Promise<ExitCode> {
  const runJs = harnessPath("run.js");
  if (!existsSync(runJs)) {
    // The harness measures wiremq beside zeromq, a dev dependency: it belongs to a checkout.
    throw new CliError("ENOENT", "the benchmark harness is not in the installed package; it runs from a checkout of the repository (npm ci && npm run bench)", EXIT.FAILURE);
  }
  const bar = new ProgressBar(process.stderr, await countMeasurements(argv));
  const child = spawn(process.execPath, [runJs, ...argv], { stdio: ["ignore", "inherit", "pipe"] });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  const lines = createInterface({ input: child.stderr!, crlfDelay: Infinity });
  lines.on("line", (line) => {
    const m = MEASUREMENT.exec(line);
    if (m === null) bar.print(line);
    else bar.step(line, `${m[1]} ${m[4]} round ${m[2]}/${m[3]}`);
  });
  const code = await new Promise<number>((resolve) => {
    child.on("close", (status, signal) => resolve(status ?? (signal === null ? 1 : 128)));
  });
  process.off("SIGINT", forward);
  process.off("SIGTERM", forward);
  bar.finish();
  return code === 0 || code === 1 || code === 2 ? code : EXIT.FAILURE;
}

/**
 * How many measurements the harness will make (workloads × libraries × rounds), from its own
 * option parser and registry; null when that cannot be known (bad options: the harness says why).
 */
async function countMeasurements(argv: readonly string[]): Promise<number | null> {
  try {
    const { parseBenchArgs } = (await import(harnessPath("args.js"))) as typeof import("../../bench/args.js");
    const { workloads } = (await import(harnessPath("workloads/index.js"))) as typeof import("../../bench/workloads/index.js");
    const opts = parseBenchArgs(argv);
    if (opts.help || opts.list) return null;
    const selected = workloads.filter((w) => opts.filters.length === 0 || opts.filters.some((f) => w.name.includes(f)));
    return selected.length * opts.libs.length * opts.rounds;
  } catch {
    return null;
  }
}
