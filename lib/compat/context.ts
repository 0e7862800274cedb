import { context } from "../context.js";

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
    throw new Error("Context cannot be instantiated in compatibility mode");
  }
}
