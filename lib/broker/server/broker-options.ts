/** The Broker's options: defaults and checks, done once, on a copy of what the caller gave. */
import { zmqError } from "../../errors.js";
import type { RouterOptions } from "../../sockets/router.js";
import { BROKER_SOCKET_OWNS, passThroughOptions } from "../socket-options.js";
import { parseSyncPolicy, type SyncOption, type SyncPolicy } from "./store/sync-policy.js";

/**
 * Options of a {@link Broker}: where it listens, where and how it stores, leases, limits and
 * the ROUTER's socket options. `bind` is required, and so is `dataDir` unless `memory` is true.
 */
export interface BrokerOptions {
  /** Where to listen: one endpoint or several (`tcp://127.0.0.1:0` for an ephemeral port). */
  bind: string | string[];
  /** The store's directory. Required unless `memory` is true. */
  dataDir?: string;
  /** Keep messages in memory only (tests): lost when the process ends. */
  memory?: boolean;
  /** "always" (default), "none", "batch" or "batch:MS" (checked at run time too, for JavaScript callers). */
  sync?: SyncOption;
  /** For sync "batch": sync at least this often, in ms (default 10). */
  syncIntervalMs?: number;
  /** Roll to a new segment file past this many bytes (default 16 MiB). */
  segmentBytes?: number;
  /** Clients ping this often (ms); a session silent for 3 intervals ends (default 1000). */
  heartbeatInterval?: number;
  /** How long a delivery may stay unacknowledged before it returns to the queue (default 30 s). */
  leaseTimeout?: number;
  /** Deliveries of a message before it goes to the dead-letter queue (default 5). */
  maxDeliveries?: number;
  /** Largest message body accepted (default 16 MiB). */
  maxMessageBytes?: number;
  /** A name for this broker in stats and HELLO replies (default: a random one). */
  brokerId?: string;
  /**
   * Options for the broker's ROUTER by their zeromq names: `curveServer` and `curveSecretKey`
   * (clients then need its public key), `plainServer`, `zapDomain`, heartbeats, keepalive...
   * Authentication is the process's ZAP handler's (`setZapHandler`, `createAuthenticator`).
   * handover, mandatory, sendHighWaterMark, maxMessageSize and disconnectMessage are the
   * broker's own.
   */
  socketOptions?: RouterOptions;
}

export interface ResolvedBrokerOptions {
  bind: string[];
  dataDir: string | null;
  sync: SyncPolicy;
  segmentBytes: number;
  heartbeatInterval: number;
  leaseTimeout: number;
  maxDeliveries: number;
  maxMessageBytes: number;
  brokerId: string | null;
  socketOptions: RouterOptions;
}

function positiveInt(name: string, value: number | undefined, fallback: number, max = 2 ** 31): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw zmqError("EINVAL", `${name} must be an integer from 1 to ${max}`);
  return value;
}

export function resolveBrokerOptions(o: BrokerOptions): ResolvedBrokerOptions {
  if (o === null || typeof o !== "object") throw zmqError("EINVAL", "Broker options must be an object");
  const bind = typeof o.bind === "string" ? [o.bind] : Array.isArray(o.bind) ? [...o.bind] : [];
  if (bind.length === 0 || bind.some((b) => typeof b !== "string" || b.length === 0)) {
    throw zmqError("EINVAL", "bind must be an endpoint or a non-empty list of endpoints");
  }
  if (o.memory === true && o.dataDir !== undefined) throw zmqError("EINVAL", "give either dataDir or memory: true, not both");
  if (o.memory !== true && (typeof o.dataDir !== "string" || o.dataDir.length === 0)) {
    throw zmqError("EINVAL", "dataDir is required (or memory: true)");
  }
  let sync: SyncPolicy;
  try {
    sync = parseSyncPolicy(o.sync ?? "always");
  } catch (err) {
    throw zmqError("EINVAL", (err as Error).message);
  }
  if (o.syncIntervalMs !== undefined) {
    if (sync.mode !== "batch") throw zmqError("EINVAL", "syncIntervalMs applies to sync: batch only");
    sync.intervalMs = positiveInt("syncIntervalMs", o.syncIntervalMs, 10, 60_000);
  }
  return {
    bind,
    dataDir: o.memory === true ? null : o.dataDir!,
    sync,
    segmentBytes: positiveInt("segmentBytes", o.segmentBytes, 16 * 1024 * 1024, 2 ** 30),
    heartbeatInterval: positiveInt("heartbeatInterval", o.heartbeatInterval, 1000, 600_000),
    leaseTimeout: positiveInt("leaseTimeout", o.leaseTimeout, 30_000, 2 ** 31 - 1),
    maxDeliveries: positiveInt("maxDeliveries", o.maxDeliveries, 5, 1_000_000),
    maxMessageBytes: positiveInt("maxMessageBytes", o.maxMessageBytes, 16 * 1024 * 1024, 2 ** 30),
    brokerId: o.brokerId === undefined ? null : String(o.brokerId),
    socketOptions: passThroughOptions(o.socketOptions, BROKER_SOCKET_OWNS, "broker"),
  };
}
