/**
 * The runtime suite (issue 23): test/fixtures/runtimes/suite.mjs under Node, Bun and Deno, one
 * test per case and runtime. The program runs once per runtime; each case reports a JSON line,
 * and a case it never reported fails here with the program's stderr.
 */
import { beforeAll, expect, it } from "vitest";
import { describeNeeding } from "../helpers/prerequisite.js";
import { RUNTIMES, fixture, runProgram, runtimeMissing, type RunResult } from "../helpers/runtimes.js";

const PAIRS = ["push-pull", "req-rep", "dealer-router", "pub-sub", "xpub-xsub", "pair"];
const CASES = [
  ...["tcp", "ipc", "inproc"].flatMap((t) => PAIRS.map((p) => `${p}/${t}`)),
  "stream/tcp",
  "plain/tcp",
  "curve/tcp",
  "reconnect/tcp",
  "heartbeat/tcp",
  "16MiB/tcp",
  "16MiB/ipc",
  "monitor/tcp",
  "libzmq-rep/tcp",
  "libzmq-curve/tcp",
  "libzmq-push/tcp",
];

interface CaseResult {
  case: string;
  ok: boolean;
  ms: number;
  error?: string;
}

for (const runtime of RUNTIMES) {
  describeNeeding(runtimeMissing(runtime), `runtime suite under ${runtime}`, () => {
    let run: RunResult;
    const results = new Map<string, CaseResult>();
    beforeAll(async () => {
      run = await runProgram(runtime, fixture("suite.mjs"), 90_000);
      for (const line of run.stdout.split("\n")) {
        if (!line.startsWith("{")) continue;
        const r = JSON.parse(line) as CaseResult;
        results.set(r.case, r);
      }
    }, 100_000);

    for (const name of CASES) {
      it(name, () => {
        const r = results.get(name);
        if (r === undefined) throw new Error(`no result (${run.timedOut ? "killed at the deadline" : `exit ${run.code}`}); stderr: ${run.stderr.slice(-2000)}`);
        expect(r.ok, r.error).toBe(true);
      });
    }

    it("reports exactly these cases and exits 0", () => {
      expect([...results.keys()].sort()).toEqual([...CASES].sort());
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
    });
  });
}

