import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { pushPull } from "../../examples/push-pull.js";
import { pair } from "../../examples/pair.js";
import { ordersPipeline } from "../../examples/orders-pipeline.js";
import { pricesPubSub } from "../../examples/prices-pubsub.js";
import { rpcFailover } from "../../examples/rpc-failover.js";
import { loadBalancingBroker } from "../../examples/load-balancing-broker.js";

const quiet = (): void => {};

describe("examples", () => {
  it("push-pull splits ten jobs five and five", async () => {
    const counts = await pushPull(quiet);
    expect([...counts.values()]).toEqual([5, 5]);
  });

  it("pair exchanges ping and pong", async () => {
    expect(await pair(quiet)).toEqual(["ping", "pong"]);
  });

  it("orders-pipeline processes every order once, ten per worker, and drops the one non-order", async () => {
    const result = await ordersPipeline(quiet);
    expect(result.processed).toBe(20);
    expect(result.byWorker).toEqual({ "worker-a": 10, "worker-b": 10 });
    expect(result.notional).toBeCloseTo(Array.from({ length: 20 }, (_, i) => (10 + i) * (99.5 + i / 4)).reduce((a, b) => a + b), 6);
    expect(result.decodeErrors).toBe(1);
  });

  it("prices-pubsub delivers exactly what each filter passes, and the publisher sends only that", async () => {
    const result = await pricesPubSub(quiet);
    expect(result.received.everything).toBe(result.published);
    expect(result.received.filteredUpstream).toBe(result.expected.filteredUpstream);
    expect(result.received.filteredLocally).toBe(result.expected.filteredLocally);
    expect(result.filteredCopies).toBe(result.expected.filteredUpstream);
    expect(result.expected.filteredUpstream).toBeLessThan(result.published / 5);
  });

  it("rpc-failover answers every call after gamma crashes, from alpha and beta", async () => {
    const result = await rpcFailover(quiet);
    expect(result.gammaCrashed).toBe(true);
    expect(result.secondRound).toHaveLength(6);
    expect(result.secondRound.every((s) => s === "alpha" || s === "beta")).toBe(true);
    expect(result.failovers).toBeGreaterThan(0);
    expect(result.remoteErrorCode).toBe("ENOSYMBOL");
  });

  it("load-balancing-broker answers all twelve jobs after a worker crashes on one", async () => {
    const result = await loadBalancingBroker(quiet);
    expect(result.answered).toBe(12);
    expect(Object.values(result.byWorker).reduce((a, b) => a + b)).toBe(12);
    expect(result.byWorker.w2).toBeUndefined();
    expect(result).toMatchObject({ retried: 1, lostWorkers: 1 });
  });

  it("the demo (README's first command) runs every section to its end and exits 0", async () => {
    const demo = fileURLToPath(new URL("../../dist/examples/demo.js", import.meta.url));
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [demo], { timeout: 60_000 }, (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    for (const section of ["PUSH/PULL", "PAIR", "Typed pipeline", "Typed pub/sub", "RPC", "Load-balancing broker"]) expect(stdout).toContain(`== ${section}`);
    expect(stdout).toMatch(/demo finished\s*$/);
    // Every failure the demo shows on purpose says so.
    const failures = stdout.split("\n").filter((line) => !line.startsWith("==") && /crash|fail|dropped|EDECODE/i.test(line) && !/expected|retried|lost \(/.test(line));
    expect(failures).toEqual([]);
  });
});
