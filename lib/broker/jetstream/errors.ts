/**
 * What the NATS client throws, as wiremq errors. The one that matters most: while a stream or
 * the JetStream meta group elects a leader, the server has no responder for the API subject,
 * and the client reports "jetstream is not enabled", which reads as a misconfiguration. It is
 * a pause of a few seconds, so it becomes EUNAVAILABLE, which callers retry.
 */
import { isWiremqError, zmqError, type WiremqError } from "../../errors.js";

/** Names of the client's error classes that mean "try again shortly". */
const RETRYABLE = new Set(["JetStreamNotEnabled", "NoRespondersError", "TimeoutError", "ConnectionError", "RequestError"]);

export function isRetryable(err: unknown): boolean {
  if (isWiremqError(err)) return err.code === "EUNAVAILABLE";
  const e = err as { name?: string; status?: number; code?: unknown } | null;
  if (e === null || typeof e !== "object") return false;
  // JetStream API errors with status 503 are "temporarily unavailable" (no leader yet).
  if (e.name === "JetStreamApiError" && e.status === 503) return true;
  if (e.name === "JetStreamStatusError" && (e.code === 503 || e.code === 408)) return true;
  return e.name !== undefined && RETRYABLE.has(e.name);
}

/** `err` as a wiremq error with a code: EUNAVAILABLE when retrying may succeed. */
export function fromNats(err: unknown, doing: string): WiremqError {
  if (isWiremqError(err)) return err as WiremqError;
  const message = (err as Error | null)?.message ?? String(err);
  if (isRetryable(err)) return zmqError("EUNAVAILABLE", `JetStream unavailable while ${doing} (${message}): no leader yet or a server restarting; retry`, { cause: err });
  const name = (err as { name?: string } | null)?.name;
  if (name === "ClosedConnectionError" || name === "DrainingConnectionError") return zmqError("EBADF", `the NATS connection is closed (${doing})`, { cause: err });
  if (name === "InvalidNameError" || name === "InvalidSubjectError" || name === "InvalidArgumentError") return zmqError("EINVAL", `${doing}: ${message}`, { cause: err });
  return zmqError("EINTERNAL", `JetStream failed while ${doing}: ${message}`, { cause: err });
}
