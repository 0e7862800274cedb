import { context } from "../context.js";
import { WiremqError } from "../errors.js";

/** zeromq 5's Context: static settings of the one process-wide context, never constructed. */
export class Context {
  /** Sets the context's I/O thread count; kept and read back only, as wiremq has no I/O threads. */
  static setMaxThreads(value: number): void {
    context.ioThreads = value;
  }

  /** The I/O thread count last set, or the default. */
  static getMaxThreads(): number {
    return context.ioThreads;
  }

  /** Sets libzmq's socket limit; kept and read back only, wiremq enforces no limit. */
  static setMaxSockets(value: number): void {
    context.maxSockets = value;
  }

  /** The socket limit last set, or the default. */
  static getMaxSockets(): number {
    return context.maxSockets;
  }

  constructor() {
    throw new WiremqError("ENOTSUP", "Context cannot be instantiated in compatibility mode");
  }
}
