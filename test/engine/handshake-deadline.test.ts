/**
 * Handshake deadlines share one timer per interval: each still fires after its own interval, in
 * the order they fall due across intervals, and a cancelled one never fires.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cancelDeadline, handshakeDeadline } from "../../lib/engine/handshake-deadline.js";
import { Pull, Push } from "../../lib/index.js";
import { rawConnect, recordEvents, tracker, waitEvent, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

describe("handshake deadlines", () => {
  it("fire each after its interval, in the order they fall due; a cancelled one never fires", async () => {
    const fired: string[] = [];
    const at = new Map<string, number>();
    const t0 = performance.now();
    let last!: () => void;
    const allFired = new Promise<void>((resolve) => (last = resolve));
    const owner = (name: string) => ({
      handshakeExpired: () => {
        fired.push(name);
        at.set(name, performance.now() - t0);
        if (fired.length === 3) last();
      },
    });
    handshakeDeadline(120, owner("long-1"));
    const cancelled = handshakeDeadline(120, owner("long-cancelled"));
    handshakeDeadline(120, owner("long-2"));
    handshakeDeadline(40, owner("short"));
    cancelDeadline(cancelled);
    await within(allFired, 5000, "three deadlines");
    expect(fired).toEqual(["short", "long-1", "long-2"]);
    expect(at.get("short")!).toBeGreaterThanOrEqual(39);
    expect(at.get("long-1")!).toBeGreaterThanOrEqual(119);
    // The cancelled one fell due with long-1 and was dropped then; nothing fires later.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toEqual(["short", "long-1", "long-2"]);
  });

  it("drop a silent peer after handshakeInterval; a peer whose handshake completed stays connected", async () => {
    const pull = track(new Pull({ handshakeInterval: 150 }));
    await pull.bind("tcp://127.0.0.1:*");
    const disconnects = recordEvents(pull, ["disconnect"]);
    const up = waitEvent(pull, "handshake");
    const push = track(new Push());
    push.connect(pull.lastEndpoint!);
    await up;
    const timedOut = waitEvent(pull, "handshake:error:other");
    const gone = waitEvent(pull, "disconnect");
    track(await rawConnect(pull.lastEndpoint!));
    expect((await timedOut).error?.code).toBe("EAGAIN");
    await gone;
    await push.send("still here");
    expect((await pull.receive())[0]!.toString()).toBe("still here");
    // Only the silent peer left: the deadline of the one that completed was cancelled.
    expect(disconnects.events.length).toBe(1);
    disconnects.stop();
  });
});
