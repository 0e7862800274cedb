// What a workload is: a named measurement the runner repeats for each library.
import type { WorkerGroup } from "../child.js";
import type { LibName, SocketClassName } from "../lib-loader.js";

export interface MetricSpec {
  /** Key in the Measurement, e.g. "msgsPerSec". */
  key: string;
  /** Printed unit, e.g. "msgs/s". */
  unit: string;
  better: "higher" | "lower";
}

/** A goal on the ratio candidate/baseline of one metric (from issue 5). */
export interface Target {
  metric: string;
  /** "higher" metrics pass at ratio >= this; "lower" metrics pass at ratio <= this. */
  ratio: number;
}

export type Measurement = Record<string, number>;

export interface RunParams {
  /** Smoke run: fewer messages. */
  quick: boolean;
  /** Multiplies message counts (--scale). */
  scale: number;
}

export interface Workload {
  /** Slash-separated, e.g. "push-pull/tcp/16B"; --filter matches substrings of it. */
  name: string;
  description: string;
  /** Socket classes the library must export; otherwise its column reads "unavailable". */
  requires: SocketClassName[];
  metrics: MetricSpec[];
  targets?: Target[];
  /** Overrides the runner's stall limit (ms), for a workload whose workers idle on purpose. */
  stallMs?: number;
  /** One measurement. Workers go in `workers`, which the runner disposes (and kills on timeout). */
  run(lib: LibName, params: RunParams, workers: WorkerGroup): Promise<Measurement>;
}

/** Message count for a run: `base` is sized for ~1 s with zeromq on a 2-core machine. */
export function scaledCount(base: number, params: RunParams, min = 20): number {
  return Math.max(min, Math.round(base * params.scale * (params.quick ? 0.2 : 1)));
}
