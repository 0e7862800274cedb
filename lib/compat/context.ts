import { context } from "../context.js";
import { WiremqError } from "../errors.js";

/** zeromq 5's Context: static settings of the one process-wide context, never constructed. */
export class Context {
  static setMaxThreads(value: number): void {
    context.ioThreads = value;
  }

  static getMaxThreads(): number {
    return context.ioThreads;
  }

  static setMaxSockets(value: number): void {
    context.maxSockets = value;
  }

  static getMaxSockets(): number {
    return context.maxSockets;
  }

  constructor() {
    throw new WiremqError("ENOTSUP", "Context cannot be instantiated in compatibility mode");
  }
}
