import { RpcError } from "./errors.js";

/**
 * A call's time budget and retries, given on the client (defaults for every call) or per call.
 * A call that runs out of time rejects with an RpcError `ETIMEDOUT`; a bad value throws `EINVAL`.
 */
export interface RetryOptions {
  /** The most a call may take, retries included, in ms (default 5000). */
  timeout?: number;
  /** Further attempts after one times out, for idempotent methods only (default 2). */
  retries?: number;
  /** How long one attempt waits for its reply (default timeout / (retries + 1)). */
  attemptTimeout?: number;
}

/** Node fires a longer timer after 1 ms. */
const MAX_TIMER = 0x7fffffff;

/**
 * A call's limits: its own, else the client's, else the defaults. An attemptTimeout set on the
 * client is kept unless the call changes its own budget (timeout or retries).
 */
export function retryOptions(given: RetryOptions, base: RetryOptions = {}): Required<RetryOptions> {
  const timeout = given.timeout ?? base.timeout ?? 5000;
  const retries = given.retries ?? base.retries ?? 2;
  const inherited = given.timeout === undefined && given.retries === undefined ? base.attemptTimeout : undefined;
  const attemptTimeout = given.attemptTimeout ?? inherited ?? timeout / (retries + 1);
  if (!(timeout > 0) || !(attemptTimeout > 0) || timeout > MAX_TIMER || attemptTimeout > MAX_TIMER || !Number.isInteger(retries) || retries < 0) {
    throw new RpcError("EINVAL", "timeout and attemptTimeout must be positive (at most 2^31-1 ms), retries a non-negative integer");
  }
  return { timeout, retries, attemptTimeout };
}
