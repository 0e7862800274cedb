/**
 * A NULL connection writes its greeting and READY at once, before the peer's greeting (one
 * write instead of two per connection), and those bytes are the ones libzmq sends after the
 * greeting exchange. An accepted one holds its greeting until the peer's first bytes and writes
 * it with its READY, still only after the peer's greeting, as libzmq does.
 */
import * as net from "node:net";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wiremq from "../../lib/index.js";
import { encodeGreeting, GREETING_SIZE } from "../../lib/wire/greeting.js";
import { encodeReady } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND, FrameDecoder } from "../../lib/wire/frame.js";
import { rawConnect, tracker, within } from "../helpers/sockets.js";

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

/** What a bound socket writes to a raw client that sends `opening` at once, until `done` says it is all there or the socket ends. */
async function answer(endpoint: string, opening: Buffer, done: (b: Buffer) => number | null): Promise<{ bytes: Buffer; chunks: number }> {
  const client = track(await rawConnect(endpoint));
  let all = Buffer.alloc(0);
  let chunks = 0;
  const got = new Promise<{ bytes: Buffer; chunks: number }>((resolve) => {
    client.on("data", (d: Buffer) => {
      chunks++;
      all = Buffer.concat([all, d]);
      const n = done(all);
      if (n !== null) resolve({ bytes: all.subarray(0, n), chunks });
    });
    client.on("close", () => resolve({ bytes: all, chunks }));
  });
  if (opening.length > 0) client.write(opening);
  return within(got, 5000, "the bound socket's opening");
}

const DEALER_OPENING = Buffer.concat([encodeGreeting("NULL", false), encodeFrame(FLAG_COMMAND, encodeReady([["Socket-Type", Buffer.from("DEALER")], ["Identity", Buffer.alloc(0)]]))]);

async function boundRouter(lib: typeof wiremq | typeof zmq): Promise<string> {
  const router = track(new lib.Router());
  await router.bind("tcp://127.0.0.1:*");
  return router.lastEndpoint!;
}

describe("an accepted connection's opening bytes", () => {
  it("answer a peer's greeting and READY with greeting and READY in one write, the bytes libzmq's ROUTER sends", async () => {
    const ours = await answer(await boundRouter(wiremq), DEALER_OPENING, openingLength);
    const theirs = await answer(await boundRouter(zmq), DEALER_OPENING, openingLength);
    expect(ours.bytes.toString("hex")).toBe(theirs.bytes.toString("hex"));
    expect(ours.chunks).toBe(1);
  });

  it("reach a peer that sends nothing until it has our greeting", async () => {
    const ours = await answer(await boundRouter(wiremq), Buffer.alloc(0), (b) => (b.length >= GREETING_SIZE ? GREETING_SIZE : null));
    expect(ours.bytes.toString("hex")).toBe(encodeGreeting("NULL", false).toString("hex"));
  });

  it("reach a peer refused at its greeting (another mechanism) before the connection ends", async () => {
    // So the peer sees the mismatch itself, as when the greeting was written at the accept.
    const ours = await answer(await boundRouter(wiremq), encodeGreeting("PLAIN", false), () => null);
    expect(ours.bytes.toString("hex")).toBe(encodeGreeting("NULL", false).toString("hex"));
  });
});
