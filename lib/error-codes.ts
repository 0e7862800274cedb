/**
 * Every `code` a wiremq error can carry, in one list, so a caller can switch on `err.code`
 * across the library, the patterns, the broker and the command line, and the compiler knows
 * the cases. Grouped by who raises them; a code means the same thing wherever it appears.
 */

/**
 * errno names as libzmq and `zeromq` report them, with libzmq's numbers on Linux (the EFSM
 * family is libzmq's own, above its errno base). A socket error's `errno` comes from here.
 */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EMFILE: 24,
  ENOSPC: 28,
  EROFS: 30,
  EINVAL: 22,
  EPIPE: 32,
  ENAMETOOLONG: 36,
  EPROTO: 71,
  ENOTSOCK: 88,
  EMSGSIZE: 90,
  EPROTONOSUPPORT: 93,
  ENOTSUP: 95,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ECONNRESET: 104,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  EFSM: 156384763,
  ENOCOMPATPROTO: 156384764,
  ETERM: 156384765,
} as const;
/** The errno names wiremq's errors use (zeromq's, with libzmq's numbers for its own). */
export type ErrnoCode = keyof typeof ERRNO;

/**
 * A peer broke ZMTP, a security mechanism or ZAP (a ProtocolError): the exact violation, more
 * precise than libzmq's names, which the monitor events use instead (see EVENT_PROTOCOL_CODES).
 */
export const PROTOCOL_CODES = [
  "ZMTP_BAD_SIGNATURE",
  "ZMTP_BAD_VERSION",
  "ZMTP_COMMAND_MORE",
  "ZMTP_HEARTBEAT_EXPIRED",
  "ZMTP_INVALID_METADATA",
  "ZMTP_MALFORMED_COMMAND",
  "ZMTP_MESSAGE_TOO_LARGE",
  "ZMTP_PEER_ERROR",
  "ZMTP_RESERVED_FLAGS",
  "ZMTP_UNEXPECTED_FRAME",
  /** A ZWS (ZMTP over WebSocket) message with no flags byte or with reserved flag bits. */
  "ZWS_MALFORMED_FRAME",
  /** A text WebSocket message: ZWS carries binary messages only. */
  "ZWS_TEXT_FRAME",
  /** A WebSocket upgrade offering no ZWS subprotocol this socket's mechanism speaks. */
  "ZWS_SUBPROTOCOL",
  /** An HTTP request to a ws endpoint that is not a valid WebSocket upgrade, or a refused upgrade. */
  "ZWS_BAD_UPGRADE",
  "CURVE_UNEXPECTED_COMMAND",
  "CURVE_MALFORMED_MESSAGE",
  "CURVE_BAD_NONCE",
  "CURVE_DECRYPT_FAILED",
  "ZAP_MALFORMED_REQUEST",
  "ZAP_MALFORMED_REPLY",
  "ZAP_BAD_VERSION",
  "ZAP_BAD_REQUEST_ID",
  "ZAP_INVALID_STATUS_CODE",
  "ZAP_INVALID_METADATA",
] as const;
/** The exact violation a ProtocolError names. */
export type ProtocolCode = (typeof PROTOCOL_CODES)[number];

/** libzmq 4.3.5's ZMQ_PROTOCOL_ERROR_* names (include/zmq.h), without that prefix. */
export const LIBZMQ_PROTOCOL_NAMES = [
  "ZMTP_UNSPECIFIED",
  "ZMTP_UNEXPECTED_COMMAND",
  "ZMTP_INVALID_SEQUENCE",
  "ZMTP_KEY_EXCHANGE",
  "ZMTP_MALFORMED_COMMAND_UNSPECIFIED",
  "ZMTP_MALFORMED_COMMAND_MESSAGE",
  "ZMTP_MALFORMED_COMMAND_HELLO",
  "ZMTP_MALFORMED_COMMAND_INITIATE",
  "ZMTP_MALFORMED_COMMAND_ERROR",
  "ZMTP_MALFORMED_COMMAND_READY",
  "ZMTP_MALFORMED_COMMAND_WELCOME",
  "ZMTP_INVALID_METADATA",
  "ZMTP_CRYPTOGRAPHIC",
  "ZMTP_MECHANISM_MISMATCH",
  "ZAP_UNSPECIFIED",
  "ZAP_MALFORMED_REPLY",
  "ZAP_BAD_REQUEST_ID",
  "ZAP_BAD_VERSION",
  "ZAP_INVALID_STATUS_CODE",
  "ZAP_INVALID_METADATA",
  "WS_UNSPECIFIED",
] as const;
/** libzmq 4.3.5's ZMQ_PROTOCOL_ERROR_* names, without that prefix. */
export type LibzmqProtocolName = (typeof LIBZMQ_PROTOCOL_NAMES)[number];

