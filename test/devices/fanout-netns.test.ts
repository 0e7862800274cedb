import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pull } from "../../lib/index.js";
import { Fanout } from "../../lib/devices/index.js";
import { CliProcess } from "../helpers/cli.js";
import { describeNeeding } from "../helpers/prerequisite.js";

/**
 * The fan-out of issue 7 with each relay node in its own network namespace, reached over its
 * own veth pair and address: the sender (this process) is in the root namespace, each relay
 * is the real `wiremq relay` run by `ip netns exec`. Recipients are PULL sockets in this
 * process bound at ipc:// paths, which the relays reach through the shared file system.
 * Bytes are the kernel's transmit counters of the sender's side of each veth: every byte the
 * sender put on those links, TCP/IP headers included.
 *
 * Needs root (CAP_NET_ADMIN) to make namespaces and links; skipped, saying so, otherwise.
 * Touches only the namespaces and links it creates, and removes them afterwards.
 */
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log(`fanout-netns: skipped: creating network namespaces needs root, and this runs as uid ${process.getuid?.()}`);

const NODES = 3;
const PER_NODE = 10;
const PAYLOAD = Buffer.alloc(1024, "n");
const tag = randomBytes(2).toString("hex");

interface Node {
  ns: string;
  hostIf: string;
  nsIf: string;
  address: string;
  dir: string;
  relay: CliProcess | null;
  endpoint: string;
  recipients: Map<string, Pull>;
}

const nodes: Node[] = [];
const createdNamespaces: string[] = [];
const createdLinks: string[] = [];
let root = "";

function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A 10.x.0.0/16 that no interface or route here uses yet. */
function freeSubnet(): number {
  const inUse = ip("-4", "addr") + ip("-4", "route");
  for (let tries = 0; tries < 50; tries++) {
    const x = 200 + Math.floor(Math.random() * 50);
    if (!inUse.includes(`10.${x}.`)) return x;
  }
  throw new Error("no free 10.x subnet for the test links");
}

/** IPv6 off on a link, so router solicitations and the like do not add to the byte counts. */
function disableIpv6(ifName: string, ns?: string): void {
  const path = `/proc/sys/net/ipv6/conf/${ifName}/disable_ipv6`;
  try {
    if (ns === undefined) writeFileSync(path, "1");
    else execFileSync("ip", ["netns", "exec", ns, "sh", "-c", `echo 1 > ${path}`], { stdio: "ignore" });
  } catch {
    // No IPv6 in this kernel: nothing to silence.
  }
}

function txBytes(node: Node): number {
  return Number(readFileSync(`/sys/class/net/${node.hostIf}/statistics/tx_bytes`, "utf8"));
}

const dest = (node: Node, name: string): string => `${node.endpoint}#${name}`;
const everyone = (): string[] => nodes.flatMap((n) => [...n.recipients.keys()].map((name) => dest(n, name)));

