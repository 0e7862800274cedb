/**
 * Plain frames of 16 KiB to 1 MiB cross a thread link through its frame ring (thread-batch.ts):
 * copied in by the sender, out by the receiver into memory of its own. The link's two ends are
 * in this thread over a real channel of either kind (test/transports covers real workers).
 */
import { randomBytes } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { MessageChannel } from "node:worker_threads";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import type { Msg } from "../../lib/engine/pipe.js";
import { FRAME_RING_BYTES } from "../../lib/engine/thread-batch.js";
import { int, rng } from "../helpers/random.js";
import { OrderedLink, type PortLike } from "../../lib/transports/thread-channel.js";
import { closeLinkPairs, ended, linkEnd, linkPair, linkPipe, receive, type LinkKind } from "../helpers/thread-link-pair.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

afterEach(closeLinkPairs);

const KiB = 1024;

/** A frame the receiver copied out of the ring: memory of its own, exactly its size, not shared. */
function ownMemory(frame: Buffer): boolean {
  return !(frame.buffer instanceof SharedArrayBuffer) && frame.byteOffset === 0 && frame.buffer.byteLength === frame.length;
}

function expectSame(got: Msg[], sent: Msg[]): void {
  expect(got.length).toBe(sent.length);
  got.forEach((msg, i) => {
    expect(msg.length).toBe(sent[i]!.length);
    msg.forEach((frame, j) => expect(frame.equals(sent[i]![j]!), `message ${i} frame ${j}`).toBe(true));
  });
}

