/**
 * Large bodies may queue in the transport beyond its 'drain' mark (LARGE_QUEUE_BYTES), so the
 * kernel stays fed between event-loop turns. That queue is bounded: a PULL that does not read
 * still pushes back until the PUSH's sends time out, with every message delivered afterwards,
 * in order, over tcp and ipc.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Pull, Push } from "../../lib/index.js";
import { LARGE_QUEUE_BYTES, writtenByReference } from "../../lib/engine/outbound-batch.js";
import { networkTransports } from "../helpers/endpoints.js";
import { tracker, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

const MiB = 1 << 20;

function payload(seq: number, size: number): Buffer {
  const b = Buffer.alloc(size, seq & 0xff);
  b.writeUInt32BE(seq, 0);
  return b;
}

describe("large messages queued by reference", () => {
  it("count as large from the by-reference size on", () => {
    expect(writtenByReference([Buffer.alloc(8 * 1024)])).toBe(true);
    expect(writtenByReference([Buffer.alloc(10), Buffer.alloc(8 * 1024 - 1)])).toBe(false);
    expect(writtenByReference([])).toBe(false);
    expect(writtenByReference(undefined)).toBe(false);
  });

  it("never count as large when a mechanism boxes them (CURVE): boxes are not queued beyond the drain mark", () => {
    expect(writtenByReference([Buffer.alloc(MiB)], true)).toBe(false);
    expect(writtenByReference([Buffer.alloc(MiB)], false)).toBe(true);
  });

  for (const [transport, endpoint] of networkTransports) {
    it(`${transport}: a PULL that does not read stops a PUSH of 1 MiB messages within a bounded queue, and loses nothing`, async () => {
      const pull = track(new Pull({ receiveHighWaterMark: 4 }));
      await pull.bind(endpoint());
      const push = track(new Push({ sendHighWaterMark: 4, sendTimeout: 300, linger: 0 }));
      push.connect(pull.lastEndpoint!);
      // 200 MiB would pass only if nothing pushed back; the HWMs, the kernel's buffers and
      // LARGE_QUEUE_BYTES hold a few tens of MiB.
      const LIMIT = 200;
      let sent = 0;
      let blocked: { code?: string } | null = null;
      for (; sent < LIMIT; sent++) {
        try {
          await push.send(payload(sent, MiB));
        } catch (err) {
          blocked = err as { code?: string };
          break;
        }
      }
      expect(blocked?.code).toBe("EAGAIN");
      expect(sent).toBeLessThan(8 + LARGE_QUEUE_BYTES / MiB + 48);
      for (let seq = 0; seq < sent; seq++) {
        const [body] = await within(pull.receive(), 5000, `message ${seq}`);
        expect(body!.readUInt32BE(0)).toBe(seq);
        expect(body!.length).toBe(MiB);
      }
    });
  }
});
