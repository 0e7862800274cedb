/**
 * Content filtering measured on the wire: each subscriber reaches the publisher through its own
 * byte-counting TCP relay, so what is counted is exactly what crossed its connection.
 */
import * as net from "node:net";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { json, TopicPublisher, TopicSubscriber } from "../../patterns/index.js";
import { tracker, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

interface Tick {
  seq: number;
  symbol: string;
  price: number;
}
const topics = { ticks: json<Tick>() };
const TOTAL = 100_000;
/** One tick in a hundred is RARE: the filter below passes 1%. */
const tickAt = (seq: number): Tick => ({ seq, symbol: seq % 100 === 0 ? "RARE" : "COMMON", price: 100 + (seq % 1000) / 100 });

/** A TCP relay to `target` that counts the bytes flowing from the target to the client. */
async function countingRelay(target: string): Promise<{ endpoint: string; bytesToClient(): number; close(): Promise<void> }> {
  const { hostname, port } = new URL(target.replace(/^tcp:/, "http:"));
  let bytes = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("error", () => {});
      s.on("close", () => open.delete(s));
    }
    upstream.on("data", (chunk: Buffer) => (bytes += chunk.length));
    upstream.pipe(client);
    client.pipe(upstream);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address() as net.AddressInfo;
  return {
    endpoint: `tcp://127.0.0.1:${address.port}`,
    bytesToClient: () => bytes,
    close: async () => {
      for (const s of open) s.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

describe("content filter bandwidth", () => {
  it("a filter passing 1% of 100k messages brings ≤ 2% of the unfiltered bytes", async () => {
    const filters = { ready: (): void => {} };
    const filterArrived = new Promise<void>((resolve) => (filters.ready = resolve));
    const subscribed = { ready: (): void => {} };
    const plainArrived = new Promise<void>((resolve) => (subscribed.ready = resolve));
    // noDrop: the publisher waits for a slow subscriber instead of dropping, so both runs see
    // every message and the comparison is of filtering alone.
    const pub = track(
      new TopicPublisher(topics, {
        noDrop: true,
        onSubscription: (c) => (c.kind === "filter" ? filters.ready() : c.kind === "subscribe" ? subscribed.ready() : undefined),
      }),
    );
    await pub.bind("tcp://127.0.0.1:*");
    const plainRelay = track(await countingRelay(pub.lastEndpoint!));
    const filteredRelay = track(await countingRelay(pub.lastEndpoint!));

    const unfiltered = track(new TopicSubscriber(topics));
    unfiltered.connect(plainRelay.endpoint);
    unfiltered.subscribe("ticks");
    const filtered = track(new TopicSubscriber(topics));
    filtered.connect(filteredRelay.endpoint);
    filtered.subscribe("ticks", { where: { field: "symbol", eq: "RARE" } });
    await within(Promise.all([filterArrived, plainArrived]), 5000, "subscriptions at the publisher");

    const fence: Tick = { seq: TOTAL, symbol: "RARE", price: 0 };
    const receiveUntilFence = async (sub: TopicSubscriber<typeof topics>): Promise<number> => {
      let n = 0;
      for await (const { value } of sub) {
        n++;
        if (value.seq === TOTAL) return n;
      }
      return n;
    };
    const counts = Promise.all([receiveUntilFence(unfiltered), receiveUntilFence(filtered)]);
    for (let seq = 0; seq < TOTAL; seq++) await pub.publish("ticks", tickAt(seq));
    await pub.publish("ticks", fence);
    const [plainCount, filteredCount] = await within(counts, 30_000, "both subscribers reach the fence");

    expect(plainCount).toBe(TOTAL + 1);
    expect(filteredCount).toBe(TOTAL / 100 + 1);
    const ratio = filteredRelay.bytesToClient() / plainRelay.bytesToClient();
    expect(ratio).toBeLessThanOrEqual(0.02);
    // And filtering is not free of bytes: the 1% did cross, so the ratio is not ~0 by mistake.
    expect(ratio).toBeGreaterThan(0.005);
  });
});
