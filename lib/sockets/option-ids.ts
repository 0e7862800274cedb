/**
 * Options by libzmq number, as zeromq's `getInt32Option(17)` / `setStringOption(5, "id")` and
 * the like reach them: each number names a property of the socket (or context), read or
 * written through it, with zeromq's argument checks, its conversions between the C types, and
 * its process warnings.
 */
import { WiremqTypeError, zmqError } from "../errors.js";
import { emitWarning } from "../util/warning.js";

/** The C type a method reads or writes: zeromq's get/set<Type>Option. */
export type OptionType = "Bool" | "Int32" | "Uint32" | "Int64" | "Uint64" | "String";

interface OptionId {
  name: string;
  type: OptionType;
  /** Readable (r), writable (w), or both. */
  access: "r" | "w" | "rw";
}

function table(entries: Array<[number, string, OptionType, OptionId["access"]?]>): ReadonlyMap<number, OptionId> {
  return new Map(entries.map(([id, name, type, access]) => [id, { name, type, access: access ?? "rw" }]));
}

/** libzmq's numbers (zmq.h) for the socket options zeromq defines as properties. */
export const SOCKET_OPTION_IDS = table([
  [4, "affinity", "Uint64"], [5, "routingId", "String"], [8, "rate", "Int32"], [9, "recoveryInterval", "Int32"],
  [11, "sendBufferSize", "Int32"], [12, "receiveBufferSize", "Int32"], [16, "type", "Int32", "r"], [17, "linger", "Int32"],
  [18, "reconnectInterval", "Int32"], [19, "backlog", "Int32"], [21, "reconnectMaxInterval", "Int32"],
  [22, "maxMessageSize", "Int64"], [23, "sendHighWaterMark", "Int32"], [24, "receiveHighWaterMark", "Int32"],
  [25, "multicastHops", "Int32"], [27, "receiveTimeout", "Int32"], [28, "sendTimeout", "Int32"],
  [32, "lastEndpoint", "String", "r"], [33, "mandatory", "Bool", "w"], [34, "tcpKeepalive", "Int32"],
  [35, "tcpKeepaliveCount", "Int32"], [36, "tcpKeepaliveIdle", "Int32"], [37, "tcpKeepaliveInterval", "Int32"],
  [38, "tcpAcceptFilter", "String"], [39, "immediate", "Bool"], [42, "ipv6", "Bool"],
  [43, "securityMechanism", "Int32", "r"], [44, "plainServer", "Bool"], [45, "plainUsername", "String"],
  [46, "plainPassword", "String"], [47, "curveServer", "Bool"], [48, "curvePublicKey", "String"],
  [49, "curveSecretKey", "String"], [50, "curveServerKey", "String"], [51, "probeRouter", "Bool", "w"],
  [52, "correlate", "Bool", "w"], [53, "relaxed", "Bool", "w"], [54, "conflate", "Bool", "w"], [55, "zapDomain", "String"],
  [56, "handover", "Bool", "w"], [57, "typeOfService", "Uint32"], [66, "handshakeInterval", "Int32"],
  [68, "socksProxy", "String"], [69, "noDrop", "Bool", "w"], [71, "manual", "Bool", "w"],
  [72, "welcomeMessage", "String", "w"], [73, "notify", "Bool", "w"], [74, "invertMatching", "Bool"],
  [75, "heartbeatInterval", "Int32"], [76, "heartbeatTimeToLive", "Int32"], [77, "heartbeatTimeout", "Int32"],
  [79, "connectTimeout", "Int32"], [80, "tcpMaxRetransmitTimeout", "Int32"], [81, "threadSafe", "Bool", "r"],
  [84, "multicastMaxTransportDataUnit", "Int32"], [92, "interface", "String"], [93, "zapEnforceDomain", "Bool"],
  [94, "loopbackFastPath", "Bool"],
]);

/** The context options of zmq_ctx_set/zmq_ctx_get that zeromq defines. */
export const CONTEXT_OPTION_IDS = table([
  [1, "ioThreads", "Int32"], [2, "maxSockets", "Int32"], [5, "maxMessageSize", "Int32"], [42, "ipv6", "Bool"], [70, "blocky", "Bool"],
]);
/** ZMQ_MAX_SOCKETS_LIMIT (read) and ZMQ_THREAD_PRIORITY (write) share number 3 in zmq.h. */
const CONTEXT_SPLIT: Readonly<Record<number, { r?: string; w?: string }>> = {
  3: { r: "maxSocketsLimit", w: "threadPriority" },
  4: { w: "threadSchedulingPolicy" },
};

/**
 * Options that take effect at once on a socket with endpoints (zeromq's list): any other one
 * set after bind or connect gets a process warning.
 */
const IMMEDIATE = new Set([6, 7, 17, 33, 51, 40, 52, 53, 56, 78, 23, 24, 28, 27]);

export const LATE_OPTION_WARNING = "Socket option will not take effect until next connect/bind.";
export const UNSAFE_INTEGER_WARNING = "Value is larger than Number.MAX_SAFE_INTEGER and may have been rounded inaccurately.";

