/**
 * Frames in a SharedArrayBuffer cross a thread link by reference: the link's two ends over a
 * real MessageChannel, both in this thread (the worker tests in test/transports cover the real
 * crossing). Each buffer is posted once per link and named by an id; the receiver's table of
 * them stays bounded, and a buffer the sender drops is dropped by the receiver too.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { closeLinkPairs, linkPair, receive, roundTrip, type LinkKind } from "../helpers/thread-link-pair.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

afterEach(closeLinkPairs);

describe.each<LinkKind>(["MessagePort", "BroadcastChannel"])("frames in a SharedArrayBuffer cross a thread link (%s) by reference", (kind) => {
  it("arrive intact as views of one buffer the sender posted once, beside copied small frames, in order", async () => {
    const { from, to, sender, receiver } = linkPair(kind);
    const memory = new SharedArrayBuffer(64 * 1024);
    const count = 60;
    const got = receive(to, count);
    for (let i = 0; i < count; i++) {
      const frame = Buffer.from(memory, i * 1024, 1024).fill(i);
      from.write([Buffer.from(`head ${i}`), frame]);
    }
    const msgs = await got;
    const buffers = new Set<ArrayBufferLike>();
    msgs.forEach((msg, i) => {
      expect(msg[0]!.toString()).toBe(`head ${i}`);
      expect(msg[0]!.buffer instanceof SharedArrayBuffer).toBe(false);
      const frame = msg[1]!;
      expect(frame.buffer instanceof SharedArrayBuffer).toBe(true);
      expect(frame.length).toBe(1024);
      expect(frame.every((b) => b === i)).toBe(true);
      buffers.add(frame.buffer);
    });
    expect(buffers.size).toBe(1);
    expect(sender.sharedBuffers).toBe(1);
    expect(receiver.peerSharedBuffers).toBe(1);
    // One memory: what the sender writes now shows in what was received.
    new Uint8Array(memory)[0] = 0xee;
    expect(msgs[0]![1]![0]).toBe(0xee);
  });

  it("the receiver's table stays bounded when the sender keeps thousands of buffers alive, and an evicted buffer sent again arrives", async () => {
    const { from, to, sender, receiver } = linkPair(kind);
    const count = 3000;
    const kept: Buffer[] = [];
    const got = receive(to, count);
    for (let i = 0; i < count; i++) {
      const frame = Buffer.from(new SharedArrayBuffer(256)).fill(i & 0xff);
      frame.writeUInt32BE(i, 0);
      kept.push(frame);
      from.write([frame]);
    }
    const msgs = await got;
    msgs.forEach((msg, i) => {
      expect(msg[0]!.readUInt32BE(0)).toBe(i);
      expect(msg[0]![255]).toBe(i & 0xff);
    });
    await roundTrip(from, to);
    expect(sender.sharedBuffers).toBe(1024);
    expect(receiver.peerSharedBuffers).toBe(1024);
    // The first buffer was evicted long ago: it is named again, and the table does not grow.
    kept[0]!.writeUInt32BE(0xabcdef, 0);
    const again = receive(to, 1);
    from.write([kept[0]!]);
    expect((await again)[0]![0]!.readUInt32BE(0)).toBe(0xabcdef);
    await roundTrip(from, to);
    expect(receiver.peerSharedBuffers).toBe(1024);
  });

  it("a buffer the sender no longer holds is dropped from the receiver's table once collected; what was received stays intact", async () => {
    const { from, to, sender, receiver } = linkPair(kind);
    const count = 20;
    const got = receive(to, count);
    for (let i = 0; i < count; i++) from.write([Buffer.from(new SharedArrayBuffer(4096)).fill(i)]);
    const msgs = await got;
    expect(receiver.peerSharedBuffers).toBe(count);
    // Collected on the sending side: its buffer objects are its own (the receiver's are clones).
    for (let turn = 0; turn < 50 && sender.sharedBuffers > 0; turn++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sender.sharedBuffers).toBe(0);
    await roundTrip(from, to);
    expect(receiver.peerSharedBuffers).toBe(0);
    msgs.forEach((msg, i) => expect(msg[0]!.every((b) => b === i)).toBe(true));
  });

  it("a link that ends lets go of the buffers it was given, though the sender still holds them; what was received stays intact", async () => {
    const { from, to, sender, receiver } = linkPair(kind);
    const memory = [1, 2, 3].map(() => new SharedArrayBuffer(4096));
    const got = receive(to, memory.length);
    memory.forEach((m, i) => from.write([Buffer.from(m).fill(i + 1)]));
    const msgs = await got;
    expect(receiver.peerSharedBuffers).toBe(memory.length);
    const ended = new Promise<void>((resolve) => {
      to.owner = { onPipeReadable: () => {}, onPipeWritable: () => {}, onPipeTerminated: () => resolve() };
    });
    sender.destroy();
    await ended;
    expect(sender.sharedBuffers).toBe(0);
    expect(receiver.peerSharedBuffers).toBe(0);
    msgs.forEach((msg, i) => expect(msg[0]!.every((b) => b === i + 1)).toBe(true));
    expect(memory).toHaveLength(3);
  });
});
