/**
 * Bodies too large for the read slabs are buffers of their own, freed by the garbage collector
 * many at a time. Without keepFreedBodyMemory, glibc handed most of each batch back to the
 * kernel and the next bodies faulted it in again inside the reads that filled them: 8–70 page
 * faults per 1 MiB message (a body is 256 pages), most of the receiver's CPU. This file runs
 * alone in its worker process (vitest's forks pool), so the process's malloc state is its own.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Pull, Push } from "../../lib/index.js";
import { networkTransports } from "../helpers/endpoints.js";
import { tracker, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

const MiB = 1 << 20;
/** Messages before counting: the first collections free the raiser chunk and the first bodies. */
const WARMUP = 100;
const COUNTED = 200;

describe("large bodies reuse freed memory", () => {
  for (const [transport, endpoint] of networkTransports) {
    it(`${transport}: receiving 1 MiB messages costs a few page faults each, not a body's worth`, async () => {
      const pull = track(new Pull());
      await pull.bind(endpoint());
      const push = track(new Push({ linger: 0 }));
      push.connect(pull.lastEndpoint!);
      const payload = Buffer.alloc(MiB, 0x5a);
      const sending = (async () => {
        for (let i = 0; i < WARMUP + COUNTED; i++) await push.send(payload);
      })();
      let before = 0;
      for (let i = 0; i < WARMUP + COUNTED; i++) {
        if (i === WARMUP) before = process.resourceUsage().minorPageFault;
        const [body] = await within(pull.receive(), 10_000, `message ${i}`);
        expect(body!.length).toBe(MiB);
      }
      const faults = (process.resourceUsage().minorPageFault - before) / COUNTED;
      await sending;
      // Both ends run here; a body faulted in afresh is 256 faults, 8 is 1/32 of one.
      expect(faults).toBeLessThan(8);
    });
  }
});
