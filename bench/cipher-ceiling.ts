// The most CURVE throughput wiremq can reach on this machine, from the speed of its cipher alone.
// Both ends run XSalsa20-Poly1305 over every byte (the sender boxes, the receiver opens, at the
// same cost), so with C cores shared by the two processes the rate cannot pass C × (one core's
// boxing rate) / 2, however the work is spread. Printed beside the CURVE 64 KiB line so a
// shortfall there can be told apart from overhead of wiremq's own. It is the wasm line's ceiling:
// the sodium-native accelerator is not what it measures.
import { cpus } from "node:os";
import { wasmBoxAfterInto as boxAfterInto, KEY_BYTES, loadSodium, MAC_BYTES, NONCE_BYTES } from "../lib/mechanisms/sodium.js";
import type { Column, WorkloadResult } from "./report.js";
import { formatFigure, formatRatio, median } from "./stats.js";

export interface CipherCeiling {
  /** Payload bytes of each box. */
  size: number;
  /** MB/s (10^6 bytes of payload) one thread boxes, in place as wiremq's CURVE does. */
  mbPerSecPerCore: number;
  cores: number;
  /** cores × mbPerSecPerCore / 2. */
  ceilingMbPerSec: number;
}

/** Boxes `size`-byte payloads for about `seconds` in each of three rounds; the median round. */
/** libsodium must be loaded (loadSodium) first. */
export function measureCipherCeiling(size: number, seconds = 0.4): CipherCeiling {
  const body = Buffer.alloc(size, 0x61);
  const out = Buffer.allocUnsafe(MAC_BYTES + 1 + size);
  const key = Buffer.alloc(KEY_BYTES, 7);
  const nonce = Buffer.alloc(NONCE_BYTES, 1);
  const box = (): void => boxAfterInto(out, 0, 0, body, nonce, key);
  for (let i = 0; i < 50; i++) box(); // JIT and wasm tier-up outside the timing
  const rates: number[] = [];
  for (let round = 0; round < 3; round++) {
    let n = 0;
    const start = process.hrtime.bigint();
    const until = start + BigInt(Math.round(seconds * 1e9));
    let now = start;
    while (now < until) {
      for (let i = 0; i < 16; i++) box();
      n += 16;
      now = process.hrtime.bigint();
    }
    rates.push((n * size) / (Number(now - start) / 1e9) / 1e6);
  }
  const mbPerSecPerCore = median(rates);
  const cores = cpus().length;
  return { size, mbPerSecPerCore, cores, ceilingMbPerSec: (cores * mbPerSecPerCore) / 2 };
}

/** The CURVE line the ceiling is shown beside. */
const CURVE_LINE = "curve-wasm-push-pull/tcp/64KiB";

export interface CeilingReport extends CipherCeiling {
  /** The ceiling over the baseline column's median MB/s on the CURVE line, when it has one. */
  ratioToBaseline: number | null;
  note: string;
}

/**
 * When the CURVE 64 KiB line ran for wiremq: measures the cipher now (after the workloads, so it
 * does not disturb them) and words the ceiling against the first column's median.
 */
export async function curveCeilingReport(results: readonly WorkloadResult[], columns: readonly Column[]): Promise<CeilingReport | undefined> {
  const result = results.find((r) => r.workload.name === CURVE_LINE);
  if (result === undefined || !columns.some((c) => c.lib === "wiremq")) return undefined;
  await loadSodium();
  const ceiling = measureCipherCeiling(64 * 1024);
  const baseline = result.cells[0]!.samples.map((s) => s.mbPerSec).filter((v): v is number => v !== undefined);
  const ratioToBaseline = columns.length > 1 && baseline.length > 0 ? ceiling.ceilingMbPerSec / median(baseline) : null;
  const versus = ratioToBaseline === null ? "" : ` (${formatRatio(ratioToBaseline)} ${columns[0]!.label}'s median)`;
  const note =
    `${CURVE_LINE}: libsodium (wasm) boxes 64 KiB at ${formatFigure(ceiling.mbPerSecPerCore)} MB/s in one thread here; ` +
    `both ends box every byte, so on ${ceiling.cores} cores wiremq cannot carry more than ` +
    `${formatFigure(ceiling.ceilingMbPerSec)} MB/s${versus}`;
  return { ...ceiling, ratioToBaseline, note };
}
