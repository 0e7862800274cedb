/**
 * The one family of errors wiremq raises: each carries a `code` from lib/error-codes.ts (as
 * the `zeromq` package's errors do, so callers switch on `err.code` the same way with either
 * library), the errno libzmq gives that code, and where it applies the endpoint (`address`).
 *
 * Three roots share that shape, because zeromq throws a TypeError for a value of the wrong
 * type and code written for it may test `instanceof TypeError`: WiremqError (extends Error),
 * WiremqTypeError and WiremqRangeError. `err instanceof WiremqError` is true for all three and
 * every subclass (ProtocolError, the patterns' DecodeError, the broker's ProtocolViolation...).
 */
import { ERRNO, type ProtocolCode, type WiremqErrorCode } from "./error-codes.js";

export type { WiremqErrorCode } from "./error-codes.js";

/** What an error may carry besides its code and message. */
export interface ErrorExtra {
  /** The endpoint the failed call named, as zeromq sets it on bind/connect errors. */
  address?: string;
  /** The ZAP status of an authentication failure. */
  status?: number;
  cause?: unknown;
}

/** What every error of the family has; `C` is narrower for a subclass that raises few codes. */
export interface CodedError<C extends string = WiremqErrorCode> extends Error {
  readonly code: C;
  readonly errno: number | undefined;
  address?: string;
  status?: number;
}

// A registered symbol rather than a module-local one: the ESM and CommonJS builds, or two
// installed copies of wiremq, then still recognise each other's errors.
const FAMILY = Symbol.for("wiremq.error");

function initCoded(err: CodedError<string> & { code: string; errno: number | undefined }, code: string, extra: ErrorExtra | undefined): void {
  (err as { code: string }).code = code;
  (err as { errno: number | undefined }).errno = (ERRNO as Record<string, number | undefined>)[code];
  if (extra?.address !== undefined) err.address = extra.address;
  if (extra?.status !== undefined) err.status = extra.status;
}

function causeOf(extra: ErrorExtra | undefined): ErrorOptions | undefined {
  return extra?.cause === undefined ? undefined : { cause: extra.cause };
}

/** Whether `value` belongs to the family (any of the three roots or a subclass). */
export function isWiremqError(value: unknown): value is CodedError<string> {
  return typeof value === "object" && value !== null && (value as { [FAMILY]?: unknown })[FAMILY] === true;
}

/** The root of the family; zeromq's socket errors are plain Errors, so its `name` is "Error". */
export class WiremqError<C extends string = WiremqErrorCode> extends Error implements CodedError<C> {
  readonly code!: C;
  readonly errno!: number | undefined;
  address?: string;
  status?: number;

  constructor(code: NoInfer<C>, message: string, extra?: ErrorExtra) {
    super(message, causeOf(extra));
    this.name = "Error";
    initCoded(this, code, extra);
  }

  /** True for WiremqTypeError and WiremqRangeError too; a subclass keeps the usual test. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== WiremqError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isWiremqError(value);
  }
}

/** A value of the wrong type, where zeromq throws a TypeError. */
export class WiremqTypeError<C extends string = WiremqErrorCode> extends TypeError implements CodedError<C> {
  readonly code!: C;
  readonly errno!: number | undefined;
  address?: string;
  status?: number;

  constructor(code: NoInfer<C>, message: string, extra?: ErrorExtra) {
    super(message, causeOf(extra));
    initCoded(this, code, extra);
  }
}

/** A value out of its range, where JavaScript's own checks throw a RangeError. */
export class WiremqRangeError<C extends string = WiremqErrorCode> extends RangeError implements CodedError<C> {
  readonly code!: C;
  readonly errno!: number | undefined;
  address?: string;
  status?: number;

  constructor(code: NoInfer<C>, message: string, extra?: ErrorExtra) {
    super(message, causeOf(extra));
    initCoded(this, code, extra);
  }
}

for (const root of [WiremqError, WiremqTypeError, WiremqRangeError]) {
  Object.defineProperty(root.prototype, FAMILY, { value: true });
}

/** Protocol violations found in bytes from a peer; `code` names the exact violation. */
export class ProtocolError extends WiremqError<ProtocolCode> {
  constructor(code: ProtocolCode, message: string, extra?: ErrorExtra) {
    super(code, message, extra);
    this.name = "ProtocolError";
  }
}

/**
 * A call ended by an AbortSignal whose reason is not an Error (a signal's reason is passed on
 * as it is when it is one). Named and coded as Node's own AbortError.
 */
export class AbortError extends WiremqError<"ABORT_ERR"> {
  constructor(message = "The operation was aborted", extra?: ErrorExtra) {
    super("ABORT_ERR", message, extra);
    this.name = "AbortError";
  }
}

/** What an aborted signal makes a call fail with: its reason when that is an Error, else an AbortError. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new AbortError(undefined, { cause: reason });
}

/** A caller's argument of the wrong type or shape: EINVAL, a TypeError, "`name` `why`". */
export function invalidArgument(name: string, why: string): WiremqTypeError {
  return new WiremqTypeError("EINVAL", `${name} ${why}`);
}

/** A caller's number (or count) out of range: EINVAL, a RangeError, "`name` `why`". */
export function outOfRange(name: string, why: string): WiremqRangeError {
  return new WiremqRangeError("EINVAL", `${name} ${why}`);
}

/** zeromq's texts for the socket errors it raises most. */
export const messages = {
  EAGAIN: "Operation was not possible or timed out",
  EBUSY_SEND: "Socket is busy writing; only one send operation may be in progress at any time",
  EBUSY_RECEIVE: "Socket is busy reading; only one receive operation may be in progress at any time",
  EBADF: "Socket is closed",
  EBUSY_BLOCKED: "Socket is blocked by a bind or unbind operation",
} as const;

/** The family's root under its first name, which wiremq/errors has exported since 0.1. */
export const ZmqError = WiremqError;
export type ZmqError<C extends string = WiremqErrorCode> = WiremqError<C>;
/** {@link ErrorExtra} under its first name. */
export type ZmqErrorExtra = ErrorExtra;

export function zmqError(code: WiremqErrorCode, message: string, extra?: ErrorExtra): WiremqError {
  return new WiremqError(code, message, extra);
}