/** A handshake:error:protocol event's code, as zeromq names it from libzmq's. */
export type EventProtocolCode = `ERR_${LibzmqProtocolName}`;
export const EVENT_PROTOCOL_CODES: readonly EventProtocolCode[] = LIBZMQ_PROTOCOL_NAMES.map((n) => `ERR_${n}` as const);

/** A ZAP handler refused a peer (handshake:error:auth); BSD's name, no errno on Linux. */
export const SECURITY_CODES = ["EAUTH"] as const;

/** Raised by the typed patterns (codecs, RPC, services) besides errno codes. */
export const PATTERN_CODES = [
  /** A received message is not a valid value for its codec. */
  "EDECODE",
  /** A value given to send/publish/call cannot be encoded by its codec. */
  "EENCODE",
  /** An RPC server has no such method. */
  "ENOMETHOD",
  /** An RPC handler failed with an error that carries no code. */
  "EHANDLER",
  /** A service broker's queue is full. */
  "EOVERLOAD",
  /** The workers given a job kept dying before they answered it. */
  "EWORKERLOST",
  /** A consumer's intake was stopped (its receive loop's own signal; it does not escape). */
  "EINTAKE",
  /** A subscriber's content filters were not acknowledged: its publisher may be a plain PUB (a warning). */
  "EFILTERIGNORED",
  /** An AbortSignal without an Error reason ended the call (Node's own code for it). */
  "ABORT_ERR",
] as const;

/** Raised by the broker and its clients besides errno codes (documented in lib/broker/PROTOCOL.md). */
export const BROKER_CODES = [
  "ESESSION",
  "EINTERNAL",
  /** JetStream cannot answer now (no leader during an election, a server restarting): retry. */
  "EUNAVAILABLE",
  /** An optional package this feature needs (a JetStream client) is not installed. */
  "EMISSINGPACKAGE",
] as const;

/** The command line's code for a failure whose error carried none. */
export const CLI_CODES = ["EFAILED"] as const;

/** The `code` of every error wiremq raises. */
export type WiremqErrorCode =
  | ErrnoCode
  | ProtocolCode
  | EventProtocolCode
  | (typeof SECURITY_CODES)[number]
  | (typeof PATTERN_CODES)[number]
  | (typeof BROKER_CODES)[number]
  | (typeof CLI_CODES)[number];

const ALL_CODES: ReadonlySet<string> = new Set<string>([
  ...Object.keys(ERRNO),
  ...PROTOCOL_CODES,
  ...EVENT_PROTOCOL_CODES,
  ...SECURITY_CODES,
  ...PATTERN_CODES,
  ...BROKER_CODES,
  ...CLI_CODES,
]);

/** Whether `value` is one of the codes above (for codes that arrive from a peer or from Node). */
export function isErrorCode(value: unknown): value is WiremqErrorCode {
  return typeof value === "string" && ALL_CODES.has(value);
}

/** Whether `value` is an errno name libzmq reports (EAGAIN, EADDRINUSE, ...). */
export function isErrnoCode(value: unknown): value is ErrnoCode {
  return typeof value === "string" && Object.hasOwn(ERRNO, value);
}

/** The code of a system error passing through (fs, net), or EIO for one outside the union. */
export function systemCode(err: unknown): WiremqErrorCode {
  const code = (err as { code?: unknown } | null)?.code;
  return isErrorCode(code) ? code : "EIO";
}