describe.each<LinkKind>(["MessagePort", "BroadcastChannel"])("large plain frames through a link's frame ring (%s)", (kind) => {
  it("arrive intact in memory of their own across the ring's end many times (seeded sizes from 16 KiB to 1 MiB), through one ring that never grows", async () => {
    const r = rng(7);
    const { from, to, sender, receiver } = linkPair(kind);
    let total = 0;
    let ring: SharedArrayBuffer | null = null;
    for (let round = 0; total < 4 * FRAME_RING_BYTES; round++) {
      const sent: Msg[] = [];
      for (let i = 0; i < 5; i++) {
        const size = 16 * KiB + int(r, 1024 * KiB - 16 * KiB + 1);
        total += size;
        sent.push([Buffer.from(`${round}.${i}`), randomBytes(size)]);
      }
      const got = receive(to, sent.length);
      for (const msg of sent) from.write(msg);
      const msgs = await got;
      expectSame(msgs, sent);
      for (const msg of msgs) expect(ownMemory(msg[1]!)).toBe(true);
      ring ??= sender.frameRing;
      expect(sender.frameRing).toBe(ring);
    }
    expect(ring!.byteLength).toBe(FRAME_RING_BYTES);
    expect(receiver.peerFrameRing!.byteLength).toBe(FRAME_RING_BYTES);
  });

  it("a full ring makes the link wait, not drop or reorder: 160 messages of 64 KiB (2.5 rings) written at once, with small and 2 MiB ones between, arrive in order", async () => {
    const { from, to } = linkPair(kind);
    const sent: Msg[] = [];
    for (let i = 0; i < 160; i++) {
      sent.push([Buffer.from(`#${i}`), randomBytes(64 * KiB)]);
      if (i % 40 === 7) sent.push([randomBytes(2 * 1024 * KiB)]);
      if (i % 3 === 0) sent.push([Buffer.from(`small ${i}`)]);
    }
    const got = receive(to, sent.length);
    for (const msg of sent) from.write(msg);
    expectSame(await got, sent);
  });

  it("a message whose frames find the ring full partway goes whole, the rest of its frames in the batch, and the next ones wait", async () => {
    const { from, to } = linkPair(kind);
    const sent: Msg[] = [];
    for (let i = 0; i < 10; i++) sent.push([randomBytes(1024 * KiB), randomBytes(1024 * KiB), randomBytes(1024 * KiB), Buffer.from(`#${i}`)]);
    const got = receive(to, sent.length);
    for (const msg of sent) from.write(msg);
    const msgs = await got;
    expectSame(msgs, sent);
    const split = msgs.filter((msg) => ownMemory(msg[0]!) && !ownMemory(msg[2]!));
    expect(split.length).toBeGreaterThan(0);
  });

  it("a link that ends with its ring full sends the rest in its batches: ring and batch frames arrive mixed, in order, then the end", async () => {
    const { from, to, sender } = linkPair(kind);
    const sent: Msg[] = [];
    for (let i = 0; i < 160; i++) sent.push([Buffer.from(`#${i}`), randomBytes(64 * KiB)]);
    const got = receive(to, sent.length);
    for (const msg of sent) from.write(msg);
    sender.destroy();
    const msgs = await got;
    expectSame(msgs, sent);
    const inRing = msgs.filter((msg) => ownMemory(msg[1]!)).length;
    expect(inRing).toBeGreaterThan(0);
    expect(inRing).toBeLessThan(msgs.length);
    await ended(to);
  });

  it("a receiver that holds every frame it got sees them unchanged after the ring was reused many times over", async () => {
    const { from, to } = linkPair(kind);
    const held: Msg[] = [];
    const sent: Msg[] = [];
    for (let round = 0; round < 12; round++) {
      const batch: Msg[] = [];
      for (let i = 0; i < 32; i++) batch.push([randomBytes(64 * KiB)]);
      const got = receive(to, batch.length);
      for (const msg of batch) from.write(msg);
      held.push(...(await got));
      sent.push(...batch);
    }
    // 24 MiB went through a 4 MiB ring: each held frame is still what was sent.
    expectSame(held, sent);
  });

  it("a link closed mid-stream lets go of both ends of its ring", async () => {
    const { from, to, sender, receiver } = linkPair(kind);
    const got = receive(to, 10);
    for (let i = 0; i < 100; i++) from.write([Buffer.alloc(64 * KiB, i)]);
    const first = await got;
    first.forEach((msg, i) => expect(msg[0]!.every((b) => b === i)).toBe(true));
    const rings = [new WeakRef(sender.frameRing!), new WeakRef(receiver.peerFrameRing!)];
    sender.destroy();
    await ended(to);
    expect(sender.frameRing).toBeNull();
    expect(receiver.peerFrameRing).toBeNull();
    // deref() keeps its target alive to the end of the job: collect in a later one, then look.
    for (let turn = 0; turn < 50; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      if (rings.every((ring) => ring.deref() === undefined)) break;
    }
    expect(rings.map((ring) => ring.deref())).toEqual([undefined, undefined]);
  });
});

describe("a link waiting for room in its ring", () => {
  it("holds back only what goes to its own thread: a link to another thread goes on, and the waiting one delivers everything in order once read", async () => {
    // The far end's port is not listened to yet: what the link posts waits in it, unread.
    const { port1, port2 } = new MessageChannel();
    const stalled = linkPipe();
    linkEnd(new OrderedLink(port1 as unknown as PortLike, "stalled", true), stalled);
    const sent: Msg[] = [];
    for (let i = 0; i < 120; i++) sent.push([Buffer.from(`#${i}`), randomBytes(64 * KiB)]);
    for (const msg of sent) stalled.write(msg);
    // Nothing reads the stalled link yet: its ring fills (7.5 MiB written) and it waits.
    const other = linkPair("MessagePort");
    const small = receive(other.to, 3);
    for (let i = 0; i < 3; i++) other.from.write([Buffer.from(`other ${i}`), randomBytes(64 * KiB)]);
    expect((await small).map((msg) => msg[0]!.toString())).toEqual(["other 0", "other 1", "other 2"]);
    const late = linkPipe();
    const got = receive(late, sent.length);
    linkEnd(new OrderedLink(port2 as unknown as PortLike, "here", true), late);
    expectSame(await got, sent);
  });
});
