/**
 * `zeromq` exposes a Context with `blocky` and thread-pool options. wiremq has no native
 * threads; the object exists so code that sets these options keeps working. `ipv6` is the
 * default of the sockets made with it, and so is their `linger`: -1 while `blocky` (zeromq's
 * default), 0 when not.
 *
 * The options are accessors, as zeromq's native ones: a value is checked as zmq_ctx_set would
 * take it (a JS number cast to a C int, then libzmq's range), the object has no own
 * properties (`JSON.stringify` gives `{}`), and it is sealed, so assigning anything else throws.
 */
import { WiremqTypeError, zmqError } from "./errors.js";
import { CONTEXT_OPTION_IDS, getOptionById, setOptionById } from "./sockets/option-ids.js";
import { checkArgumentCount, isObject } from "./util/arguments.js";

/** The options of a {@link Context}, as zeromq names them; also accepted by its constructor. */
export interface ContextOptions {
  blocky: boolean;
  ioThreads: number;
  maxSockets: number;
  maxMessageSize: number;
  ipv6: boolean;
  threadPriority: number;
  threadSchedulingPolicy: number;
}

/** zeromq's conversion of a number option to a C int (ToInt32), then libzmq's lower bound. */
function int32Option(value: unknown, min: number): number {
  if (typeof value !== "number") throw new WiremqTypeError("EINVAL", "Option value must be a number");
  const n = value | 0;
  if (n < min) throw zmqError("EINVAL", "Invalid argument");
  return n;
}

function boolOption(value: unknown): boolean {
  if (typeof value !== "boolean") throw new WiremqTypeError("EINVAL", "Option value must be a boolean");
  return value;
}

/**
 * zeromq's context: process-wide settings the sockets made with it share. wiremq has no I/O
 * threads, so `ioThreads` and the thread options are kept and read back only.
 *
 * @example
 * ```ts
 * import { context } from "wiremq";
 * context.blocky = false;   // sockets made from now on get linger 0 by default
 * ```
 */
export class Context {
  #blocky = true;
  #ioThreads = 1;
  #maxSockets = 1023;
  #maxMessageSize = -1;
  #ipv6 = false;

  constructor(options?: Partial<ContextOptions>) {
    if (options !== undefined && !isObject(options)) throw new WiremqTypeError("EINVAL", "Options must be an object");
    // eslint-disable-next-line prefer-rest-params
    checkArgumentCount(arguments, 1);
    Object.seal(this);
    if (options === undefined) return;
    for (const [key, value] of Object.entries(options)) {
      if (!(key in this)) throw new WiremqTypeError("EINVAL", `Cannot add property ${key}, object is not extensible`);
      (this as unknown as Record<string, unknown>)[key] = value;
    }
  }

  get blocky(): boolean {
    return this.#blocky;
  }
  set blocky(value: boolean) {
    this.#blocky = boolOption(value);
  }

  get ioThreads(): number {
    return this.#ioThreads;
  }
  set ioThreads(value: number) {
    this.#ioThreads = int32Option(value, 0);
  }

  get maxSockets(): number {
    return this.#maxSockets;
  }
  set maxSockets(value: number) {
    this.#maxSockets = int32Option(value, 1);
  }

  get maxMessageSize(): number {
    return this.#maxMessageSize;
  }
  set maxMessageSize(value: number) {
    this.#maxMessageSize = int32Option(value, 0);
  }

  get ipv6(): boolean {
    return this.#ipv6;
  }
  set ipv6(value: boolean) {
    this.#ipv6 = boolOption(value);
  }

  // Write-only in libzmq (zmq_ctx_get has no ZMQ_THREAD_PRIORITY), so zeromq reads undefined;
  // wiremq has no threads to apply them to.
  get threadPriority(): number | undefined {
    return undefined;
  }
  set threadPriority(value: number) {
    int32Option(value, 0);
  }

  get threadSchedulingPolicy(): number | undefined {
    return undefined;
  }
  set threadSchedulingPolicy(value: number) {
    int32Option(value, 0);
  }

  /** The largest maxSockets libzmq allows; wiremq sets no limit of its own below it. */
  get maxSocketsLimit(): number {
    return 65535;
  }

  // zmq_ctx_get/zmq_ctx_set by number, as zeromq's Context has them.
  getBoolOption(...args: [id: number]): boolean {
    return getOptionById(CONTEXT_OPTION_IDS, this, "Bool", args, true) as boolean;
  }
  setBoolOption(...args: [id: number, value: boolean]): void {
    setOptionById(CONTEXT_OPTION_IDS, this, "Bool", args, false, true);
  }
  getInt32Option(...args: [id: number]): number {
    return getOptionById(CONTEXT_OPTION_IDS, this, "Int32", args, true) as number;
  }
  setInt32Option(...args: [id: number, value: number]): void {
    setOptionById(CONTEXT_OPTION_IDS, this, "Int32", args, false, true);
  }
}

/** The default context, used by every socket made without a `context` option (zeromq's `context`). */
export const context = new Context();
