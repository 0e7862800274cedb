/**
 * Settings for the fast-check properties: seeded so a failure replays, bounded for CI. A longer
 * soak raises the run count: `PROPERTY_RUNS=200000 PROPERTY_SEED=7 npx vitest run test/property`
 * (see scripts/soak-property.sh).
 */
import type { Parameters } from "fast-check";

const runs = Number(process.env.PROPERTY_RUNS ?? 300);
const seed = Number(process.env.PROPERTY_SEED ?? 20261205);

/** Parameters for fc.assert: the suite's seed and run count, scaled per property. */
export function propertyRuns(scale = 1): Parameters<unknown> {
  return { seed, numRuns: Math.max(1, Math.round(runs * scale)), endOnFailure: true };
}

/** The code of an error a decoder may throw for bad input; anything else is a bug. */
export function codeOf(err: unknown): string {
  if (!(err instanceof Error)) throw new Error(`threw a non-Error: ${String(err)}`);
  const code = (err as { code?: unknown }).code;
  if (typeof code !== "string" || code === "") throw new Error(`threw without a code: ${err.name}: ${err.message}`);
  return code;
}
