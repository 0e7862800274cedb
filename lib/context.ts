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
import { nodeBuiltin } from "./util/builtin.js";

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

/** Where each option lives in a context's values (int32 each; booleans as 0/1). */
const BLOCKY = 0;
const IO_THREADS = 1;
const MAX_SOCKETS = 2;
const MAX_MESSAGE_SIZE = 3;
const IPV6 = 4;
const FIELDS = 5;

function defaultValues(buffer: ArrayBufferLike = new ArrayBuffer(FIELDS * 4)): Int32Array {
  const values = new Int32Array(buffer);
  values.set([1, 1, 1023, -1, 0]);
  return values;
}

/** The key under which the default context's options pass to worker threads. */
const SHARED_KEY = "wiremq:default-context-options:1";

interface WorkerThreads {
  getEnvironmentData(key: string): unknown;
  setEnvironmentData(key: string, value: unknown): void;
}

/**
 * zeromq's default context is one native object for the whole process, so an option set on it
 * in one thread is what every worker reads. Here the default context's values sit in a
 * SharedArrayBuffer that worker threads inherit through Node's environment data (cloned when a
 * worker starts, and a SharedArrayBuffer clones as the same memory).
 */
function sharedDefaultValues(): Int32Array {
  const threads = nodeBuiltin<WorkerThreads>("node:worker_threads");
  if (threads === undefined || typeof SharedArrayBuffer === "undefined") return defaultValues();
  const inherited = threads.getEnvironmentData(SHARED_KEY);
  if (inherited instanceof SharedArrayBuffer && inherited.byteLength === FIELDS * 4) return new Int32Array(inherited);
  const values = defaultValues(new SharedArrayBuffer(FIELDS * 4));
  threads.setEnvironmentData(SHARED_KEY, values.buffer);
  return values;
}

/** Set only while the default context is constructed: its values, shared across threads. */
let valuesForNext: Int32Array | null = null;

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
  readonly #values: Int32Array;

  constructor(options?: Partial<ContextOptions>) {
    if (options !== undefined && !isObject(options)) throw new WiremqTypeError("EINVAL", "Options must be an object");
    // eslint-disable-next-line prefer-rest-params
    checkArgumentCount(arguments, 1);
    this.#values = valuesForNext ?? defaultValues();
    valuesForNext = null;
    Object.seal(this);
    if (options === undefined) return;
    for (const [key, value] of Object.entries(options)) {
      if (!(key in this)) throw new WiremqTypeError("EINVAL", `Cannot add property ${key}, object is not extensible`);
      (this as unknown as Record<string, unknown>)[key] = value;
    }
  }

  get blocky(): boolean {
    return this.#values[BLOCKY] === 1;
  }
  set blocky(value: boolean) {
    this.#values[BLOCKY] = boolOption(value) ? 1 : 0;
  }

  get ioThreads(): number {
    return this.#values[IO_THREADS]!;
  }
  set ioThreads(value: number) {
    this.#values[IO_THREADS] = int32Option(value, 0);
  }

  get maxSockets(): number {
    return this.#values[MAX_SOCKETS]!;
  }
  set maxSockets(value: number) {
    this.#values[MAX_SOCKETS] = int32Option(value, 1);
  }

  get maxMessageSize(): number {
    return this.#values[MAX_MESSAGE_SIZE]!;
  }
  set maxMessageSize(value: number) {
    this.#values[MAX_MESSAGE_SIZE] = int32Option(value, 0);
  }

  get ipv6(): boolean {
    return this.#values[IPV6] === 1;
  }
  set ipv6(value: boolean) {
    this.#values[IPV6] = boolOption(value) ? 1 : 0;
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

valuesForNext = sharedDefaultValues();
/** The default context, used by every socket made without a `context` option (zeromq's `context`). */
export const context = new Context();
