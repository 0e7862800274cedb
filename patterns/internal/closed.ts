/** The error a pattern object's methods give once it is closed, shaped as the sockets' EBADF. */
import { AbortError, WiremqError } from "../../lib/public-errors.js";
export function closedError(what: string): WiremqError {
  return new WiremqError("EBADF", `${what} is closed`);
}

/** The reason an aborted signal gives: its own reason when that is an Error, else an AbortError. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new AbortError(undefined, { cause: reason });
}
