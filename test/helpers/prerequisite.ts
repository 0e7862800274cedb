/**
 * Tests that need something from outside the repository (pyzmq, root for network namespaces,
 * the built package). On a developer's machine a missing prerequisite skips the block with a
 * printed reason; under CI (`CI` set, as .ci/run and every CI service do) it fails, saying
 * what is missing, because CI installs everything and a silent skip would hide a broken setup.
 */
import { describe, it } from "vitest";

const inCi = (): boolean => process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";

/** `describe(name, body)` when `missing` is undefined; otherwise skipped locally, failed in CI. */
export function describeNeeding(missing: string | undefined, name: string, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
    return;
  }
  if (inCi()) {
    describe(name, () => {
      it("has what it needs to run", () => {
        throw new Error(`cannot run: ${missing}`);
      });
    });
    return;
  }
  console.warn(`skipped "${name}": ${missing} (under CI this fails)`);
  describe.skip(name, body);
}

/** `it(name, body)` when `missing` is undefined; otherwise skipped locally, failed in CI. */
export function itNeeding(missing: string | undefined, name: string, body: () => Promise<void> | void, timeout?: number): void {
  if (missing === undefined) {
    it(name, body, timeout);
    return;
  }
  if (inCi()) {
    it(name, () => {
      throw new Error(`cannot run: ${missing}`);
    });
    return;
  }
  console.warn(`skipped "${name}": ${missing} (under CI this fails)`);
  it.skip(name, body);
}
