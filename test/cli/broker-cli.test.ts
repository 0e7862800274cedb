/** runBrokerCli: `wiremq broker` and `wiremq broker stats`, with their output and exit codes. */
import { afterEach, describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { createInterface } from "node:readline";
import { once } from "node:events";
import { runBrokerCli, type CliIo } from "../../bin/broker/cli.js";
import { BrokerClient } from "../../lib/broker/index.js";
import { within } from "../helpers/sockets.js";

interface Captured {
  io: CliIo;
  out(): string;
  err(): string;
  stop(): void;
}

function capture(): Captured {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const ac = new AbortController();
  return { io: { stdout, stderr, signal: ac.signal }, out: () => out, err: () => err, stop: () => ac.abort() };
}

const running: { stop(): void; done: Promise<number> }[] = [];
const clients: BrokerClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const r of running.splice(0)) {
    r.stop();
    await r.done;
  }
});

async function startCliBroker(args: string[]): Promise<{ endpoint: string; cap: Captured; done: Promise<number> }> {
  const cap = capture();
  const firstLine = once(createInterface({ input: cap.io.stdout as PassThrough }), "line");
  const done = runBrokerCli(args, cap.io);
  running.push({ stop: cap.stop, done });
  const [endpoint] = (await within(firstLine, 10_000, "the endpoint line")) as [string];
  return { endpoint, cap, done };
}

describe("wiremq broker", () => {
  it("prints the bound endpoint as its first line and stops on the signal", async () => {
    const { endpoint, cap, done } = await startCliBroker(["--memory", "--bind", "tcp://127.0.0.1:0", "--id", "cli-test"]);
    expect(endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(cap.err()).toContain("broker cli-test ready");
    cap.stop();
    expect(await done).toBe(0);
  });

  it("stats shows each queue's depth, rates and consumers, as a table or JSON", async () => {
    const { endpoint } = await startCliBroker(["--memory", "--bind", "tcp://127.0.0.1:0", "--id", "stats-test"]);
    const client = new BrokerClient(endpoint);
    clients.push(client);
    for (let i = 0; i < 3; i++) await client.put("invoices", "x");

    const table = capture();
    expect(await runBrokerCli(["stats", "--connect", endpoint], table.io)).toBe(0);
    expect(table.out()).toContain("broker stats-test");
    expect(table.out()).toMatch(/^queue\s+depth\s+ready\s+unacked\s+consumers\s+put\/s/m);
    expect(table.out()).toMatch(/^invoices\s+3\s+3\s+0\s+0\s/m);

    const json = capture();
    expect(await runBrokerCli(["stats", "--connect", endpoint, "--json"], json.io)).toBe(0);
    const stats = JSON.parse(json.out()) as { brokerId: string; queues: { name: string; depth: number }[] };
    expect(stats.brokerId).toBe("stats-test");
    expect(stats.queues).toEqual([expect.objectContaining({ name: "invoices", depth: 3 })]);
  });

  it("exit code 2 for bad arguments (a bad endpoint too), 1 when no broker answers", async () => {
    const bad = capture();
    expect(await runBrokerCli(["--bogus"], bad.io)).toBe(2);
    expect(bad.err()).toContain("usage:");
    expect(await runBrokerCli([], capture().io)).toBe(2);
    expect(await runBrokerCli(["--memory", "--heartbeat", "soon"], capture().io)).toBe(2);
    const none = capture();
    expect(await runBrokerCli(["stats", "--connect", "tcp://127.0.0.1:1", "--timeout", "200"], none.io)).toBe(1);
    expect(none.err()).toContain("no answer from tcp://127.0.0.1:1");
    const failing = capture();
    expect(await runBrokerCli(["--memory", "--bind", "nonsense://x"], failing.io)).toBe(2);
    expect(failing.err()).toContain('bad endpoint "nonsense://x"');
  });

  it("one broker per command: several --connect (the retired hash-ring cluster) are refused, naming JetStream", async () => {
    for (const sub of [["stats"], ["put", "q", "x"], ["consume", "q"]]) {
      const two = capture();
      expect(await runBrokerCli([...sub, "--connect", "tcp://127.0.0.1:1", "--connect", "tcp://127.0.0.1:2"], two.io)).toBe(2);
      expect(two.err()).toMatch(/--connect names one broker, not 2: the embedded broker has no cluster; .*JetStream/);
    }
  });
});
