// A connection accepted before the tcp engine module has loaded (bindSync listens at once, the
// engine loads on first use) keeps the bytes it read meanwhile and hands them to the engine when
// it arrives. Those bytes can hold the peer's whole opening: this file's first tcp use is that
// case, so it is a file of its own.
import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import * as wiremq from "../../lib/index.js";
import { encodeGreeting, GREETING_SIZE } from "../../lib/wire/greeting.js";
import { encodeReady } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND } from "../../lib/wire/frame.js";
import { delay, portOf, recordEvents, tracker, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

describe("a peer's opening read before the engine loaded", () => {
  it("gets our greeting first, and the finished handshake is not timed out later", async () => {
    const handshakeInterval = 300;
    const router = track(new wiremq.Router({ handshakeInterval, linger: 0 }));
    const events = recordEvents(router, ["handshake", "disconnect", "handshake:error:protocol", "handshake:error:other"]);
    router.bindSync("tcp://127.0.0.1:0");
    const client = track(net.connect(portOf(router.lastEndpoint!), "127.0.0.1"));
    client.on("connect", () => {
      const ready = encodeFrame(FLAG_COMMAND, encodeReady([["Socket-Type", Buffer.from("DEALER")]]));
      client.write(Buffer.concat([encodeGreeting("NULL", false), ready]));
    });
    let got = Buffer.alloc(0);
    const opened = new Promise<void>((resolve) => {
      client.on("data", (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length > GREETING_SIZE) resolve();
      });
    });
    await within(opened, 5000, "the ROUTER's opening");
    // Signature first: 0xff, eight bytes, 0x7f; never a frame of ours before it.
    expect(got[0]).toBe(0xff);
    expect(got[9]).toBe(0x7f);
    // Past the handshake deadline the connection still carries a message.
    await delay(handshakeInterval * 2);
    client.write(encodeFrame(0, Buffer.from("hi")));
    const [, body] = await within(router.receive(), 5000, "the message");
    expect(body!.toString()).toBe("hi");
    events.stop();
    expect(events.events.map((e) => e.type)).toEqual(["handshake"]);
  });
});
