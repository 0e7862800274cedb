/**
 * A peer that floods PINGs and never reads what it is sent must not grow the process's
 * memory: libzmq keeps at most one PONG pending, and so does wiremq. Measured in a child with
 * a small V8 heap (it would abort with an unbounded PONG queue) while a libzmq peer goes on
 * delivering to the same socket.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { encodeCommand, encodeReady } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND } from "../../lib/wire/frame.js";
import { encodeGreeting } from "../../lib/wire/greeting.js";
import { ChildProgram } from "../helpers/child-program.js";
import { rawConnect, tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

const HEAP_MB = 64;
const FLOOD_BYTES = 96 * 1024 * 1024;

const PROGRAM = `
const pull = new zmq.Pull();
pull.bind("tcp://127.0.0.1:0").then(async () => {
  console.log("endpoint " + pull.lastEndpoint);
  for await (const [text] of pull) {
    globalThis.gc();
    const { heapUsed } = process.memoryUsage();
    console.log("got " + text.toString() + " heap " + heapUsed);
    if (text.toString() === "end") break;
  }
  pull.close();
});
`;

/** A PING with the longest context, so each PONG it asks for is as large as can be. */
const PING = encodeFrame(FLAG_COMMAND, encodeCommand("PING", Buffer.concat([Buffer.from([0, 0]), Buffer.alloc(16, 7)])));

describe("a peer that floods PINGs and never reads", () => {
  it("leaves the heap bounded and a libzmq peer served", async () => {
    const child = new ChildProgram("wiremq", PROGRAM, [], [`--max-old-space-size=${HEAP_MB}`, "--expose-gc"]);
    try {
      const endpoint = (await child.line("endpoint ")).slice("endpoint ".length);
      const good = track(new zmq.Push({ linger: 0 }));
      good.connect(endpoint);
      await good.send("before");
      await child.line("got before");

      const attacker = track(await rawConnect(endpoint));
      attacker.pause(); // never reads: every PONG stays unsent
      attacker.write(Buffer.concat([encodeGreeting("NULL", false), encodeFrame(FLAG_COMMAND, encodeReady([["Socket-Type", Buffer.from("PUSH")]]))]));
      const started = Date.now();
      const chunk = Buffer.concat(new Array<Buffer>(Math.floor((1024 * 1024) / PING.length)).fill(PING));
      for (let sent = 0; sent < FLOOD_BYTES; sent += chunk.length) {
        if (!attacker.write(chunk)) {
          const drained = new Promise((resolve) => attacker.once("drain", resolve));
          const died = child.exited.then((exit) => {
            throw new Error(`the process ended during the flood (${exit.code ?? exit.signal}) after ${sent >> 20} MiB: ${child.stderr.slice(0, 300)}`);
          });
          await Promise.race([drained, died]);
        }
      }
      const floodMs = Date.now() - started;

      await good.send("after");
      const after = await child.line("got after", 30_000);
      const heap = Number(after.split(" heap ")[1]);
      console.log(`PING flood of ${FLOOD_BYTES >> 20} MiB: heap ${(heap / 1048576).toFixed(1)} MiB after, ${floodMs} ms`);
      expect(heap).toBeLessThan(24 * 1024 * 1024);
      await good.send("end");
      expect((await child.exited).code).toBe(0);
    } finally {
      await child.kill();
    }
  });
});