describeNeeding(isRoot ? undefined : "network namespaces and veth pairs need root", "fan-out with relays in separate network namespaces", () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "wiremq-netns-"));
    const subnet = freeSubnet();
    for (let i = 1; i <= NODES; i++) {
      const node: Node = {
        ns: `wiremq-${tag}-n${i}`,
        hostIf: `wq${tag}h${i}`,
        nsIf: `wq${tag}n${i}`,
        address: `10.${subnet}.${i}.2`,
        dir: join(root, `node${i}`),
        relay: null,
        endpoint: "",
        recipients: new Map(),
      };
      nodes.push(node);
      ip("netns", "add", node.ns);
      createdNamespaces.push(node.ns);
      ip("link", "add", node.hostIf, "type", "veth", "peer", "name", node.nsIf);
      createdLinks.push(node.hostIf);
      ip("link", "set", node.nsIf, "netns", node.ns);
      disableIpv6(node.hostIf);
      disableIpv6(node.nsIf, node.ns);
      ip("addr", "add", `10.${subnet}.${i}.1/24`, "dev", node.hostIf);
      ip("link", "set", node.hostIf, "up");
      ip("netns", "exec", node.ns, "ip", "addr", "add", `${node.address}/24`, "dev", node.nsIf);
      ip("netns", "exec", node.ns, "ip", "link", "set", node.nsIf, "up");
      ip("netns", "exec", node.ns, "ip", "link", "set", "lo", "up");
      mkdirSync(node.dir);
      for (let r = 0; r < PER_NODE; r++) {
        const pull = new Pull();
        await pull.bind(`ipc://${join(node.dir, `user-${r}`)}`);
        node.recipients.set(`user-${r}`, pull);
      }
    }
    await Promise.all(
      nodes.map(async (node) => {
        node.relay = new CliProcess(["relay", "--bind", `tcp://${node.address}:*`, "--dir", node.dir], { prefix: ["ip", "netns", "exec", node.ns] });
        node.endpoint = await node.relay.bound();
      }),
    );
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.relay?.stop("SIGKILL")));
    for (const n of nodes) for (const pull of n.recipients.values()) await pull.close();
    for (const link of createdLinks) {
      try {
        ip("link", "del", link);
      } catch {
        // Already gone with its namespace.
      }
    }
    for (const ns of createdNamespaces) {
      try {
        ip("netns", "del", ns);
      } catch (err) {
        console.log(`fanout-netns: could not delete namespace ${ns}: ${(err as Error).message}`);
      }
    }
    if (root !== "") rmSync(root, { recursive: true, force: true });
  });

  it("each relay is in its own namespace, reachable only over its link", () => {
    for (const node of nodes) {
      expect(node.endpoint.startsWith(`tcp://${node.address}:`)).toBe(true);
      expect(ip("netns", "exec", node.ns, "ip", "-4", "addr")).toContain(node.address);
      expect(ip("-4", "addr")).not.toContain(`${node.address}/`);
    }
  });

  it("delivers to all 30 exactly once, reports them, and crosses each link once", async () => {
    const fanout = new Fanout();
    try {
      const report = await fanout.send(["across", PAYLOAD], everyone());
      expect(report.counts.delivered).toBe(30);
      for (const node of nodes) for (const pull of node.recipients.values()) expect((await pull.receive())[0]!.toString()).toBe("across");
      const marker = await fanout.send("marker", everyone());
      expect(marker.counts.delivered).toBe(30);
      // A second copy of "across" would be read here instead of the marker.
      for (const node of nodes) for (const pull of node.recipients.values()) expect((await pull.receive())[0]!.toString()).toBe("marker");
    } finally {
      await fanout.close();
    }
  });

  it("sends at most 1.2× the link bytes of 3 single sends", async () => {
    const measure = async (lists: string[][]): Promise<number> => {
      const fanout = new Fanout();
      const before = nodes.map(txBytes);
      try {
        for (const list of lists) expect((await fanout.send(PAYLOAD, list)).counts.delivered).toBe(list.length);
        return nodes.reduce((sum, node, i) => sum + txBytes(node) - before[i]!, 0);
      } finally {
        await fanout.close();
        for (const list of lists) {
          for (const d of list) {
            const name = d.slice(d.lastIndexOf("#") + 1);
            await nodes.find((n) => d.startsWith(`${n.endpoint}#`))!.recipients.get(name)!.receive();
          }
        }
      }
    };
    const fanned = await measure([everyone()]);
    const singles = await measure(nodes.map((n) => [dest(n, "user-0")]));
    console.log(`fanout-netns: link bytes (TCP/IP included) for 30 recipients in one fan-out ${fanned} B, for 3 single sends ${singles} B, ratio ${(fanned / singles).toFixed(3)}`);
    expect(fanned / singles).toBeLessThanOrEqual(1.2);
  });

  it("reports a recipient that does not exist, and a relay that is down as timed out while the others deliver", async () => {
    const down = nodes[2]!;
    expect((await down.relay!.stop("SIGTERM")).code).toBe(0);
    const fanout = new Fanout({ timeout: 1000 });
    try {
      const report = await fanout.send("partial", [...everyone(), dest(nodes[0]!, "nobody")]);
      expect(report.counts).toEqual({ delivered: 20, "no-such-recipient": 1, "timed-out": 10, failed: 0 });
      for (const r of report.results) {
        const expected = r.destination.endsWith("#nobody") ? "no-such-recipient" : r.destination.startsWith(`${down.endpoint}#`) ? "timed-out" : "delivered";
        expect(r.status).toBe(expected);
      }
      for (const node of nodes.slice(0, 2)) for (const pull of node.recipients.values()) expect((await pull.receive())[0]!.toString()).toBe("partial");
    } finally {
      await fanout.close();
    }
  });
});
