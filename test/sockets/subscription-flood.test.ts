/**
 * A peer that sends a flood of distinct subscriptions: with maxSubscriptions a PUB disconnects
 * it and its memory stays small; without a limit the trie holds 100k topics in well under
 * 250 B each (libzmq: ~176 B), within a 64 MiB heap. Measured in a child with that heap while
 * a libzmq subscriber of the same PUB goes on receiving.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { encodeReady, encodeSubscribe } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND } from "../../lib/wire/frame.js";
import { encodeGreeting } from "../../lib/wire/greeting.js";
import { ChildProgram } from "../helpers/child-program.js";
import { closedPromise, rawConnect, tracker, within } from "../helpers/sockets.js";

zmq.context.blocky = false;
const { track, closeAll } = tracker();
afterEach(closeAll);

const HEAP_MB = 64;
const TOPICS = 100_000;

/** A PUB publishing "tick" every 20 ms and printing its heap after a GC every 250 ms, numbered. */
const program = (limit: number): string => `
const pub = new zmq.Publisher({ maxSubscriptions: ${limit} });
pub.bind("tcp://127.0.0.1:0").then(() => {
  console.log("endpoint " + pub.lastEndpoint);
  setInterval(() => void pub.send("tick").catch(() => {}), 20);
  let n = 0;
  setInterval(() => {
    globalThis.gc();
    console.log("heap " + n++ + " " + process.memoryUsage().heapUsed);
  }, 250);
});
`;

/**
 * Sends TOPICS distinct SUBSCRIBE commands as a raw ZMTP SUB, then one to "tick": `applied`
 * resolves at the first tick received, which the PUB sends only once it has read every
 * subscription before (one connection's commands are applied in order).
 */
async function flood(endpoint: string): Promise<{ closed: Promise<void>; applied: Promise<void> }> {
  const sock = track(await rawConnect(endpoint));
  let seen = Buffer.alloc(0);
  const applied = new Promise<void>((resolve) => {
    sock.on("data", (chunk: Buffer) => {
      // Only what follows the PUB's greeting and READY, neither of which holds "tick".
      seen = Buffer.concat([seen.subarray(-3), chunk]);
      if (seen.includes("tick")) resolve();
    });
  });
  const closed = closedPromise(sock);
  sock.write(Buffer.concat([encodeGreeting("NULL", false), encodeFrame(FLAG_COMMAND, encodeReady([["Socket-Type", Buffer.from("SUB")]]))]));
  const batch: Buffer[] = [];
  for (let i = 0; i < TOPICS; i++) {
    batch.push(encodeFrame(FLAG_COMMAND, encodeSubscribe(Buffer.from(`sensor/${(i * 2654435761) >>> 0}/${i}`))));
    if (batch.length === 1000) {
      if (!sock.write(Buffer.concat(batch.splice(0)))) await Promise.race([new Promise((r) => sock.once("drain", r)), closed]);
      if (sock.destroyed) break;
    }
  }
  if (!sock.destroyed) sock.write(encodeFrame(FLAG_COMMAND, encodeSubscribe(Buffer.from("tick"))));
  return { closed, applied };
}

/** The heap the child reports next (its reports are numbered, so an old one is never taken). */
async function heapOf(child: ChildProgram): Promise<number> {
  const seen = child.lines.filter((l) => l.startsWith("heap ")).length;
  const line = await child.line(`heap ${seen} `, 30_000);
  return Number(line.split(" ")[2]);
}

describe.each([
  { limit: 1000, title: "with maxSubscriptions 1000: the flooding peer is disconnected" },
  { limit: -1, title: "without a limit: 100k topics fit the heap" },
])("a subscription flood, $title", ({ limit }) => {
  it("keeps the heap bounded and a libzmq subscriber served", async () => {
    const child = new ChildProgram("wiremq", program(limit), [], [`--max-old-space-size=${HEAP_MB}`, "--expose-gc"]);
    try {
      const endpoint = (await child.line("endpoint ")).slice("endpoint ".length);
      const good = track(new zmq.Subscriber({ linger: 0 }));
      good.subscribe("tick");
      good.connect(endpoint);
      await within(good.receive(), 10_000, "a tick before the flood");
      const base = await heapOf(child);

      const { closed, applied } = await flood(endpoint);
      if (limit >= 0) await within(closed, 10_000, "the flooding peer being disconnected");
      else await within(applied, 30_000, "the PUB having applied every subscription");
      await within(good.receive(), 10_000, "a tick after the flood");
      const heap = await heapOf(child);
      console.log(
        `subscription flood (limit ${limit}): heap ${(base / 1048576).toFixed(1)} -> ${(heap / 1048576).toFixed(1)} MiB, ${((heap - base) / TOPICS).toFixed(0)} B per subscription`,
      );
      if (limit >= 0) expect(heap - base).toBeLessThan(4 * 1024 * 1024);
      // All 100k are in the trie now: the heap after a GC does not depend on the machine's load.
      else expect((heap - base) / TOPICS).toBeLessThan(250);
      expect(child.stderr).not.toContain("heap out of memory");
    } finally {
      await child.kill();
    }
  });
});
