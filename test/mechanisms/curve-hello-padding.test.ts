/**
 * A CURVE HELLO whose 72 padding bytes are not zero: libzmq 4.3.5 answers it with WELCOME
 * (curve_server_t::process_hello reads the version and the box, never the padding), so
 * wiremq does too (issue 16, item 10).
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wq from "../../lib/index.js";
import { CurveClient } from "../../lib/mechanisms/curve-client.js";
import { HELLO_SIZE, WELCOME_SIZE } from "../../lib/mechanisms/curve.js";
import { loadSodium } from "../../lib/mechanisms/sodium.js";
import { encodeFrame, FLAG_COMMAND } from "../../lib/wire/frame.js";
import { encodeGreeting } from "../../lib/wire/greeting.js";
import { context, dial } from "../helpers/mechanism-harness.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;
beforeAll(() => loadSodium());
const { track, closeAll } = tracker();
afterEach(() => closeAll());

const LIBS = [
  { name: "zeromq", Pull: zmq.Pull },
  { name: "wiremq", Pull: wq.Pull },
] as const;

/** Sends greeting + HELLO; "welcome" when the server's greeting and a WELCOME come back, else "closed". */
async function answerTo(port: number, hello: Buffer): Promise<"welcome" | "closed"> {
  const socket = await dial(port);
  const answer = new Promise<"welcome" | "closed">((resolve) => {
    let received = Buffer.alloc(0);
    socket.on("data", (d: Buffer) => {
      received = Buffer.concat([received, d]);
      const frame = received.subarray(64);
      if (frame.length >= 2 + WELCOME_SIZE && frame[1] === WELCOME_SIZE && frame.subarray(3, 10).toString() === "WELCOME") resolve("welcome");
    });
    socket.on("close", () => resolve("closed"));
    socket.on("error", () => resolve("closed"));
  });
  socket.write(encodeGreeting("CURVE", false, 1));
  socket.write(encodeFrame(FLAG_COMMAND, hello));
  const result = await answer;
  socket.destroy();
  return result;
}

describe("a CURVE HELLO with nonzero padding", () => {
  it.each(LIBS)("$name answers it with WELCOME, as a zero-padded one", async ({ Pull }) => {
    const keys = zmq.curveKeyPair();
    const pull = track(new Pull({ curveServer: true, curveSecretKey: keys.secretKey }));
    await pull.bind("tcp://127.0.0.1:*");
    const port = Number(/:(\d+)$/.exec(pull.lastEndpoint!)![1]);
    const hello = (): Buffer => new CurveClient(context("PUSH"), { serverKey: keys.publicKey, secretKey: zmq.curveKeyPair().secretKey }).start().send[0]!;

    expect(await answerTo(port, hello())).toBe("welcome");
    const padded = hello();
    expect(padded.length).toBe(HELLO_SIZE);
    padded.fill(0xa5, 8, 80);
    expect(await answerTo(port, padded)).toBe("welcome");
  });
});
