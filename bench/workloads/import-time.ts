import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "../stats.js";
import type { Measurement, Workload } from "./types.js";

/** The repository: `require("wiremq")` from here resolves the package's own exports, as a user's would. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** Fresh processes per way of loading in one round (issue 20 asks for the median of 11). */
const PROCESSES = 11;

/**
 * One fresh `node` that loads the package and reports the CPU (user + system) and wall time
 * the load took, in ms: `require("…")` from a script, or `await import("…")` from an ES module.
 */
function timeLoad(specifier: string, how: "require" | "import"): Promise<{ cpuMs: number; wallMs: number }> {
  const load = how === "require" ? `require(${JSON.stringify(specifier)})` : `await import(${JSON.stringify(specifier)})`;
  const program = `const t0 = process.hrtime.bigint(), c0 = process.cpuUsage(); ${load};
    const c = process.cpuUsage(c0);
    console.log(JSON.stringify({ cpuMs: (c.user + c.system) / 1000, wallMs: Number(process.hrtime.bigint() - t0) / 1e6 }));`;
  const args = how === "require" ? ["-e", program] : ["--input-type=module", "-e", program];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: 20_000 }, (err, stdout) => {
      if (err !== null) reject(err);
      else resolve(JSON.parse(stdout.trim()) as { cpuMs: number; wallMs: number });
    });
  });
}

/**
 * Import time (issue 20: ≤ 50 ms): `require("wiremq")` and `import "wiremq"` against the same
 * for `zeromq`, each in fresh processes, the two ways alternating; a round's figure is the
 * median of its 11 processes.
 */
export function importTimeWorkload(): Workload {
  return {
    name: "import/main-entry",
    description: `require() and import of the main entry in a fresh process (median of ${PROCESSES} per round), CPU and wall time of the load alone`,
    requires: [],
    prerequisite: (lib) => (lib === "raw" ? "raw is not a package" : undefined),
    metrics: [
      { key: "requireCpuMs", unit: "ms CPU, require", better: "lower" },
      { key: "requireWallMs", unit: "ms wall, require", better: "lower" },
      { key: "importCpuMs", unit: "ms CPU, import", better: "lower" },
      { key: "importWallMs", unit: "ms wall, import", better: "lower" },
    ],
    targets: [
      { metric: "requireCpuMs", limit: 50 },
      { metric: "requireWallMs", limit: 50 },
      { metric: "importCpuMs", limit: 50 },
      { metric: "importWallMs", limit: 50 },
    ],
    maxRounds: 3,
    async run(lib, params) {
      const n = params.quick ? 3 : PROCESSES;
      const runs = { require: [] as Array<{ cpuMs: number; wallMs: number }>, import: [] as Array<{ cpuMs: number; wallMs: number }> };
      for (let i = 0; i < n; i++) {
        for (const how of i % 2 === 0 ? (["require", "import"] as const) : (["import", "require"] as const)) runs[how].push(await timeLoad(lib, how));
      }
      const out: Measurement = {
        requireCpuMs: median(runs.require.map((r) => r.cpuMs)),
        requireWallMs: median(runs.require.map((r) => r.wallMs)),
        importCpuMs: median(runs.import.map((r) => r.cpuMs)),
        importWallMs: median(runs.import.map((r) => r.wallMs)),
      };
      return out;
    },
  };
}
