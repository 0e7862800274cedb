// What a worker role is: code run in a child process with one library loaded.
import type { ZmqLib } from "../lib-loader.js";

/** The worker's line to the parent: post steps, wait for the parent's steps. */
export interface Channel {
  post(step: string, data?: unknown): void;
  wait<T = unknown>(step: string): Promise<T>;
  /** Registers what to answer when the parent asks how far this worker has got (stall watchdog). */
  progress(report: () => unknown): void;
}

export type Role = (lib: ZmqLib, args: unknown, channel: Channel) => Promise<unknown>;

/** Gives a role typed arguments; the parent is trusted to send the matching shape. */
export function defineRole<A>(run: (lib: ZmqLib, args: A, channel: Channel) => Promise<unknown>): Role {
  return (lib, args, channel) => run(lib, args as A, channel);
}
