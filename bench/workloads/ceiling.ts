// Lines against what any pure-JS library could reach on Node rather than against zeromq: the
// first column runs the node:net ceiling (bench/raw-net.ts, the library "raw") in the place of
// the baseline library, the others run themselves, so the ratio is wiremq / ceiling in one run.
import type { LibName } from "../lib-loader.js";
import type { Workload } from "./types.js";

/** `inner` under the name `ceiling/…`, with the raw node:net program in the baseline column. */
export function ceilingWorkload(inner: Workload, name: string, what: string): Workload {
  return {
    ...inner,
    name,
    description: `${what}; the first column is raw node:net framing behind the same API (bench/raw-net.ts), not zeromq`,
    run(lib, params, workers) {
      const actual: LibName = lib === "zeromq" ? "raw" : lib;
      return inner.run(actual, params, workers);
    },
  };
}
