/**
 * A pool of worker threads over inproc (the scenario of zeromq.js's threaded-worker example):
 * a ventilator PUSH, a sink PULL and a control PUB in this thread, four workers that pull
 * tasks, push results and stop on a published "stop". The same program runs with zeromq and
 * with wiremq, switching only the library, and finishes by itself.
 */
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import * as zeromq from "zeromq";
import * as wiremq from "../../lib/index.js";
import type { LibName, Zmq } from "../helpers/differential.js";
import { workerLib } from "../helpers/thread-peer.js";

const WORKER = new URL("../fixtures/inproc-pool-worker.mjs", import.meta.url);
const THREADS = 4;
const TASKS = 200;

async function runPool(lib: LibName, zmq: Zmq): Promise<{ answers: Map<number, string>; perThread: Map<string, number>; exitCodes: number[] }> {
  const tag = `${lib}-${process.pid}-${Date.now()}`;
  const endpoints = { tasks: `inproc://pool-tasks-${tag}`, results: `inproc://pool-results-${tag}`, control: `inproc://pool-control-${tag}` };
  const ventilator = new zmq.Push();
  const sink = new zmq.Pull();
  const control = new zmq.Publisher();
  await ventilator.bind(endpoints.tasks);
  await sink.bind(endpoints.results);
  await control.bind(endpoints.control);

  const workers = Array.from({ length: THREADS }, () => new Worker(WORKER, { workerData: { lib: workerLib(lib), ...endpoints } }));
  const exits = workers.map((w) => new Promise<number>((resolve, reject) => w.once("exit", resolve).once("error", reject)));

  const sending = (async () => {
    for (let n = 1; n <= TASKS; n++) await ventilator.send(String(n));
  })();
  const answers = new Map<number, string>();
  const perThread = new Map<string, number>();
  for await (const [n, root, thread] of sink) {
    answers.set(Number(n!.toString()), root!.toString());
    perThread.set(thread!.toString(), (perThread.get(thread!.toString()) ?? 0) + 1);
    if (answers.size === TASKS) break;
  }
  await sending;

  // A subscriber may join late, so "stop" goes out until every worker has ended.
  let running = THREADS;
  for (const e of exits) void e.then(() => running--);
  while (running > 0) {
    await control.send("stop");
    await new Promise((r) => setTimeout(r, 20));
  }
  const exitCodes = await Promise.all(exits);
  ventilator.close();
  sink.close();
  control.close();
  return { answers, perThread, exitCodes };
}

describe("a thread pool over inproc", () => {
  it.each([
    ["zeromq", zeromq],
    ["wiremq", wiremq as unknown as Zmq],
  ] as [LibName, Zmq][])("with %s: every task answered once, by the pool's threads, and every worker exits 0", { timeout: 60_000 }, async (lib, zmq) => {
    const { answers, perThread, exitCodes } = await runPool(lib, zmq);
    expect(answers.size).toBe(TASKS);
    for (const [n, root] of answers) expect(root).toBe(Math.sqrt(n).toFixed(6));
    expect([...perThread.values()].reduce((a, b) => a + b)).toBe(TASKS);
    expect(perThread.size).toBeGreaterThan(0);
    expect(perThread.size).toBeLessThanOrEqual(THREADS);
    expect(exitCodes).toEqual([0, 0, 0, 0]);
  });
});
