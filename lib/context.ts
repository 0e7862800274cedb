/**
 * `zeromq` exposes a Context with `blocky` and thread-pool options. wiremq has no native
 * threads; the object exists so code that sets these options keeps working. `ipv6` is the
 * default of the sockets made with it, and so is their `linger`: -1 while `blocky` (zeromq's
 * default), 0 when not.
 */
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
  maxSockets = 8192;
  maxMessageSize = -1;
  ipv6 = false;
  threadPriority: number | undefined = undefined;
  threadSchedulingPolicy: number | undefined = undefined;
  /** The largest maxSockets libzmq allows; wiremq sets no limit of its own below it. */
  readonly maxSocketsLimit = 65535;

  constructor(options?: Partial<ContextOptions>) {
    if (options === undefined || options === null) return;
    for (const [key, value] of Object.entries(options)) {
      if (!(key in this) || key === "maxSocketsLimit") throw new TypeError(`Cannot add property ${key}, object is not extensible`);
      (this as unknown as Record<string, unknown>)[key] = value;
    }
  }
}

export const context = new Context();
