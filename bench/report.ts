// Turns the collected samples into medians, ratios and target verdicts; prints them as a
// table or as JSON.
import type { CeilingReport } from "./cipher-ceiling.js";
import type { LibName } from "./lib-loader.js";
import { formatFigure, formatRatio, formatSpread, median, round } from "./stats.js";
import type { Measurement, MetricSpec, Workload } from "./workloads/types.js";

/** One column of the table: a library, labelled uniquely (zeromq, zeromq#2). */
export interface Column {
  label: string;
  lib: LibName;
  /** npm package version. */
  version: string;
  /** The module's own `version` export (libzmq's version for zeromq); "" when not loadable. */
  reports: string;
}

/** What one column got on one workload across its rounds. */
export interface Cell {
  unavailable?: string;
  samples: Measurement[];
  failures: string[];
}

export interface WorkloadResult {
  workload: Workload;
  cells: Cell[]; // parallel to columns
  /** Wall time of all its rounds, worker start-up included. */
  wallSeconds: number;
}

export interface MetricRow {
  workload: string;
  metric: string;
  unit: string;
  better: MetricSpec["better"];
  /** Median per column label; null when unavailable or every round failed. */
  values: Record<string, number | null>;
  samples: Record<string, number[]>;
  /** Last column over first; null without two figures. */
  ratio: number | null;
  /** On the ratio, or (`limit`) on the last column's own figure. */
  target: { op: ">=" | "<="; ratio: number } | { op: ">=" | "<="; limit: number } | null;
  verdict: "pass" | "short" | null;
}

export function metricRows(columns: readonly Column[], result: WorkloadResult): MetricRow[] {
  const { workload, cells } = result;
  return workload.metrics.map((spec) => {
    const values: Record<string, number | null> = {};
    const samples: Record<string, number[]> = {};
    columns.forEach((col, i) => {
      const series = cells[i]!.samples.map((m) => m[spec.key]).filter((v): v is number => typeof v === "number");
      samples[col.label] = series.map((v) => round(v));
      if (series.length === 0) values[col.label] = null;
      else values[col.label] = spec.summary === "max" ? Math.max(...series) : median(series);
    });
    const first = values[columns[0]!.label] ?? null;
    const last = columns.length > 1 ? (values[columns[columns.length - 1]!.label] ?? null) : null;
    const ratio = first !== null && last !== null && first > 0 ? last / first : null;
    const goal = workload.targets?.find((t) => t.metric === spec.key);
    const op = spec.better === "higher" ? (">=" as const) : ("<=" as const);
    let target: MetricRow["target"] = null;
    let judged: number | null = null; // what the target is checked against
    if (goal !== undefined && "ratio" in goal) {
      target = { op, ratio: goal.ratio };
      judged = ratio;
    } else if (goal !== undefined) {
      target = { op, limit: goal.limit };
      judged = columns.length > 1 ? last : first;
    }
    let verdict: MetricRow["verdict"] = null;
    if (target !== null && judged !== null) {
      const bound = "ratio" in target ? target.ratio : target.limit;
      verdict = (target.op === ">=" ? judged >= bound : judged <= bound) ? "pass" : "short";
    }
    const { key: metric, unit, better } = spec;
    return { workload: workload.name, metric, unit, better, values, samples, ratio, target, verdict };
  });
}

export function formatTable(columns: readonly Column[], results: readonly WorkloadResult[]): string {
  const header = ["workload", "metric", ...columns.map((c) => c.label)];
  const compare = columns.length > 1;
  if (compare) header.push(`${columns[columns.length - 1]!.label}/${columns[0]!.label}`, "target", "verdict");
  const rows: string[][] = [header];
  const notes: string[] = [];
  for (const result of results) {
    metricRows(columns, result).forEach((row, index) => {
      const cells = columns.map((col, i) => cellText(result.cells[i]!, row.values[col.label] ?? null, row.samples[col.label]!));
      const line = [index === 0 ? row.workload : "", row.unit, ...cells];
      if (compare) {
        const target = row.target ? `${row.target.op === ">=" ? "≥" : "≤"}${targetText(row.target)}` : "";
        line.push(row.ratio === null ? "-" : formatRatio(row.ratio), target, row.verdict ?? "");
      }
      rows.push(line);
    });
    result.cells.forEach((cell, i) => {
      const label = columns[i]!.label;
      if (cell.unavailable !== undefined) {
        notes.push(`${result.workload.name} ${label}: unavailable (${cell.unavailable})`);
      }
      for (const f of cell.failures) notes.push(`${result.workload.name} ${label}: ${f}`);
    });
  }
  const widths = header.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const text = rows.map((r) =>
    r
      .map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join("  ")
      .trimEnd(),
  );
  text.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  if (results.some((r) => r.cells.some((c) => c.samples.length >= 3))) {
    text.push("", "±: half the range of the rounds around the median; *: some rounds failed (see notes)");
  }
  if (notes.length > 0) text.push("", ...notes.map((n) => `note: ${n}`));
  return text.join("\n");
}

function targetText(target: NonNullable<MetricRow["target"]>): string {
  return "ratio" in target ? formatRatio(target.ratio) : String(target.limit);
}

function cellText(cell: Cell, value: number | null, samples: readonly number[]): string {
  if (cell.unavailable !== undefined) return "unavailable";
  if (value === null) return cell.failures.length > 0 ? "failed" : "-";
  const spread = formatSpread(samples);
  return `${formatFigure(value)}${spread ? ` ${spread.padStart(4)}` : ""}${cell.failures.length > 0 ? "*" : ""}`;
}

export interface RunMeta {
  date: string;
  node: string;
  platform: string;
  cpu: string;
  cpus: number;
  /** 1-minute load average when the run started; well above 0 means other work shared the CPUs. */
  loadAvg: number;
  rounds: number;
  quick: boolean;
  scale: number;
  /** GLIBC_TUNABLES as the workers inherit it (it changes how large bodies are allocated). */
  glibcTunables?: string;
  /** With the CURVE 64 KiB line: the most wiremq's cipher allows here (bench/cipher-ceiling.ts). */
  cipherCeiling?: Omit<CeilingReport, "note">;
  /** Wall time of the whole run, filled in at the end. */
  wallSeconds?: number;
  /** 1-minute load average when the run ended. */
  loadAvgEnd?: number;
}

export function toJson(meta: RunMeta, columns: readonly Column[], results: readonly WorkloadResult[]): unknown {
  return {
    meta,
    columns,
    results: results.map((result) => ({
      workload: result.workload.name,
      description: result.workload.description,
      wallSeconds: round(result.wallSeconds, 3),
      status: Object.fromEntries(
        columns.map((col, i) => {
          const cell = result.cells[i]!;
          const status = { unavailable: cell.unavailable ?? null, failures: cell.failures, rounds: cell.samples.length };
          return [col.label, status];
        }),
      ),
      metrics: metricRows(columns, result).map((row) => ({
        metric: row.metric,
        unit: row.unit,
        better: row.better,
        values: Object.fromEntries(Object.entries(row.values).map(([k, v]) => [k, v === null ? null : round(v)])),
        samples: row.samples,
        ratio: row.ratio === null ? null : round(row.ratio, 3),
        target: row.target,
        verdict: row.verdict,
      })),
    })),
  };
}
