import { WiremqTypeError, zmqError } from "../errors.js";
import { checkArgumentCount, isObject } from "../util/arguments.js";
import { checkContextOption } from "./socket-options.js";

/**
 * The class of each socket type, by its ZMTP Socket-Type, so that zeromq's base class form
 * `new Socket(type, options)` can make a socket of that type. Each class registers itself
 * where it is defined; a type whose module was not loaded (the draft types, unless
 * `wiremq/draft` was imported) is unknown, as in a libzmq built without drafts.
 */
export type SocketClass = new (options?: object) => object;

const classes = new Map<string, SocketClass>();

export function registerSocketClass(socketType: string, cls: SocketClass): void {
  classes.set(socketType, cls);
}

export function socketClassOf(socketType: string): SocketClass | undefined {
  return classes.get(socketType);
}

/** Socket-Type names in the order of libzmq's numbers: ZMQ_PAIR (0) to ZMQ_STREAM (11), then the draft types from ZMQ_SERVER (12) to ZMQ_CHANNEL (20). */
const SOCKET_TYPE_NUMBERS = [
  "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB", "STREAM",
  "SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "DGRAM", "PEER", "CHANNEL",
];

/** libzmq's number for a Socket-Type (ZMQ_TYPE), as zeromq's `type`. */
export function typeNumberOf(socketType: string): number {
  return SOCKET_TYPE_NUMBERS.indexOf(socketType);
}

/** zeromq's `new Socket(type, options)`: its argument checks, then a socket of that type. */
export function socketOfTypeNumber(args: IArguments): object {
  const [type, options] = args as unknown as [unknown, unknown];
  if (typeof type !== "number") throw new WiremqTypeError("EINVAL", "Socket type must be a number");
  if (options !== undefined && !isObject(options)) throw new WiremqTypeError("EINVAL", "Options must be an object");
  checkArgumentCount(args, 2);
  checkContextOption(options);
  // As libzmq reads the number: an unsigned 32-bit integer (8.7 is 8, NaN is 0).
  const cls = socketClassOf(SOCKET_TYPE_NUMBERS[type >>> 0] ?? "");
  if (cls === undefined) throw zmqError("EINVAL", "Invalid argument");
  return new cls(options);
}
