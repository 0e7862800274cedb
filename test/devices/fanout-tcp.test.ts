import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pull } from "../../lib/index.js";
import { Fanout, Relay } from "../../lib/devices/index.js";
import { countingProxy, type CountingProxy } from "../helpers/counting-proxy.js";

/**
 * The fan-out of issue 7 over tcp: three relay nodes with ten recipients each (PULL sockets
 * bound at ipc://<node dir>/<name>, found by the relays in their recipient directory). Each
 * relay sits behind a counting TCP proxy, so the bytes the sender puts on the wire are
 * measured outside the library.
 */
const NODES = 3;
const PER_NODE = 10;
/** A realistic message: a kilobyte, against names of about ten bytes. */
const PAYLOAD = Buffer.alloc(1024, "x");

interface Node {
  dir: string;
  relay: Relay;
  proxy: CountingProxy;
  recipients: Map<string, Pull>;
}

const root = mkdtempSync(join(tmpdir(), "wiremq-fanout-"));
const nodes: Node[] = [];
const dest = (n: number, name: string): string => `${nodes[n]!.proxy.endpoint}#${name}`;
const everyone = (): string[] => nodes.flatMap((_, n) => [...nodes[n]!.recipients.keys()].map((name) => dest(n, name)));
const upstream = (): number => nodes.reduce((sum, n) => sum + n.proxy.upstreamBytes, 0);
const resetCounts = (): void => nodes.forEach((n) => n.proxy.reset());

/** Each recipient's next message, as text of its first frame. */
async function nextAtEach(): Promise<Map<string, string>> {
  const got = new Map<string, string>();
  await Promise.all(
    nodes.flatMap((node, n) =>
      [...node.recipients].map(async ([name, pull]) => {
        const [first] = await pull.receive();
        got.set(dest(n, name), first!.toString().slice(0, 16));
      }),
    ),
  );
  return got;
}

beforeAll(async () => {
  for (let n = 0; n < NODES; n++) {
    const dir = join(root, `node${n}`);
    mkdirSync(dir);
    const relay = new Relay({ recipientDir: dir });
    await relay.bind("tcp://127.0.0.1:*");
    void relay.run();
    const port = Number(relay.lastEndpoint!.slice(relay.lastEndpoint!.lastIndexOf(":") + 1));
    const proxy = await countingProxy(port);
    const recipients = new Map<string, Pull>();
    for (let r = 0; r < PER_NODE; r++) {
      const pull = new Pull();
      await pull.bind(`ipc://${join(dir, `user-${r}`)}`);
      recipients.set(`user-${r}`, pull);
    }
    nodes.push({ dir, relay, proxy, recipients });
  }
});

afterAll(async () => {
  for (const node of nodes) {
    await node.relay.close();
    await node.proxy.close();
    for (const pull of node.recipients.values()) await pull.close();
  }
  rmSync(root, { recursive: true, force: true });
});

describe("fan-out over tcp, 3 relay nodes × 10 recipients", () => {
  it("delivers to all 30 exactly once and reports each as delivered", async () => {
    const fanout = new Fanout();
    try {
      const report = await fanout.send(["first", PAYLOAD], everyone());
      expect(report.results).toHaveLength(30);
      expect(report.counts.delivered).toBe(30);
      expect(new Set(report.results.map((r) => r.destination))).toEqual(new Set(everyone()));
      const first = await nextAtEach();
      expect([...first.values()].every((text) => text === "first")).toBe(true);
      // A duplicate would be the next thing each recipient reads, ahead of this marker.
      const second = await fanout.send("second", everyone());
      expect(second.counts.delivered).toBe(30);
      const next = await nextAtEach();
      expect([...next.values()].every((text) => text === "second")).toBe(true);
      expect(nodes.reduce((sum, n) => sum + n.relay.stats.duplicates, 0)).toBe(0);
    } finally {
      await fanout.close();
    }
  });

  it("puts at most 1.2× the bytes of 3 single sends on the wire, not 30×", async () => {
    // Each figure from a fresh sender, so each includes its connections' greetings and handshakes.
    const measure = async (destinations: string[][]): Promise<number> => {
      const fanout = new Fanout();
      resetCounts();
      try {
        for (const list of destinations) {
          const report = await fanout.send(PAYLOAD, list);
          expect(report.counts.delivered).toBe(list.length);
        }
        return upstream();
      } finally {
        await fanout.close();
        // Drain what the recipients got, so the next figure starts clean.
        for (const list of destinations) for (const d of list) await recipientOf(d).receive();
      }
    };
    const fanned = await measure([everyone()]);
    const threeSingles = await measure(nodes.map((_, n) => [dest(n, "user-0")]));
    const thirtySingles = await measure(everyone().map((d) => [d]));
    const ratio = fanned / threeSingles;
    console.log(
      `fan-out bytes on the wire: 30 recipients in one fan-out ${fanned} B; 3 single sends ${threeSingles} B; ` +
        `30 single sends ${thirtySingles} B; ratio to 3 singles ${ratio.toFixed(3)}`,
    );
    expect(ratio).toBeLessThanOrEqual(1.2);
    expect(fanned * 5).toBeLessThan(thirtySingles);
  });

  it("reports a recipient that does not exist, and still delivers to the others", async () => {
    const fanout = new Fanout();
    try {
      const list = [...everyone(), dest(1, "nobody"), dest(2, "../user-0")];
      const report = await fanout.send("with strangers", list);
      expect(report.counts).toEqual({ delivered: 30, "no-such-recipient": 2, "timed-out": 0, failed: 0 });
      expect(report.results.filter((r) => r.status === "no-such-recipient").map((r) => r.destination)).toEqual([
        dest(1, "nobody"),
        dest(2, "../user-0"),
      ]);
      await nextAtEach();
    } finally {
      await fanout.close();
    }
  });

  it("reports a relay that is down as timed out while the others deliver", async () => {
    const down = nodes[2]!;
    await down.relay.close();
    const fanout = new Fanout({ timeout: 800 });
    try {
      const started = Date.now();
      const report = await fanout.send("one node down", everyone());
      expect(Date.now() - started).toBeLessThan(3000);
      expect(report.counts.delivered).toBe(20);
      expect(report.counts["timed-out"]).toBe(10);
      for (const r of report.results) {
        expect(r.status).toBe(r.destination.startsWith(down.proxy.endpoint + "#") ? "timed-out" : "delivered");
      }
      for (const [n, node] of nodes.entries()) {
        if (n === 2) continue;
        for (const pull of node.recipients.values()) expect((await pull.receive())[0]!.toString()).toBe("one node down");
      }
    } finally {
      await fanout.close();
    }
  });
});

function recipientOf(destination: string): Pull {
  const [node, name] = [destination.slice(0, destination.indexOf("#")), destination.slice(destination.indexOf("#") + 1)];
  return nodes.find((n) => n.proxy.endpoint === node)!.recipients.get(name)!;
}
