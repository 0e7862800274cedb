/** The error a pattern object's methods give once it is closed, shaped as the sockets' EBADF. */
export function closedError(what: string): Error & { code: string } {
  return Object.assign(new Error(`${what} is closed`), { code: "EBADF" });
}

/** The reason an aborted signal gives: its own reason when that is an Error, else an AbortError. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return Object.assign(new Error("The operation was aborted"), { name: "AbortError", code: "ABORT_ERR" });
}
