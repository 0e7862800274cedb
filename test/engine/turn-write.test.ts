/**
 * A sender yields the event loop after at most 512 sends, and the flush scheduled for that turn
 * writes them: a turn's messages go out in one write at the default HWM, not split by an early
 * flush (which made every turn two writes: 500 messages, then the rest). Every message arrives,
 * in order.
 */
import * as net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Pull, Push } from "../../lib/index.js";
import { portOf, tracker } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(async () => {
  vi.restoreAllMocks();
  await closeAll();
});

describe("one write per turn", () => {
  it("510 sends in one turn at the default HWM are one write, and all arrive in order", async () => {
    const pull = track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    const push = track(new Push());
    push.connect(pull.lastEndpoint!);
    await push.send("hello");
    await pull.receive();
    const port = portOf(pull.lastEndpoint!);
    const write = vi.spyOn(net.Socket.prototype, "write");
    const N = 510;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < N; i++) sends.push(push.send(`m${i}`));
    await Promise.all(sends);
    await new Promise((resolve) => setImmediate(resolve));
    expect(write.mock.contexts.filter((s) => (s as net.Socket).remotePort === port)).toHaveLength(1);
    for (let i = 0; i < N; i++) expect(String((await pull.receive())[0])).toBe(`m${i}`);
  });
});

// A receive that waits on a connection, with the receive HWM's pause and resume.
describe("a receive waiting on a connection", () => {
  it("with a receive HWM of 4, the reader pauses and resumes, and 3000 messages arrive once, in order", async () => {
    const pull = track(new Pull({ receiveHighWaterMark: 4 }));
    await pull.bind("tcp://127.0.0.1:*");
    const push = track(new Push({ sendHighWaterMark: 4 }));
    push.connect(pull.lastEndpoint!);
    const N = 3000;
    const sending = (async () => {
      for (let i = 0; i < N; i++) await push.send(`m${i}`);
    })();
    for (let i = 0; i < N; i++) {
      // Every few messages the reader waits first, so the message is handed to a waiting receive.
      if (i % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
      expect(String((await pull.receive())[0])).toBe(`m${i}`);
    }
    await sending;
  });
});
