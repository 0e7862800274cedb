/**
 * When the store calls fdatasync, and so when a put is confirmed:
 *   always  after the write that holds the message is synced (puts arriving together share
 *           one sync: group commit, so the cost is per batch, not per message);
 *   batch   by a sync at most `intervalMs` after the write, and at most one sync per
 *           interval (a write after a quiet spell is synced at once);
 *   none    once the write is in the kernel: survives the process dying, not the machine.
 */
import { WiremqRangeError } from "../../../errors.js";
export type SyncMode = "always" | "batch" | "none";

export interface SyncPolicy {
  mode: SyncMode;
  /** For "batch": the longest a confirmed write waits for its sync. */
  intervalMs: number;
}

export const DEFAULT_SYNC_INTERVAL_MS = 10;

/** How the broker's options name a sync policy: a misspelt one does not compile. */
export type SyncOption = "always" | "none" | "batch" | `batch:${number}`;

/** Parses "always", "none", "batch" or "batch:N" (N ms). Throws RangeError otherwise. */
export function parseSyncPolicy(text: string): SyncPolicy {
  if (text === "always" || text === "none") return { mode: text, intervalMs: DEFAULT_SYNC_INTERVAL_MS };
  const m = /^batch(?::(\d+))?$/.exec(text);
  if (m === null) throw new WiremqRangeError("EINVAL", `sync must be always, none, batch or batch:MS, not ${JSON.stringify(text)}`);
  const intervalMs = m[1] === undefined ? DEFAULT_SYNC_INTERVAL_MS : Number(m[1]);
  if (intervalMs < 1 || intervalMs > 60_000) throw new WiremqRangeError("EINVAL", "batch sync interval must be 1..60000 ms");
  return { mode: "batch", intervalMs };
}

export function formatSyncPolicy(p: SyncPolicy): string {
  return p.mode === "batch" ? `batch:${p.intervalMs}` : p.mode;
}
