/**
 * `wiremq bridge`: a PULL bridge into a JetStream queue and a PUSH bridge out of it, run as the
 * built command against a real nats-server; SIGTERM stops each with its counts.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { Pull, Push } from "../../lib/index.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { missingBuild } from "../helpers/broker-process.js";
import { missingNatsServer, startNats, stopAllNats, type NatsServer } from "../helpers/nats.js";
import { cliTracker, runCli } from "../helpers/cli.js";

const { cli, track } = cliTracker();

describeNeeding(missingNatsServer() ?? missingBuild(), "wiremq bridge", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNats();
  }, 30_000);
  afterAll(stopAllNats);

  it("pull → queue → push: messages go through the stream; each bridge reports its counts on SIGTERM", async () => {
    const queue = `cli.bridge.${Date.now()}`;
    const into = cli(["bridge", "pull", "-e", "@tcp://127.0.0.1:0", "-q", queue, "--nats", server.url]);
    const outOf = cli(["bridge", "push", "-e", "@tcp://127.0.0.1:0", "-q", queue, "--nats", server.url]);
    const push = track(new Push());
    push.connect(await into.bound("bridge pull "));
    const pull = track(new Pull());
    pull.connect(await outOf.bound("bridge push "));
    for (const m of ["a", "b", "c"]) await push.send(m);
    const got: string[] = [];
    for (let i = 0; i < 3; i++) got.push((await pull.receive())[0]!.toString());
    expect(got).toEqual(["a", "b", "c"]);
    const a = await into.stop();
    expect(a.code).toBe(0);
    expect(a.stderr).toMatch(/stored 3,/);
    const b = await outOf.stop();
    expect(b.code).toBe(0);
    expect(b.stderr).toMatch(/forwarded 3,/);
  }, 30_000);

  it("refuses a command line without a backend, naming what is missing", async () => {
    const r = await runCli(["bridge", "pull", "-e", "@tcp://127.0.0.1:0", "-q", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--nats or --broker/);
  });

  it("refuses several --broker endpoints (the embedded broker has no cluster), naming JetStream", async () => {
    const r = await runCli(["bridge", "pull", "-e", "@tcp://127.0.0.1:0", "-q", "x", "--broker", "tcp://127.0.0.1:1,tcp://127.0.0.1:2"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ENOTSUP.*no cluster.*jetstream/);
  });
});
