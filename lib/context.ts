/**
 * `zeromq` exposes a Context with `blocky` and thread-pool options. wiremq has no native
 * threads; the object exists so code that sets these options keeps working. `ipv6` is the
 * default of the sockets made with it, and so is their `linger`: -1 while `blocky` (zeromq's
 * default), 0 when not.
 */
import { CONTEXT_OPTION_IDS, getOptionById, setOptionById } from "./sockets/option-ids.js";
import { checkArgumentCount, isObject } from "./util/arguments.js";

export interface ContextOptions {
  blocky: boolean;
  ioThreads: number;
  maxSockets: number;
  maxMessageSize: number;
  ipv6: boolean;
  threadPriority: number;
  threadSchedulingPolicy: number;
}

export class Context {
  blocky = true;
  ioThreads = 1;
  maxSockets = 1023;
  maxMessageSize = -1;
  ipv6 = false;
  threadPriority: number | undefined = undefined;
  threadSchedulingPolicy: number | undefined = undefined;
  /** The largest maxSockets libzmq allows; wiremq sets no limit of its own below it. */
  get maxSocketsLimit(): number {
    return 65535;
  }

  constructor(options?: Partial<ContextOptions>) {
    if (options !== undefined && !isObject(options)) throw new TypeError("Options must be an object");
    // eslint-disable-next-line prefer-rest-params
    checkArgumentCount(arguments, 1);
    // As zeromq's: no properties but its options (assigning another one throws a TypeError).
    Object.seal(this);
    if (options === undefined) return;
    for (const [key, value] of Object.entries(options)) {
      if (!(key in this)) throw new TypeError(`Cannot add property ${key}, object is not extensible`);
      (this as unknown as Record<string, unknown>)[key] = value;
    }
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

export const context = new Context();
