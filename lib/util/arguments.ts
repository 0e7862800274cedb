/**
 * zeromq's native calls check their arguments alike: each one's type first (a TypeError
 * saying what it must be), then that there are no more than the call takes.
 */
import { WiremqTypeError } from "../errors.js";

export function checkArgumentCount(args: ArrayLike<unknown>, expected: number): void {
  if (args.length > expected) {
    throw new WiremqTypeError("EINVAL", `Expected ${expected} argument${expected === 1 ? "" : "s"} but received ${args.length}`);
  }
}

/** What N-API calls an object: anything but a primitive, functions and arrays included. */
export function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}
