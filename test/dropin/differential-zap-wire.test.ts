/**
 * What a refused (or accepted) client receives, byte for byte, from a libzmq server and from a
 * wiremq one, with a ZAP handler answering 200, 300 or 400: a NULL server with a zapDomain
 * (READY only after the verdict), and a PLAIN server. A raw client sends its greeting and
 * first handshake command and records every frame after the server's greeting.
 */
import { describe, it } from "vitest";
import { encodeCommand, encodeReady } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND, FrameDecoder } from "../../lib/wire/frame.js";
import { encodeGreeting, GREETING_SIZE } from "../../lib/wire/greeting.js";
import { expectSame, type Run, type Zmq } from "../helpers/differential.js";
import { rawConnect } from "../helpers/sockets.js";

/** Long enough for anything the server sends at once; libzmq then holds the connection open. */
const QUIET_MS = 300;

async function zapHandler(zmq: Zmq, run: Run, status: string): Promise<void> {
  const router = run.track(new zmq.Router({ linger: 0 }));
  await router.bind("inproc://zeromq.zap.01");
  void (async () => {
    try {
      for await (const [peer, delimiter, , requestId] of router) {
        await router.send([peer!, delimiter!, "1.0", requestId!, status, "", "", ""]);
      }
    } catch {
      // closed with the test
    }
  })();
}

/**
 * libzmq 4.3's PLAIN server writes ERROR as 5E "RROR" (a C escape bug); wiremq sends the
 * correct 05 "ERROR" by design (ZMTP-NOTES §3.2), so the two are compared as one.
 */
function canonical(body: Buffer): Buffer {
  if (body.length >= 5 && body[0] === 0x5e && body.toString("latin1", 1, 5) === "RROR") return Buffer.concat([Buffer.from("\x05ERROR", "latin1"), body.subarray(5)]);
  return body;
}

/** The frames the server sends after its greeting, as hex, until it closes or goes quiet. */
async function framesReceived(endpoint: string, hello: Buffer): Promise<string[]> {
  const sock = await rawConnect(endpoint);
  sock.on("error", () => {});
  const frames: string[] = [];
  const decoder = new FrameDecoder(-1);
  let greeting = 0;
  sock.on("data", (chunk: Buffer) => {
    const skip = Math.min(GREETING_SIZE - greeting, chunk.length);
    greeting += skip;
    if (skip < chunk.length) decoder.push(chunk, { onFrame: (flags, body) => frames.push(`${flags}:${canonical(body).toString("hex")}`) }, skip);
  });
  sock.write(hello);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, QUIET_MS);
    sock.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  sock.destroy();
  return frames;
}

const NULL_HELLO = Buffer.concat([encodeGreeting("NULL", false), encodeFrame(FLAG_COMMAND, encodeReady([["Socket-Type", Buffer.from("DEALER")]]))]);
const credentials = Buffer.concat([Buffer.from([4]), Buffer.from("user"), Buffer.from([6]), Buffer.from("secret")]);
const PLAIN_HELLO = Buffer.concat([encodeGreeting("PLAIN", false), encodeFrame(FLAG_COMMAND, encodeCommand("HELLO", credentials))]);

const CASES = [
  { mechanism: "NULL with a zapDomain", options: { zapDomain: "test" }, hello: NULL_HELLO },
  { mechanism: "PLAIN", options: { plainServer: true }, hello: PLAIN_HELLO },
];

describe("what a client receives from a server asking ZAP, as from libzmq", () => {
  for (const { mechanism, options, hello } of CASES) {
    it.each(["200", "300", "400"])(`${mechanism}, ZAP %s`, async (status) => {
      await expectSame(async (zmq, run) => {
        await zapHandler(zmq, run, status);
        const server = run.track(new zmq.Dealer({ linger: 0, ...options }));
        await server.bind("tcp://127.0.0.1:*");
        return framesReceived(server.lastEndpoint!, hello);
      });
    });
  }
});
