/**
 * RADIO/DISH over inproc between worker_threads: the DISH's JOIN crosses the thread link, as
 * with zeromq (one context per process), so a RADIO in this thread reaches a DISH in a worker.
 */
import { existsSync } from "node:fs";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import * as zmqDraft from "zeromq/draft.js";
import * as wireDraft from "../../lib/draft.js";
import { expectSame, type Libs } from "../helpers/differential.js";

type Draft = typeof zmqDraft;
const LIBS: Libs<Draft> = { zeromq: zmqDraft, wiremq: wireDraft as unknown as Draft };
const FIXTURE = new URL("../fixtures/draft-thread-dish.mjs", import.meta.url);
const WIREMQ_DRAFT_BUILT = new URL("../../dist/lib/draft.js", import.meta.url);

function workerLib(lib: string): string {
  if (lib === "zeromq") return "zeromq/draft.js";
  if (!existsSync(fileURLToPath(WIREMQ_DRAFT_BUILT))) throw new Error("dist/lib/draft.js is missing: run `npm run build` first");
  return WIREMQ_DRAFT_BUILT.href;
}

describe("RADIO/DISH across worker_threads", () => {
  it("a RADIO in this thread reaches a DISH that joined in a worker, only for its group", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const address = `inproc://draft-threads-${run.lib}-${process.pid}`;
      const radio = run.track(new zmq.Radio());
      await radio.bind(address);
      const worker = new Worker(FIXTURE, { workerData: { lib: workerLib(run.lib), address, group: "g" } });
      const got = once(worker, "message");
      // The worker closes its DISH and ends by itself (zeromq's addon aborts on terminate()).
      const exited = once(worker, "exit");
      // The JOIN has no event on this side: send until the worker has a message.
      let arrived = false;
      void got.then(() => (arrived = true));
      while (!arrived) {
        await radio.send("other group", { group: "h" });
        await radio.send("hello", { group: "g" });
        await new Promise((r) => setTimeout(r, 5));
      }
      const [message] = (await got) as [string];
      await exited;
      return message;
    }, LIBS);
    expect(seen).toEqual({ resolved: "g:hello" });
  });
});
