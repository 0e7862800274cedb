/**
 * Socket options a user passes through to the broker's ROUTER or a client's DEALERs: security
 * (CURVE, PLAIN, ZAP domain), heartbeats, keepalive and the like, by their zeromq names. The
 * few the broker protocol depends on are set by the broker or client and refused here.
 */
import { zmqError } from "../errors.js";

export const BROKER_SOCKET_OWNS = ["handover", "mandatory", "sendHighWaterMark", "maxMessageSize", "disconnectMessage"] as const;
export const CLIENT_SOCKET_OWNS = ["routingId", "immediate", "linger", "reconnectInterval", "reconnectMaxInterval"] as const;

/** A copy of `given` (an object of socket options), or EINVAL naming what is wrong. */
export function passThroughOptions<T extends object>(given: T | undefined, owned: readonly string[], who: string): T {
  if (given === undefined) return {} as T;
  if (given === null || typeof given !== "object" || Array.isArray(given)) throw zmqError("EINVAL", "socketOptions must be an object");
  for (const name of owned) {
    if (name in given) throw zmqError("EINVAL", `socketOptions.${name} is set by the ${who} itself`);
  }
  return { ...given };
}

/** Runs `make` (a socket constructor call), reporting a refused option as EINVAL. */
export function withOptionErrors<S>(make: () => S): S {
  try {
    return make();
  } catch (err) {
    if ((err as { code?: unknown }).code !== undefined) throw err;
    throw zmqError("EINVAL", `socketOptions: ${(err as Error).message}`);
  }
}
