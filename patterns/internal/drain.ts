import { outOfRange, WiremqError } from "../../lib/public-errors.js";

/** How a pattern object is closed: at once, or after the work it has already taken is done. */
export interface CloseOptions {
  /**
   * Stop taking new work, finish what is running and what was already received, then close
   * (default false: close at once, and whatever was received but not handled is dropped).
   */
  drain?: boolean;
  /**
   * With `drain`, the most ms to wait; then the object closes anyway and close() rejects with
   * ETIMEDOUT (default: no limit). Values above 2^31-1 ms count as no limit.
   */
  timeout?: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Checks a CloseOptions.timeout up front, as every option is (EINVAL for a bad one). */
export function drainTimeout(options: CloseOptions | undefined): number {
  const timeout = options?.timeout ?? Infinity;
  if (typeof timeout !== "number" || Number.isNaN(timeout) || timeout < 0) {
    throw outOfRange("timeout", "must be a number of ms ≥ 0");
  }
  return timeout;
}

/**
 * Waits for `work`, or for `timeout` ms: true when the work finished, false when the time ran
 * out first. The timer is cleared either way, so it never holds the process open.
 */
export async function finishWithin(work: Promise<unknown>, timeout: number): Promise<boolean> {
  if (timeout >= MAX_TIMER_MS) {
    await work;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeout)));
  try {
    return await Promise.race([work.then(() => true as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function drainTimedOut(what: string, timeout: number): WiremqError {
  return new WiremqError("ETIMEDOUT", `${what}: drain did not finish within ${timeout} ms; closed anyway`);
}
