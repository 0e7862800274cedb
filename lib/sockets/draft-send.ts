import { WiremqTypeError, zmqError } from "../errors.js";

/**
 * The checks zeromq makes, synchronously and in this order, when SERVER or RADIO is given a
 * message: the message must be there, and the routing options must be an object.
 */
export function checkRoutedSend(message: unknown, options: unknown): asserts options is Record<string, unknown> {
  if (message === undefined) throw new WiremqTypeError("EINVAL", "Message must be present");
  if (typeof options !== "object" || options === null) throw new WiremqTypeError("EINVAL", "Options must be an object");
}

/** A routing option that was left out is EINVAL, thrown at once as zeromq does. */
export function requireOption<T>(value: T | undefined): T {
  if (value === undefined) throw zmqError("EINVAL", "Invalid argument");
  return value;
}
