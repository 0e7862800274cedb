/**
 * A zeromq 5 style program (test/fixtures/v5-compat/) run in a child process with
 * `require("zeromq/v5-compat")` and with `require("wiremq/v5-compat")`, switching only the
 * package name: both must print the same transcript and end by themselves. "wiremq" is this
 * package through its exports map, so this runs the built package (`npm test` builds first).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const PROGRAM = fileURLToPath(new URL("../fixtures/v5-compat/weather-and-questions.cjs", import.meta.url));
/** A program that has not ended by then never will (the machine may be loaded). */
const LIMIT_MS = 20_000;

function run(lib: "zeromq" | "wiremq"): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [PROGRAM, lib], { timeout: LIMIT_MS, killSignal: "SIGKILL", encoding: "utf8" }, (err, stdout, stderr) => {
      const failure = err as (Error & { code?: unknown }) | null;
      resolve({ code: failure === null ? 0 : typeof failure.code === "number" ? failure.code : null, stdout, stderr });
    });
  });
}

it("a v5-compat program (pub/sub with SNDMORE, then req/rep) prints the same and ends by itself with either library", async () => {
  const [zeromq, wiremq] = await Promise.all([run("zeromq"), run("wiremq")]);
  const transcript = [
    "weather: sunny",
    "weather: sunny",
    "weather: sunny",
    "the answer to question 1 is 42",
    "the answer to question 2 is 42",
    "done",
  ].join("\n") + "\n";
  expect({ code: zeromq.code, stdout: zeromq.stdout }, zeromq.stderr).toEqual({ code: 0, stdout: transcript });
  expect({ code: wiremq.code, stdout: wiremq.stdout }, wiremq.stderr).toEqual({ code: 0, stdout: transcript });
}, LIMIT_MS * 2);
