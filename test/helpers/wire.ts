/** Assertions shared by the wire-layer tests. */
import { expect } from "vitest";
import { ProtocolError } from "../../lib/errors.js";

/** Runs `fn`, expects a ProtocolError with `code`, and returns it for further checks. */
export function expectProtocolError(fn: () => unknown, code: string): ProtocolError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  expect((caught as ProtocolError).code).toBe(code);
  return caught as ProtocolError;
}
