/**
 * A high-water mark set after connect applies to the pipes already made, as libzmq's
 * update_pipe_options does under zeromq: between two inproc sockets that raise theirs after
 * connecting, the pipe then holds more than the defaults, so a sender does not wait where
 * zeromq's does not. (The exact count differs: libzmq hands the receiver's new mark to the
 * sender's pipe only when the receiver next processes commands, and acknowledges reads in
 * batches, so zeromq's pipe held 3999 here where wiremq's holds 6000; with the defaults,
 * 1999 and 2000.) Compared is whether a burst fits.
 */
import { describe, expect, it } from "vitest";
import { expectSame, type Zmq } from "../helpers/differential.js";

/** Whether a connected PUSH completes `burst` sends without waiting (sendTimeout 0), else after how many EAGAIN came. */
async function fits(zmq: Zmq, track: <T extends { close(): unknown }>(s: T) => T, address: string, hwm: number | null, burst: number): Promise<unknown> {
  const push = track(new zmq.Push({ linger: 0, sendTimeout: 0 }));
  const pull = track(new zmq.Pull({ linger: 0 }));
  await pull.bind(address);
  push.connect(address);
  await push.send("first");
  await pull.receive();
  if (hwm !== null) {
    push.sendHighWaterMark = hwm;
    pull.receiveHighWaterMark = hwm;
  }
  for (let sent = 0; sent < burst; sent++) {
    try {
      await push.send("x");
    } catch (err) {
      return { sent, code: (err as { code?: string }).code };
    }
  }
  return "fits";
}

describe("high-water marks set after connect (differential)", () => {
  it("inproc: raised to 3000 on both sides after connect, 3500 sends fit", async () => {
    const seen = await expectSame((zmq, run) => fits(zmq, run.track, `inproc://hwm-update-${run.lib}-${process.pid}`, 3000, 3500));
    expect(seen).toEqual({ resolved: "fits" });
  });

  it("inproc: with the defaults, 2500 sends do not fit", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const outcome = await fits(zmq, run.track, `inproc://hwm-default-${run.lib}-${process.pid}`, null, 2500);
      return typeof outcome === "object" && outcome !== null && "code" in outcome ? (outcome as { code: string }).code : outcome;
    });
    expect(seen).toEqual({ resolved: "EAGAIN" });
  });
});
