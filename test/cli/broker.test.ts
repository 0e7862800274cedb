import { afterEach, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "../helpers/cli.js";

const running: CliProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
});

describe("wiremq broker", () => {
  it("runs a broker that `wiremq broker stats` can query", async () => {
    const broker = new CliProcess(["broker", "--memory", "--bind", "tcp://127.0.0.1:0"]);
    running.push(broker);
    const [endpoint] = await broker.waitFor(/tcp:\/\/127\.0\.0\.1:\d+/, "stdout");
    const stats = await runCli(["broker", "stats", "--connect", endpoint!, "--json"]);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toBeTruthy();
  });

  it("refuses a bad flag with exit code 2", async () => {
    const result = await runCli(["broker", "--no-such-flag"]);
    expect(result.code).toBe(2);
  });
});
