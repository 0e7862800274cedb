// What a workload is: a named measurement the runner repeats for each library.
import type { WorkerGroup } from "../child.js";
import type { ExportName, LibName } from "../lib-loader.js";

export interface MetricSpec {
  /** Key in the Measurement, e.g. "msgsPerSec". */
  key: string;
  /** Printed unit, e.g. "msgs/s". */
  unit: string;
  better: "higher" | "lower";
  /** How the rounds are summarised: the median (default), or the worst round ("never > 50 ms"). */
  summary?: "median" | "max";
}

/**
 * A goal of issue 5 on one metric: either on the ratio candidate/baseline, or (`limit`) on the
 * candidate's own figure, such as "RSS growth ≤ 50 MB". The candidate is the last column.
 */
export type Target =
  | {
      metric: string;
      /** "higher" metrics pass at ratio >= this; "lower" metrics pass at ratio <= this. */
      ratio: number;
    }
  | {
      metric: string;
      /** "higher" metrics pass at figure >= this; "lower" metrics pass at figure <= this. */
      limit: number;
    };

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
  requires: ExportName[];
  /**
   * Why this library's column cannot run it (a part only wiremq has, an outside program such as
   * nats-server missing), or undefined: the column then reads "unavailable", with the reason in a note.
   */
  prerequisite?(lib: LibName): string | undefined;
  metrics: MetricSpec[];
  targets?: Target[];
  /** Overrides the runner's stall limit (ms), for a workload whose workers idle on purpose. */
  stallMs?: number;
  /** Raises --timeout for a workload that needs longer (10,000 connections with libzmq). */
  timeoutMs?: number;
  /** Caps --rounds for a workload that is slow or whose figure barely varies. */
  maxRounds?: number;
  /** One measurement. Workers go in `workers`, which the runner disposes (and kills on timeout). */
  run(lib: LibName, params: RunParams, workers: WorkerGroup): Promise<Measurement>;
}

/**
 * Message count for a run: `base` is sized for ~1 s with zeromq on a 2-core machine; --quick
 * takes `quickFraction` of it (a fifth unless the workload says otherwise).
 */
export function scaledCount(base: number, params: RunParams, min = 20, quickFraction = 0.2): number {
  return Math.max(min, Math.round(base * params.scale * (params.quick ? quickFraction : 1)));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
