// Command-line options of `npm run bench -- [options]`.
import { LIB_NAMES, type LibName } from "./lib-loader.js";

export interface BenchOptions {
  /** One or two libraries; the ratio column is second/first. */
  libs: LibName[];
  rounds: number;
  quick: boolean;
  scale: number;
  filters: string[];
  /** undefined: no JSON; "-": JSON on stdout (the table goes to stderr); else a file path. */
  json: string | undefined;
  timeoutMs: number;
  /** Fail a measurement whose workers report no progress for this long. */
  stallMs: number;
  list: boolean;
  help: boolean;
}

export const USAGE = `usage: node dist/bench/run.js [options]   (or: npm run bench -- [options])
  --libs A,B       libraries to compare, baseline first (default zeromq,wiremq;
                   zeromq,zeromq tests the harness; one name runs one column)
  --rounds N       measurements per library per workload, medians reported (default 5)
  --quick          smoke run: 1 round, a fifth of the messages, shorter timeout
  --filter S       run only workloads whose name contains S (repeatable; comma = or; =S: exactly S)
  --json[=PATH]    write results as JSON to stdout (table then goes to stderr) or to PATH
  --timeout SEC    limit for one measurement, after which its workers are killed (default 60, quick 20)
  --stall SEC      fail a measurement early when its workers make no progress that long (default 10, quick 4)
  --scale F        multiply every message count by F (default 1)
  --list           list workloads and exit`;

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const opts: BenchOptions = {
    libs: ["zeromq", "wiremq"],
    rounds: Number.NaN,
    quick: false,
    scale: 1,
    filters: [],
    json: undefined,
    timeoutMs: Number.NaN,
    stallMs: Number.NaN,
    list: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--libs":
        opts.libs = value().split(",").map(parseLib);
        if (opts.libs.length < 1 || opts.libs.length > 2) throw new Error("--libs takes one or two names");
        break;
      case "--rounds":
        opts.rounds = positiveInt(flag, value());
        break;
      case "--quick":
        opts.quick = true;
        break;
      case "--scale":
        opts.scale = positiveNumber(flag, value());
        break;
      case "--filter":
        opts.filters.push(...value().split(",").filter((s) => s.length > 0));
        break;
      case "--json":
        opts.json = inline === undefined || inline === "" ? "-" : inline;
        break;
      case "--timeout":
        opts.timeoutMs = positiveNumber(flag, value()) * 1000;
        break;
      case "--stall":
        opts.stallMs = positiveNumber(flag, value()) * 1000;
        break;
      case "--list":
        opts.list = true;
        break;
      case "--help":
      case "-h":
        opts.help = true;
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  if (Number.isNaN(opts.rounds)) opts.rounds = opts.quick ? 1 : 5;
  if (Number.isNaN(opts.timeoutMs)) opts.timeoutMs = (opts.quick ? 20 : 60) * 1000;
  if (Number.isNaN(opts.stallMs)) opts.stallMs = (opts.quick ? 4 : 10) * 1000;
  return opts;
}

function parseLib(name: string): LibName {
  const lib = LIB_NAMES.find((l) => l === name.trim());
  if (lib === undefined) throw new Error(`unknown library ${name}; expected one of ${LIB_NAMES.join(", ")}`);
  return lib;
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} expects a positive integer, got ${v}`);
  return n;
}

function positiveNumber(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} expects a positive number, got ${v}`);
  return n;
}
