/**
 * A message being gathered is bounded in frames and bytes (lib/engine/message-assembly.ts): a
 * peer whose message never ends loses its connection with a disconnect event instead of
 * growing the heap until the process aborts, while a libzmq peer goes on delivering.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pull } from "../../lib/index.js";
import { MAX_MESSAGE_FRAMES, MessageAssembly } from "../../lib/engine/message-assembly.js";
import { encodeReady } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND, FLAG_MORE } from "../../lib/wire/frame.js";
import { encodeGreeting } from "../../lib/wire/greeting.js";
import { ChildProgram } from "../helpers/child-program.js";
import { closedPromise, rawConnect, tracker, waitEvent, within } from "../helpers/sockets.js";
import { upgradeRequest, wsFrame, zwsCommand } from "../helpers/ws-raw.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

const HANDSHAKE = Buffer.concat([encodeGreeting("NULL", false), encodeFrame(FLAG_COMMAND, encodeReady([["Socket-Type", Buffer.from("PUSH")]]))]);
/** Two-byte frames with MORE set: the cheapest way to make a message that never ends. */
const NEVER_ENDING = Buffer.concat(new Array<Buffer>(64 * 1024).fill(encodeFrame(FLAG_MORE, Buffer.from("ab"))));

describe("a message being gathered", () => {
  it("of exactly the frame bound is delivered whole (from libzmq)", async () => {
    const pull = track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    const push = track(new zmq.Push({ linger: 0 }));
    push.connect(pull.lastEndpoint!);
    const frames = Array.from({ length: MAX_MESSAGE_FRAMES }, (_, i) => String(i % 10));
    await push.send(frames);
    const got = await pull.receive();
    expect(got.length).toBe(MAX_MESSAGE_FRAMES);
    expect(got[MAX_MESSAGE_FRAMES - 1]!.toString()).toBe(String((MAX_MESSAGE_FRAMES - 1) % 10));
  });

  it("past the frame bound drops the peer with an event; a libzmq peer is still served", async () => {
    const pull = track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    const good = track(new zmq.Push({ linger: 0 }));
    const up = waitEvent(pull, "handshake");
    good.connect(pull.lastEndpoint!);
    await up;
    const dropped = waitEvent(pull, "disconnect");
    const attacker = track(await rawConnect(pull.lastEndpoint!));
    attacker.resume();
    attacker.on("error", () => {});
    const closed = closedPromise(attacker);
    attacker.write(HANDSHAKE);
    for (let i = 0; i < 2 && !attacker.destroyed; i++) attacker.write(NEVER_ENDING);
    const event = await within(dropped, 10_000, "the attacker being dropped");
    expect((event.error as { code?: string } | undefined)?.code).toBe("ZMTP_MESSAGE_TOO_LARGE");
    await within(closed, 5000, "the attacker's connection closing");
    await good.send(["still", "served"]);
    expect((await pull.receive()).map(String)).toEqual(["still", "served"]);
  });

  it("over ws://, past the frame bound drops the peer with an event; a libzmq peer is still served", async () => {
    const pull = track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    const tcp = pull.lastEndpoint!;
    await pull.bind("ws://127.0.0.1:*");
    const ws = new URL(pull.lastEndpoint!);
    const good = track(new zmq.Push({ linger: 0 }));
    const up = waitEvent(pull, "handshake");
    good.connect(tcp);
    await up;
    const dropped = waitEvent(pull, "disconnect");
    const attacker = track(await rawConnect(`tcp://${ws.host}`));
    attacker.resume();
    attacker.on("error", () => {});
    const closed = closedPromise(attacker);
    // Each ZWS frame is a WebSocket message with the MORE flag (0x01) and two bytes.
    const frames = Buffer.concat(new Array<Buffer>(16 * 1024).fill(wsFrame(Buffer.from([0x01, 0x61, 0x62]))));
    attacker.write(Buffer.concat([upgradeRequest(ws), zwsCommand(encodeReady([["Socket-Type", Buffer.from("PUSH")]]))]));
    for (let i = 0; i < MAX_MESSAGE_FRAMES / (16 * 1024) + 1 && !attacker.destroyed; i++) attacker.write(frames);
    const event = await within(dropped, 10_000, "the attacker being dropped");
    expect((event.error as { code?: string } | undefined)?.code).toBe("ZMTP_MESSAGE_TOO_LARGE");
    await within(closed, 5000, "the attacker's connection closing");
    await good.send(["still", "served"]);
    expect((await pull.receive()).map(String)).toEqual(["still", "served"]);
  });

  it("past the byte bound is refused, and the next message starts afresh", () => {
    const assembly = new MessageAssembly(10, 100);
    expect(assembly.push(FLAG_MORE, Buffer.alloc(60))).toBeNull();
    expect(() => assembly.push(0, Buffer.alloc(41))).toThrow(expect.objectContaining({ code: "ZMTP_MESSAGE_TOO_LARGE" }));
    assembly.reset();
    expect(assembly.push(FLAG_MORE, Buffer.alloc(60))).toBeNull();
    expect(assembly.push(0, Buffer.alloc(40))?.length).toBe(2);
  });

  it("leaves the heap bounded in a process with a small heap, and a libzmq peer served", async () => {
    const child = new ChildProgram("wiremq", `
const pull = new zmq.Pull();
pull.events.on("disconnect", (e) => console.log("disconnect " + (e.error && e.error.code)));
pull.bind("tcp://127.0.0.1:0").then(async () => {
  console.log("endpoint " + pull.lastEndpoint);
  for await (const [text] of pull) {
    globalThis.gc();
    console.log("got " + text.toString() + " heap " + process.memoryUsage().heapUsed);
    if (text.toString() === "end") break;
  }
  pull.close();
});
`, [], ["--max-old-space-size=64", "--expose-gc"]);
    try {
      const endpoint = (await child.line("endpoint ")).slice("endpoint ".length);
      const good = track(new zmq.Push({ linger: 0 }));
      good.connect(endpoint);
      await good.send("before");
      await child.line("got before");
      // 32 MiB of two-byte frames (8 M frames, ~1 GB of heap unbounded), over connections
      // that are each dropped at the bound.
      let sent = 0;
      for (; sent < 32 * 1024 * 1024; sent += 2 * NEVER_ENDING.length) {
        const attacker = track(await rawConnect(endpoint));
        attacker.on("error", () => {});
        attacker.resume();
        const closed = closedPromise(attacker);
        attacker.write(Buffer.concat([HANDSHAKE, NEVER_ENDING, NEVER_ENDING]));
        await within(Promise.race([closed, child.exited]), 10_000, "the attacker being dropped");
        const died = await child.exitWithin(0);
        if (died !== null) throw new Error(`the process ended (${died.code ?? died.signal}) after ${sent >> 20} MiB: ${child.stderr.slice(0, 300)}`);
      }
      expect(child.lines.filter((l) => l.startsWith("disconnect ")).every((l) => l === "disconnect ZMTP_MESSAGE_TOO_LARGE")).toBe(true);
      await good.send("after");
      const heap = Number((await child.line("got after", 30_000)).split(" heap ")[1]);
      console.log(`never-ending multipart, ${sent >> 20} MiB: heap ${(heap / 1048576).toFixed(1)} MiB after`);
      expect(heap).toBeLessThan(24 * 1024 * 1024);
      await good.send("end");
      expect((await child.exited).code).toBe(0);
    } finally {
      await child.kill();
    }
  });
});
