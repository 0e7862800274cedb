/**
 * A NULL connection writes its greeting and READY at once, before the peer's greeting (one
 * write instead of two per connection), and those bytes are the ones libzmq sends after the
 * greeting exchange.
 */
import * as net from "node:net";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wiremq from "../../lib/index.js";
import { encodeGreeting, GREETING_SIZE } from "../../lib/wire/greeting.js";
import { FrameDecoder } from "../../lib/wire/frame.js";
import { tracker, within } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

/** Greeting + one whole frame after it, or null while incomplete. */
function openingLength(b: Buffer): number | null {
  if (b.length < GREETING_SIZE + 2) return null;
  const long = (b[GREETING_SIZE]! & 0x02) !== 0;
  if (long) return null; // a READY is short
  const end = GREETING_SIZE + 2 + b[GREETING_SIZE + 1]!;
  return b.length >= end ? end : null;
}

/** Listens on a raw server; `answer` says whether it sends a NULL greeting to each connection. */
async function capture(answer: boolean, dial: (endpoint: string) => unknown): Promise<{ bytes: Buffer; chunks: number }> {
  const server = track(net.createServer());
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  const got = new Promise<{ bytes: Buffer; chunks: number }>((resolve) => {
    server.on("connection", (c) => {
      track(c);
      if (answer) c.write(encodeGreeting("NULL", false));
      let all = Buffer.alloc(0);
      let chunks = 0;
      c.on("data", (d: Buffer) => {
        chunks++;
        all = Buffer.concat([all, d]);
        const n = openingLength(all);
        if (n !== null) resolve({ bytes: all.subarray(0, n), chunks });
      });
    });
  });
  dial(`tcp://127.0.0.1:${port}`);
  return within(got, 5000, "greeting and READY");
}

describe("a connection's opening bytes", () => {
  it("wiremq sends greeting and READY in one write without waiting for the peer's greeting; libzmq sends the same bytes", async () => {
    const ours = await capture(false, (ep) => track(new wiremq.Dealer()).connect(ep));
    expect(ours.chunks).toBe(1);
    const theirs = await capture(true, (ep) => track(new zmq.Dealer()).connect(ep));
    expect(ours.bytes.toString("hex")).toBe(theirs.bytes.toString("hex"));
    // The READY is a command frame that parses.
    const frames: Array<[number, Buffer]> = [];
    new FrameDecoder().push(ours.bytes.subarray(GREETING_SIZE), { onFrame: (f: number, b: Buffer) => frames.push([f, Buffer.from(b)]) });
    expect(frames.length).toBe(1);
    expect(frames[0]![1].subarray(0, 6).toString("latin1")).toBe("\x05READY");
  });
});
