/**
 * Monitor events' errors as zeromq makes them. A handshake failure's `error` is shaped as zeromq makes it from libzmq's monitor
 * value, so code that inspects it reads the same fields with either library:
 * - handshake:error:protocol: `code` "ERR_<GROUP>_<NAME>" from libzmq's ZMQ_PROTOCOL_ERROR_*
 *   names and the message "<GROUP> protocol error";
 * - handshake:error:auth: the ZAP `status` and zeromq's text for it; zeromq gives no code,
 *   wiremq's is EAUTH (every wiremq error has one; it has no errno, as zeromq's has none);
 * - handshake:error:other: an errno error (`code`, `errno`, zeromq's text).
 * The detail wiremq knows (which box did not open, ...) is not in it: zeromq has no place for it.
 */
import { isErrnoCode, LIBZMQ_PROTOCOL_NAMES, type LibzmqProtocolName } from "../error-codes.js";
import { zmqError, type ZmqError } from "../errors.js";
import type { HandshakeFailure } from "../mechanisms/mechanism.js";

const LIBZMQ_NAMES: ReadonlySet<string> = new Set(LIBZMQ_PROTOCOL_NAMES);

/** wiremq's own failure codes that libzmq reports under one of its names. */
const ALIASES: Readonly<Record<string, LibzmqProtocolName>> = {
  CURVE_DECRYPT_FAILED: "ZMTP_CRYPTOGRAPHIC",
  CURVE_KEY_EXCHANGE: "ZMTP_KEY_EXCHANGE",
  CURVE_BAD_NONCE: "ZMTP_INVALID_SEQUENCE",
  ZMTP_MALFORMED_COMMAND: "ZMTP_MALFORMED_COMMAND_UNSPECIFIED",
};

/** zeromq's texts for errnos (its ErrnoMessage), where they differ from strerror's. */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EPIPE: "Broken pipe",
  EAGAIN: "Operation was not possible or timed out",
  EFAULT: "Context is closed",
  ECONNRESET: "Connection reset by peer",
  EPROTO: "Protocol error",
};

const AUTH_TEXT: Readonly<Record<number, string>> = {
  300: "Temporary error",
  400: "Authentication failure",
  500: "Internal error",
};

export function protocolErrorName(code: string | undefined): LibzmqProtocolName {
  if (code === undefined) return "ZMTP_UNSPECIFIED";
  if (LIBZMQ_NAMES.has(code)) return code as LibzmqProtocolName;
  if (code.startsWith("ZWS_")) return "WS_UNSPECIFIED";
  return ALIASES[code] ?? (code.startsWith("ZAP_") ? "ZAP_UNSPECIFIED" : "ZMTP_UNSPECIFIED");
}

export function handshakeEventError(failure: HandshakeFailure): Error {
  if (failure.kind === "auth") {
    const status = failure.status ?? 400;
    return zmqError("EAUTH", AUTH_TEXT[status] ?? "Unknown error", { status });
  }
  if (failure.kind === "protocol") {
    const name = protocolErrorName(failure.code);
    const group = name.slice(0, name.indexOf("_"));
    return zmqError(`ERR_${name}`, `${group} protocol error`, failure.cause === undefined ? undefined : { cause: failure.cause });
  }
  const code = isErrnoCode(failure.code) ? failure.code : "EFAULT";
  return zmqError(code, ERRNO_TEXT[code] ?? failure.message, failure.cause === undefined ? undefined : { cause: failure.cause });
}

/**
 * bind:error as libzmq reports it: the address without its scheme ("127.0.0.1:5555", an ipc
 * path), and an errno error that, unlike the one bind() rejects with, carries no address.
 */
export function bindErrorEvent(address: string, err: ZmqError): { type: "bind:error"; address: string; error: Error } {
  const scheme = address.indexOf("://");
  return { type: "bind:error", address: scheme < 0 ? address : address.slice(scheme + 3), error: zmqError(err.code, err.message) };
}
