import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pull, Push, Request, Subscriber } from "../../lib/index.js";
import { decodeStatistics, Fanout } from "../../lib/devices/index.js";
import { cliTracker, runCli } from "../helpers/cli.js";

zmq.context.blocky = false;

const dir = mkdtempSync(join(tmpdir(), "wiremq-cli-devices-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { cli, track } = cliTracker();

describe("wiremq proxy", () => {
  it("runs a streamer with capture and control; STATISTICS counts; TERMINATE ends it with exit 0", async () => {
    const proxy = cli([
      "proxy", "streamer",
      "--frontend", "tcp://127.0.0.1:*", "--backend", "tcp://127.0.0.1:*",
      "--capture", "tcp://127.0.0.1:*", "--control", "tcp://127.0.0.1:*",
    ]);
    const [front, back, capture, control] = await Promise.all(["frontEnd", "backEnd", "capture", "control"].map((s) => proxy.bound(`${s} `)));
    const tap = track(new Subscriber());
    tap.subscribe();
    tap.connect(capture!);
    const consumer = track(new Pull());
    consumer.connect(back!);
    // Probe through the device until the capture subscriber is seen to get copies.
    const producer = track(new Push());
    producer.connect(front!);
    let tapped = false;
    void tap.receive().then(() => (tapped = true));
    let probes = 0;
    while (!tapped && probes < 500) {
      await producer.send("probe");
      probes++;
      await consumer.receive();
      await new Promise((r) => setImmediate(r));
    }
    expect(tapped).toBe(true);
    expect((await runCli(["send", "--type", "push", "--connect", front!], "a|1\nb|22\nc|333\n")).code).toBe(0);
    for (const expected of [["a", "1"], ["b", "22"], ["c", "333"]]) expect((await consumer.receive()).map(String)).toEqual(expected);
    const copies: string[] = [];
    for (let i = 0; i < probes + 3 && copies.length < 3; i++) {
      const msg = (await tap.receive()).map(String);
      if (msg[0] !== "probe") copies.push(msg.join("|"));
    }
    expect(copies).toEqual(["a|1", "b|22", "c|333"]);
    const controller = track(new Request());
    controller.connect(control!);
    await controller.send("STATISTICS");
    const stats = decodeStatistics(await controller.receive());
    const bytes = probes * 5 + 9;
    expect(stats.frontEnd).toEqual({ messagesIn: probes + 3, bytesIn: bytes, messagesOut: 0, bytesOut: 0 });
    expect(stats.backEnd).toEqual({ messagesIn: 0, bytesIn: 0, messagesOut: probes + 3, bytesOut: bytes });
    await controller.send("TERMINATE");
    expect((await controller.receive()).map(String)).toEqual(["TERMINATE"]);
    const done = await proxy.exited();
    expect(done.code).toBe(0);
    expect(done.stderr).toContain(`proxy streamer stopped: front-end in ${probes + 3} msgs/${bytes} B`);
  });

  it("runs a buffer that holds messages for a consumer that comes later, and saves them on SIGTERM", async () => {
    const spill = join(dir, "cli.spill");
    const args = ["proxy", "buffer", "--frontend", "tcp://127.0.0.1:*", "--backend", "tcp://127.0.0.1:*", "--memory", "64", "--spill-file", spill];
    const first = cli(args);
    const [front] = await Promise.all([first.bound("frontEnd "), first.bound("backEnd ")]);
    const lines = Array.from({ length: 20 }, (_, i) => `job-${i}`).join("\n");
    expect((await runCli(["send", "--type", "push", "--connect", front!], `${lines}\n`)).code).toBe(0);
    // No consumer has asked yet: the device holds all 20 (most of them in the spill file).
    const consumer = await runCli(["recv", "--type", "req", "--connect", (await first.bound("backEnd "))!, "--count", "5", "--done", "DONE", "--timeout", "5000"]);
    expect(consumer).toMatchObject({ code: 0, stdout: "job-0\njob-1\njob-2\njob-3\njob-4\n" });
    expect((await first.stop("SIGTERM")).code).toBe(0);

    const second = cli(args);
    const back = await second.bound("backEnd ");
    const rest = await runCli(["recv", "--type", "req", "--connect", back, "--count", "15", "--done", "DONE", "--timeout", "5000"]);
    expect(rest.stdout.trim().split("\n")).toEqual(Array.from({ length: 15 }, (_, i) => `job-${i + 5}`));
    expect((await second.stop("SIGTERM")).code).toBe(0);
  });

  it("refuses options that do not fit the device, with exit 2", async () => {
    const r = await runCli(["proxy", "queue", "--frontend", "tcp://127.0.0.1:*", "--backend", "tcp://127.0.0.1:*", "--memory", "1M"]);
    expect(r.code).toBe(2);
    expect((await runCli(["proxy", "buffer", "--frontend", "tcp://127.0.0.1:*", "--backend", "tcp://127.0.0.1:*", "--memory", "lots"])).code).toBe(2);
    expect((await runCli(["proxy", "--frontend", "tcp://127.0.0.1:*", "--backend", "tcp://127.0.0.1:*"])).code).toBe(2);
  });
});

describe("wiremq relay", () => {
  it("delivers a fan-out to recipients in its directory and to named endpoints, and reports the rest", async () => {
    const recipients = join(dir, "relay");
    mkdirSync(recipients);
    const alice = track(new Pull());
    await alice.bind(`ipc://${join(recipients, "alice")}`);
    const bob = track(new zmq.Pull());
    await bob.bind("tcp://127.0.0.1:*");
    const relay = cli(["relay", "--bind", "tcp://127.0.0.1:*", "--dir", recipients, "--recipient", `bob=${bob.lastEndpoint}`]);
    const node = await relay.bound();
    const fanout = track(new Fanout());
    const report = await fanout.send("hello", [`${node}#alice`, `${node}#bob`, `${node}#carol`]);
    expect(report.results.map((r) => r.status)).toEqual(["delivered", "delivered", "no-such-recipient"]);
    expect((await alice.receive()).map(String)).toEqual(["hello"]);
    expect((await bob.receive()).map(String)).toEqual(["hello"]);
    const done = await relay.stop("SIGTERM");
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/relay stopped: 1 requests .* delivered 2, no-such-recipient 1/);
  });

  it("refuses a bad recipient entry and a bad endpoint with exit 2", async () => {
    expect((await runCli(["relay", "--bind", "tcp://127.0.0.1:*", "--recipient", "nameonly"])).code).toBe(2);
    expect((await runCli(["relay", "--bind", "tcp://127.0.0.1"])).code).toBe(2);
    expect((await runCli(["relay"])).code).toBe(2);
  });
});

describe("wiremq bench", () => {
  it("runs the harness and counts measurements done out of the total", async () => {
    const r = await runCli(["bench", "--quick", "--filter", "push-pull/inproc/16B", "--libs", "wiremq", "--scale", "0.05"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\[1\/1\] push-pull\/inproc\/16B round 1\/1 wiremq: /m);
    expect(r.stdout).toMatch(/push-pull\/inproc\/16B/);
  });

  it("passes the harness's exit code for bad options", async () => {
    expect((await runCli(["bench", "--rounds", "zero"])).code).toBe(2);
  });
});


