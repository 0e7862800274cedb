/**
 * Frames of 16 KiB and up are read into 1 MiB slabs or, past 256 KiB, bodies of their own,
 * malloc'd one by one and freed by the garbage collector many at a time. Without
 * keepFreedBodyMemory, glibc handed most of each batch back to the kernel and the next reads
 * faulted it in again: 13–63 page faults per 1 MiB message (1 MiB is 256 pages), most of the
 * receiver's CPU.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Pull, Push } from "../../lib/index.js";
import { networkTransports } from "../helpers/endpoints.js";
import { tracker, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

const MiB = 1 << 20;

describe("large bodies reuse freed memory", () => {
  for (const [transport, endpoint] of networkTransports) {
    it(`${transport}: receiving 1 MiB messages costs a few page faults each, not a body's worth`, async () => {
      const pull = track(new Pull());
      await pull.bind(endpoint());
      const push = track(new Push({ linger: 0 }));
      push.connect(pull.lastEndpoint!);
      // Counted after the first collections have freed the raiser chunk and the first bodies.
      const warmup = 100;
      const counted = 200;
      const payload = Buffer.alloc(MiB, 0x5a);
      const sending = (async () => {
        for (let i = 0; i < warmup + counted; i++) await push.send(payload);
      })();
      let before = 0;
      for (let i = 0; i < warmup + counted; i++) {
        if (i === warmup) before = process.resourceUsage().minorPageFault;
        const [body] = await within(pull.receive(), 10_000, `message ${i}`);
        expect(body!.length).toBe(MiB);
      }
      const faults = (process.resourceUsage().minorPageFault - before) / counted;
      await sending;
      // Both ends run here. A body faulted in afresh is 256 faults; the heap growing to the
      // most the collector leaves dead at once costs a few per message for a while.
      expect(faults).toBeLessThan(16);
    });
  }
});
