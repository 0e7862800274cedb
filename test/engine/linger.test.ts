/**
 * Lingering on a connection whose peer stopped reading: the engine waits for `drain` in slices,
 * and each slice must take its listener back (it once left one per 20 ms slice, so a long
 * linger piled up a listener per slice and Node warned of a leak).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as net from "node:net";
import { once } from "node:events";
import { Push } from "../../lib/index.js";
import { rawServer, RawZmtpPeer, tracker } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(async () => {
  vi.restoreAllMocks();
  await closeAll();
});

describe("engine linger", () => {
  it("waits out its linger against a peer that never reads without piling up drain listeners", async () => {
    let ready!: () => void;
    const handshook = new Promise<void>((r) => (ready = r));
    const server = await rawServer((sock) => {
      const peer = new RawZmtpPeer(sock, "PULL");
      void peer.waitCommand("READY").then(() => {
        sock.pause();
        ready();
      });
    });
    try {
      const push = track(new Push({ linger: 500 }));
      push.connect(server.endpoint);
      await handshook;
      const body = Buffer.alloc(1 << 20, 7);
      for (let i = 0; i < 32; i++) await push.send(body);

      // The connection's own net.Socket is the one the engine waits on for `drain`.
      let lingering: net.Socket | null = null;
      let most = 0;
      const original = net.Socket.prototype.once as (this: net.Socket, name: string | symbol, fn: (...args: unknown[]) => void) => net.Socket;
      vi.spyOn(net.Socket.prototype, "once").mockImplementation(function (this: net.Socket, name: string | symbol, fn: (...args: unknown[]) => void) {
        const result = original.call(this, name, fn);
        if (name === "drain") {
          lingering = this;
          most = Math.max(most, this.listenerCount("drain"));
        }
        return result;
      });
      const started = Date.now();
      push.close();
      await vi.waitFor(() => expect(lingering).not.toBeNull());
      await once(lingering!, "close");
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
      // The engine's own permanent listener plus the one slice in progress.
      expect(most).toBeLessThanOrEqual(2);
    } finally {
      await server.close();
    }
  });
});
