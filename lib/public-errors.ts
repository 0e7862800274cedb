/**
 * wiremq/errors: the one family of errors wiremq raises, each with a stable `code` (the
 * WiremqErrorCode union). `err instanceof WiremqError` (or isWiremqError(err)) holds for every
 * one of them, including the WiremqTypeError and WiremqRangeError raised where zeromq throws a
 * TypeError or RangeError, and the subclasses of the patterns, broker and command line.
 */
export {
  AbortError,
  invalidArgument,
  isWiremqError,
  outOfRange,
  ProtocolError,
  WiremqError,
  WiremqRangeError,
  WiremqTypeError,
  ZmqError,
} from "./errors.js";
export type { CodedError, ErrorExtra, ZmqErrorExtra } from "./errors.js";
export { isErrorCode } from "./error-codes.js";
export type { ErrnoCode, EventProtocolCode, LibzmqProtocolName, ProtocolCode, WiremqErrorCode } from "./error-codes.js";