const WIDTH: Readonly<Record<OptionType, "int" | "int64" | "string">> = {
  Bool: "int", Int32: "int", Uint32: "int", Int64: "int64", Uint64: "int64", String: "string",
};

function invalid(): Error {
  return zmqError("EINVAL", "Invalid argument");
}

function checkArguments(args: readonly unknown[], expected: number): void {
  if (args.length > expected) {
    throw new WiremqTypeError("EINVAL", `Expected ${expected} argument${expected === 1 ? "" : "s"} but received ${args.length}`);
  }
  if (typeof args[0] !== "number") throw new WiremqTypeError("EINVAL", "Identifier must be a number");
}

function checkValue(type: OptionType, value: unknown): void {
  if (type === "Bool") {
    if (typeof value !== "boolean") throw new WiremqTypeError("EINVAL", "Option value must be a boolean");
  } else if (type === "String") {
    if (typeof value !== "string" && value !== null && !Buffer.isBuffer(value)) throw new WiremqTypeError("EINVAL", "Option value must be a string or buffer");
  } else if (typeof value !== "number") {
    throw new WiremqTypeError("EINVAL", "Option value must be a number");
  }
}

/** The property an option number names for a read ("r") or write ("w") of this type, else EINVAL. */
function resolve(ids: ReadonlyMap<number, OptionId>, target: object, id: number, type: OptionType, mode: "r" | "w", context: boolean): string {
  let name: string | undefined;
  const split = context ? CONTEXT_SPLIT[id] : undefined;
  if (split !== undefined) {
    name = split[mode];
    if (name !== undefined && WIDTH[type] !== "int") name = undefined;
  } else {
    const entry = ids.get(id);
    if (entry !== undefined && entry.access.includes(mode) && WIDTH[entry.type] === WIDTH[type]) name = entry.name;
  }
  if (name === undefined || !(name in target)) throw invalid();
  return name;
}

/** Converts what the property holds to what zeromq's get<type>Option returns. */
function outward(type: OptionType, value: unknown, name: string): unknown {
  if (name === "securityMechanism") return [null, "plain", "curve", "gssapi"].indexOf(value as string | null);
  if (type === "Bool") return typeof value === "boolean" ? value : Number(value) !== 0;
  if (type === "String") return value === null || value === undefined || value === "" ? null : Buffer.isBuffer(value) ? value.toString() : String(value);
  return typeof value === "boolean" ? Number(value) : Number(value);
}

/** Converts a set<type>Option value to what the property takes, as the C cast would. */
function inward(type: OptionType, value: unknown, current: unknown): unknown {
  if (type === "Bool" || type === "String") {
    if (type === "Bool" && typeof current === "number") return value === true ? 1 : 0;
    return value;
  }
  let n = value as number;
  // The property's setter warns about a uint64 past 2^53 - 1; here only the cast's clamp.
  if (type === "Uint64") n = n > 0 ? n : 0;
  else if (type === "Uint32" && n < 0) throw invalid();
  else if (type === "Int32") n |= 0;
  return typeof current === "boolean" ? n !== 0 : n;
}

/** zeromq's uint64 cast: negative becomes 0, and a value past 2^53 - 1 warns that it may be rounded. */
export function uint64(n: number): number {
  if (!(n > 0)) return 0;
  if (n > Number.MAX_SAFE_INTEGER) emitWarning(UNSAFE_INTEGER_WARNING);
  return n;
}

export function getOptionById(ids: ReadonlyMap<number, OptionId>, target: object, type: OptionType, args: readonly unknown[], context = false): unknown {
  checkArguments(args, 1);
  const name = resolve(ids, target, args[0] as number, type, "r", context);
  return outward(type, (target as Record<string, unknown>)[name], name);
}

/** `late`: the socket has endpoints, so an option other than the immediate ones warns. */
export function setOptionById(
  ids: ReadonlyMap<number, OptionId>, target: object, type: OptionType, args: readonly unknown[], late: boolean, context = false,
): void {
  checkArguments(args, 2);
  checkValue(type, args[1]);
  const id = args[0] as number;
  if (late && !IMMEDIATE.has(id)) emitWarning(LATE_OPTION_WARNING);
  const name = resolve(ids, target, id, type, "w", context);
  const record = target as Record<string, unknown>;
  let value = inward(type, args[1], name in target ? safeRead(record, name) : undefined);
  if (type === "String" && Buffer.isBuffer(value) && name !== "routingId") value = value.toString();
  // libzmq takes an empty string as "unset" where the property takes null.
  if (type === "String" && value === "" && record[name] === null) value = null;
  record[name] = value;
}

function safeRead(record: Record<string, unknown>, name: string): unknown {
  try {
    return record[name];
  } catch {
    return undefined;
  }
}

/** Whether setting the option named so, on a socket with endpoints, warns (zeromq's list). */
export function isImmediateOption(name: string): boolean {
  for (const [id, entry] of SOCKET_OPTION_IDS) if (entry.name === name) return IMMEDIATE.has(id);
  return true;
}
