/**
 * The PING flood of pong-flood.test.ts over ws:// (ZWS 2.0): a peer that sends pings and never
 * reads must not grow the process's memory, whether ZMTP PING commands (libzmq keeps at most
 * one PONG pending, and so does wiremq's tcp engine; its ZWS engine kept every one and the
 * process aborted after 8 MiB of them) or WebSocket ping control frames (`ws` answers those
 * itself and ends a peer with too many of its pongs unsent). Measured in a child with a small
 * V8 heap while a libzmq peer goes on delivering over tcp to the same socket.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pull } from "../../lib/index.js";
import { encodeCommand, encodePong, encodeReady } from "../../lib/wire/command.js";
import { ChildProgram } from "../helpers/child-program.js";
import { closedPromise, rawConnect, tracker } from "../helpers/sockets.js";
import { upgradeRequest, zwsCommand } from "../helpers/ws-raw.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

const HEAP_MB = 64;
// Four times what aborted the process before the fix (8 MiB); ws parsing makes more a slow test.
const FLOOD_BYTES = 32 * 1024 * 1024;

const PROGRAM = `
const pull = new zmq.Pull();
(async () => {
  await pull.bind("tcp://127.0.0.1:0");
  const tcp = pull.lastEndpoint;
  await pull.bind("ws://127.0.0.1:0");
  console.log("endpoints " + tcp + " " + pull.lastEndpoint);
  for await (const [text] of pull) {
    globalThis.gc();
    const { heapUsed } = process.memoryUsage();
    console.log("got " + text.toString() + " heap " + heapUsed);
    if (text.toString() === "end") break;
  }
  pull.close();
})();
`;

const PINGS = {
  /** A ZMTP PING with the longest context, so each PONG it asks for is as large as can be. */
  "ZMTP PING commands": zwsCommand(encodeCommand("PING", Buffer.concat([Buffer.from([0, 0]), Buffer.alloc(16, 7)]))),
  /** A WebSocket ping control frame (opcode 9) with 16 bytes the pong must echo. */
  "WebSocket pings": Buffer.concat([Buffer.from([0x89, 0x80 | 16]), Buffer.alloc(4), Buffer.alloc(16, 7)]),
};

describe.each(Object.keys(PINGS) as Array<keyof typeof PINGS>)("a ws:// peer that floods %s and never reads", (kind) => {
  it("leaves the heap bounded and a libzmq peer served", async () => {
    const PING = PINGS[kind];
    const child = new ChildProgram("wiremq", PROGRAM, [], [`--max-old-space-size=${HEAP_MB}`, "--expose-gc"]);
    try {
      const [, tcp, wsEndpoint] = (await child.line("endpoints ")).split(" ");
      const ws = new URL(wsEndpoint!);
      const good = track(new zmq.Push({ linger: 0 }));
      good.connect(tcp!);
      await good.send("before");
      await child.line("got before");

      const attacker = track(await rawConnect(`tcp://${ws.host}`));
      attacker.pause(); // never reads: not the upgrade's answer, not one PONG
      attacker.write(Buffer.concat([upgradeRequest(ws), zwsCommand(encodeReady([["Socket-Type", Buffer.from("PUSH")]]))]));
      const started = Date.now();
      const chunk = Buffer.concat(new Array<Buffer>(Math.floor((1024 * 1024) / PING.length)).fill(PING));
      // The server may end the attacker's connection instead (`ws` does so for its own pongs).
      const dropped = closedPromise(attacker);
      let sent = 0;
      for (; sent < FLOOD_BYTES && !attacker.destroyed; sent += chunk.length) {
        if (!attacker.write(chunk)) {
          const drained = Promise.race([new Promise((resolve) => attacker.once("drain", resolve)), dropped]);
          const died = child.exited.then((exit) => {
            throw new Error(`the process ended during the flood (${exit.code ?? exit.signal}) after ${sent >> 20} MiB: ${child.stderr.slice(0, 300)}`);
          });
          await Promise.race([drained, died]);
        }
      }
      const floodMs = Date.now() - started;

      await good.send("after");
      const after = await child.line("got after", 60_000);
      const heap = Number(after.split(" heap ")[1]);
      const how = attacker.destroyed ? `dropped by the server after ${sent >> 20} MiB` : `${sent >> 20} MiB sent`;
      console.log(`ws flood of ${kind}: ${how}, heap ${(heap / 1048576).toFixed(1)} MiB after, ${floodMs} ms`);
      expect(heap).toBeLessThan(24 * 1024 * 1024);
      await good.send("end");
      expect((await child.exited).code).toBe(0);
      console.log(`ws flood of ${kind}: the child exited ${Date.now() - started} ms after the flood began`);
    } finally {
      await child.kill();
    }
  });
});

describe("a ws:// peer that sends a PING and reads", () => {
  it("gets its PONG, with the PING's context", async () => {
    const pull = track(new Pull());
    await pull.bind("ws://127.0.0.1:*");
    const ws = new URL(pull.lastEndpoint!);
    const peer = track(await rawConnect(`tcp://${ws.host}`));
    // The server's messages, unmasked, after its answer to the upgrade.
    const pong = new Promise<Buffer>((resolve) => {
      let data = Buffer.alloc(0);
      let upgraded = false;
      peer.on("data", (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        if (!upgraded) {
          const end = data.indexOf("\r\n\r\n");
          if (end < 0) return;
          upgraded = true;
          data = data.subarray(end + 4);
        }
        while (data.length >= 2 && (data[1]! & 0x7f) < 126 && data.length >= 2 + data[1]!) {
          const payload = data.subarray(2, 2 + data[1]!);
          data = data.subarray(2 + data[1]!);
          if (payload[0] === 0x02 && payload.subarray(2, 2 + payload[1]!).toString() === "PONG") resolve(Buffer.from(payload.subarray(1)));
        }
      });
    });
    peer.write(upgradeRequest(ws));
    peer.write(zwsCommand(encodeReady([["Socket-Type", Buffer.from("PUSH")]])));
    peer.write(zwsCommand(encodeCommand("PING", Buffer.concat([Buffer.from([0, 0]), Buffer.from("ctx-1")]))));
    expect(await pong).toEqual(encodePong(Buffer.from("ctx-1")));
  });
});
