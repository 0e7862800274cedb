/**
 * issue 23: over tcp, Bun received nothing (the read path adopted Node's private socket handle,
 * which Bun's accepted sockets do not read from). The same first program, under each runtime.
 */
import { expect } from "vitest";
import { itNeeding } from "../helpers/prerequisite.js";
import { RUNTIMES, fixture, runProgram, runtimeMissing } from "../helpers/runtimes.js";

for (const runtime of RUNTIMES) {
  itNeeding(runtimeMissing(runtime), `${runtime}: tcp PUSH→PULL delivers 20,000 messages and 1 MiB, in order`, async () => {
    const run = await runProgram(runtime, fixture("tcp-push-pull.mjs"), 10_000);
    expect(run.timedOut, `${runtime} hung; stderr: ${run.stderr}`).toBe(false);
    expect(run.stdout.trim(), run.stderr).toBe("received 20001");
    expect(run.code).toBe(0);
  }, 15_000);
}
