import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Dealer, Pull } from "../../lib/index.js";
import { Fanout, Relay } from "../../lib/devices/index.js";
import { decodeFanout, encodeDeliver } from "../../lib/devices/fanout-wire.js";
import { countingProxy } from "../helpers/counting-proxy.js";
import { once } from "node:events";
import { tracker } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

async function startRelay(address = "tcp://127.0.0.1:*"): Promise<Relay> {
  const relay = track(new Relay());
  await relay.bind(address);
  void relay.run();
  return relay;
}

describe("Relay", () => {
  it("holds a TTL above what a Node timer can hold as long as asked, not 1 ms", async () => {
    const relay = await startRelay();
    relay.register("slow", () => new Promise<void>((r) => setTimeout(r, 50)));
    const dealer = track(new Dealer({ routingId: "long-ttl" }));
    dealer.connect(relay.lastEndpoint!);
    const id = randomBytes(16);
    await dealer.send(encodeDeliver(id, 0xffffffff, ["slow"], [Buffer.from("m")]));
    expect(decodeFanout(await dealer.receive())).toEqual({ kind: "report", id, statuses: ["delivered"] });
  });

  it("delivers one message to many local recipients without a listener warning", async () => {
    const relay = await startRelay();
    const names = Array.from({ length: 40 }, (_, i) => `r${i}`);
    let calls = 0;
    for (const n of names) relay.register(n, () => void calls++);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const fanout = track(new Fanout({ timeout: 2000 }));
      const report = await fanout.send("m", names.map((n) => `${relay.lastEndpoint!}#${n}`));
      await new Promise((r) => setImmediate(r));
      expect(report.results.every((r) => r.status === "delivered")).toBe(true);
      expect(calls).toBe(40);
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("delivers to handlers and registered endpoints, and reports each outcome", async () => {
    const relay = await startRelay();
    const got: string[][] = [];
    relay.register("handler", (msg) => void got.push(msg.map(String)));
    relay.register("broken", () => {
      throw new Error("recipient refused");
    });
    relay.register("stuck", () => new Promise<void>(() => {}));
    const pull = track(new Pull());
    await pull.bind("inproc://relay-recipient");
    relay.register("socket", "inproc://relay-recipient");
    const fanout = track(new Fanout({ timeout: 1000 }));
    const node = relay.lastEndpoint!;
    const report = await fanout.send(["a", "b"], ["handler", "broken", "stuck", "socket", "missing"].map((n) => `${node}#${n}`));
    expect(report.results.map((r) => r.status)).toEqual(["delivered", "failed", "timed-out", "delivered", "no-such-recipient"]);
    expect(got).toEqual([["a", "b"]]);
    expect((await pull.receive()).map(String)).toEqual(["a", "b"]);
    expect(relay.stats.outcomes).toEqual({ delivered: 2, "no-such-recipient": 1, "timed-out": 1, failed: 1 });
  });

  it("answers a repeated message id without delivering again", async () => {
    const relay = await startRelay();
    let calls = 0;
    relay.register("once", () => void calls++);
    const dealer = track(new Dealer({ routingId: "raw-sender" }));
    dealer.connect(relay.lastEndpoint!);
    const id = randomBytes(16);
    const request = encodeDeliver(id, 1000, ["once"], [Buffer.from("m")]);
    await dealer.send(request);
    const first = decodeFanout(await dealer.receive());
    await dealer.send(request);
    const second = decodeFanout(await dealer.receive());
    expect(first).toEqual({ kind: "report", id, statuses: ["delivered"] });
    expect(second).toEqual(first);
    expect(calls).toBe(1);
    expect(relay.stats).toMatchObject({ requests: 2, duplicates: 1 });
  });

  it("drops malformed messages, counts them and goes on serving", async () => {
    const relay = await startRelay();
    relay.register("r", () => undefined);
    const dealer = track(new Dealer());
    dealer.connect(relay.lastEndpoint!);
    await dealer.send(["garbage"]);
    await dealer.send([Buffer.from([1, 1]), Buffer.from("x")]);
    const id = randomBytes(16);
    await dealer.send(encodeDeliver(id, 1000, ["r"], [Buffer.from("ok")]));
    expect(decodeFanout(await dealer.receive())).toEqual({ kind: "report", id, statuses: ["delivered"] });
    expect(relay.stats.malformed).toBe(2);
  });

  it("passes names that are destinations on to further relays, one copy per node (a tree)", async () => {
    const leaf = await startRelay();
    const names = ["x", "y", "z"];
    const got: string[] = [];
    for (const n of names) leaf.register(n, (msg) => void got.push(`${n}:${msg[0]!.toString()}`));
    const site = await startRelay();
    site.register("local", () => undefined);
    const fanout = track(new Fanout());
    const via = (name: string): string => `${site.lastEndpoint}#${leaf.lastEndpoint}#${name}`;
    const report = await fanout.send("tree", [...names.map(via), `${site.lastEndpoint}#local`, via("absent"), `${site.lastEndpoint}#tcp://bad`]);
    expect(report.results.map((r) => r.status)).toEqual(["delivered", "delivered", "delivered", "delivered", "no-such-recipient", "no-such-recipient"]);
    expect(got.sort()).toEqual(["x:tree", "y:tree", "z:tree"]);
    expect(site.stats.requests).toBe(1);
    expect(leaf.stats.requests).toBe(1);
  });

  it("reaches a node that comes up before the deadline", async () => {
    const probe = new Relay();
    await probe.bind("tcp://127.0.0.1:*");
    const address = probe.lastEndpoint!;
    await probe.close();
    const fanout = track(new Fanout({ timeout: 5000 }));
    const sending = fanout.send("late", `${address}#r`);
    // The node starts a little after the send, while the sender is retrying its connection.
    await new Promise((r) => setTimeout(r, 300));
    const relay = await startRelay(address);
    const got: string[] = [];
    relay.register("r", (msg) => void got.push(msg[0]!.toString()));
    expect((await sending).counts.delivered).toBe(1);
    expect(got).toEqual(["late"]);
  });
});

describe("Fanout over a failing link", () => {
  it("sends a request again when its connection breaks before the relay got it", async () => {
    const relay = await startRelay();
    const got: string[] = [];
    relay.register("r", (msg) => void got.push(msg[0]!.toString()));
    const port = Number(relay.lastEndpoint!.slice(relay.lastEndpoint!.lastIndexOf(":") + 1));
    const link = track(await countingProxy(port));
    const fanout = track(new Fanout({ timeout: 5000 }));
    const to = `${link.endpoint}#r`;
    expect((await fanout.send("warm-up", to)).counts.delivered).toBe(1);
    // The link now eats data: the next request is written and never arrives.
    link.dropping = true;
    const eaten = once(link.events, "upstream");
    const sending = fanout.send("resent", to);
    await eaten;
    link.dropping = false;
    link.cut();
    const report = await sending;
    expect(report.counts.delivered).toBe(1);
    expect(got).toEqual(["warm-up", "resent"]);
  });
});

describe("Fanout input checks", () => {
  it("refuses bad destinations, options and a closed fan-out with a code", async () => {
    const fanout = new Fanout();
    await expect(fanout.send("m", ["tcp://127.0.0.1:1"])).rejects.toMatchObject({ code: "EINVAL" });
    await expect(fanout.send("m", ["tcp://no-port#x"])).rejects.toMatchObject({ code: "EINVAL" });
    await expect(fanout.send("m", [])).rejects.toMatchObject({ code: "EINVAL" });
    await expect(fanout.send("m", "tcp://127.0.0.1:1#x", { timeout: -1 })).rejects.toMatchObject({ code: "EINVAL" });
    expect(() => new Fanout({ timeout: Number.NaN })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    // Node fires a timer above 2^31-1 ms after 1 ms: such a timeout would report "timed-out" at once.
    expect(() => new Fanout({ timeout: 2 ** 31 })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    await expect(fanout.send("m", "tcp://127.0.0.1:1#x", { timeout: 2 ** 31 })).rejects.toMatchObject({ code: "EINVAL" });
    await fanout.close();
    await expect(fanout.send("m", "tcp://127.0.0.1:1#x")).rejects.toMatchObject({ code: "EBADF" });
  });

  it("sends to a named list", async () => {
    const relay = await startRelay();
    const got: string[] = [];
    relay.register("a", () => void got.push("a"));
    relay.register("b", () => void got.push("b"));
    const fanout = track(new Fanout());
    fanout.define("team", [`${relay.lastEndpoint}#a`, `${relay.lastEndpoint}#b`]);
    const report = await fanout.send("hello", "team");
    expect(report.counts.delivered).toBe(2);
    expect(got.sort()).toEqual(["a", "b"]);
  });
});
