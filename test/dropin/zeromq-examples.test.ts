/**
 * The scenarios of zeromq.js's examples folder, as programs of our own written the way a
 * zeromq user writes them (test/fixtures/zeromq-examples/). Each takes the library to load
 * as its argument ("zeromq" or "wiremq", a package name, so only the import differs) and
 * must end by itself. Each runs in a child process against both libraries; the outputs and
 * exits must match each other and the expected transcript.
 *
 * "wiremq" resolves to this package itself (self-reference through its exports map), so
 * these run the built package: `npm test` builds first.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const FIXTURES = fileURLToPath(new URL("../fixtures/zeromq-examples/", import.meta.url));

/** Long enough for a loaded machine; a program that has not ended by then never will. */
const LIMIT_MS = 20_000;

type Library = "zeromq" | "wiremq";

interface Ending {
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

function runExample(file: string, lib: Library): Promise<Ending> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [FIXTURES + file, lib],
      { timeout: LIMIT_MS, killSignal: "SIGKILL", encoding: "utf8" },
      (err, stdout, stderr) => {
        const failure = err as (Error & { code?: unknown; killed?: boolean }) | null;
        resolve({
          code: failure === null ? 0 : typeof failure.code === "number" ? failure.code : null,
          timedOut: failure?.killed === true,
          stdout,
          stderr,
        });
      },
    );
  });
}

interface Scenario {
  file: string;
  /** What the example is about, for the test's name. */
  about: string;
  transcript: string[];
}

const SCENARIOS: Scenario[] = [
  {
    file: "req-rep.mjs",
    about: "a REQ client and a REP server that doubles numbers",
    transcript: ["4 doubled is 8", "21 doubled is 42", "-7 doubled is -14", "done"],
  },
  {
    file: "pub-sub.mjs",
    about: "a subscriber to one topic of a publisher on a timer",
    transcript: [
      "received a message about kitty cats: meow #1",
      "received a message about kitty cats: meow #2",
      "received a message about kitty cats: meow #3",
      "done",
    ],
  },
  {
    file: "push-pull.mjs",
    about: "a producer sharing ten jobs round-robin between two workers",
    transcript: [
      "alpha did 5 jobs",
      "beta did 5 jobs",
      "jobs done: job 1, job 2, job 3, job 4, job 5, job 6, job 7, job 8, job 9, job 10",
    ],
  },
  {
    file: "majordomo.mjs",
    about: "a Majordomo broker, tea and coffee workers, and a request nobody serves",
    transcript: [
      "'soda' gave no answer (EAGAIN)",
      "'tea' answered 'oolong'",
      "'tea' answered 'sencha'",
      "'tea' answered 'earl grey, with milk'",
      "'tea' answered 'jasmine'",
      "'coffee' answered 'cappuccino'",
      "'coffee' answered 'latte, with soy milk'",
      "'coffee' answered 'espresso'",
      "'coffee' answered 'irish coffee'",
      "broker stopped",
    ],
  },
  {
    file: "queue.mjs",
    about: "a DEALER fed through a send queue before its peer connects, left open at the end",
    transcript: ["received: hello", "received: world!", "received: <empty message>", "queue drained"],
  },
  {
    file: "v5-compat-pub-sub.cjs",
    about: "zeromq 5's callback API: publisher and subscriber",
    transcript: [
      "received a message about kitty cats: meow",
      "received a message about kitty cats: meow",
      "received a message about kitty cats: meow",
      "done",
    ],
  },
  {
    file: "v5-compat-push-pull.cjs",
    about: "zeromq 5's callback API: bindSync producer and on(\"message\") worker",
    transcript: ["producer bound", "worker connected", "worker did: job 1, job 2, job 3, job 4, job 5"],
  },
  {
    file: "threaded-worker.mjs",
    about: "worker threads connected over inproc to sockets bound in the main thread",
    transcript: ["Hello, threads! -> Uryyb, guernqf!", "all workers stopped"],
  },
];

describe("zeromq.js's example scenarios, against zeromq and against wiremq", () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.file}: ${scenario.about}`, async () => {
      const [zeromq, wiremq] = await Promise.all([
        runExample(scenario.file, "zeromq"),
        runExample(scenario.file, "wiremq"),
      ]);
      const expected = { code: 0, timedOut: false, stdout: scenario.transcript.join("\n") + "\n" };
      const seen = (end: Ending) => ({ code: end.code, timedOut: end.timedOut, stdout: end.stdout });

      expect(seen(zeromq), `zeromq's stderr: ${zeromq.stderr}`).toEqual(expected);
      expect(seen(wiremq), `wiremq's stderr: ${wiremq.stderr}`).toEqual(seen(zeromq));
    }, LIMIT_MS * 2);
  }
});
