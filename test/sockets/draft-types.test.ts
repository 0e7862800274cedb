/**
 * wiremq/draft's types are zeromq/draft's: what each draft socket may call and what it gets.
 * Checked by `npm run typecheck` (each `@ts-expect-error` line must fail to compile); the
 * run-time half checks the names and that every readable draft socket can be iterated.
 */
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import * as draft from "../../lib/draft.js";
import { Client, Datagram, Dish, Gather, Radio, Scatter, Server } from "../../lib/draft.js";
import type { Message } from "../../lib/index.js";
import { tracker } from "../helpers/sockets.js";

const require = createRequire(import.meta.url);
const { track, closeAll } = tracker();
afterEach(closeAll);

describe("wiremq/draft", () => {
  it("exports the names zeromq/draft exports, with the same kinds", () => {
    const zeromq = require("zeromq/draft") as Record<string, unknown>;
    const ours = draft as unknown as Record<string, unknown>;
    for (const name of Object.keys(zeromq)) expect([name, typeof ours[name]]).toEqual([name, typeof zeromq[name]]);
    // Only these: zeromq/draft does not repeat the main entry.
    expect(Object.keys(ours).sort()).toEqual(Object.keys(zeromq).sort());
  });

  it("lets readable draft sockets be iterated, ending when they close", async () => {
    const server = track(new Server());
    const client = track(new Client());
    await server.bind("inproc://draft-iterate");
    client.connect("inproc://draft-iterate");
    await client.send("one");
    const seen: number[] = [];
    for await (const [message, { routingId }] of server) {
      expect(message.toString()).toBe("one");
      seen.push(routingId);
      void server.close();
    }
    expect(seen).toHaveLength(1);
    for (const s of [new Client(), new Dish(), new Gather(), new Datagram()]) {
      expect(typeof track(s)[Symbol.asyncIterator]).toBe("function");
    }
  });
});

// Never called: these lines are for the compiler.
export async function typeChecks(): Promise<void> {
  const server = new Server();
  const [message, { routingId }] = await server.receive();
  const bytes: Message = message;
  void server.send(bytes, { routingId });
  // @ts-expect-error a SERVER send names the peer
  void server.send("x");
  // @ts-expect-error one part per message
  void server.send(["a", "b"], { routingId });

  const client = new Client();
  const [reply] = await client.receive();
  void client.send(reply);

  const radio = new Radio();
  void radio.send("x", { group: "news" });
  void radio.send("x", { group: Buffer.from("news") });
  // @ts-expect-error a RADIO send names the group
  void radio.send("x");
  // @ts-expect-error a RADIO cannot receive
  void radio.receive();

  const dish = new Dish();
  dish.join("news", Buffer.from("sport"));
  dish.leave("news");
  const [, { group }] = await dish.receive();
  const groupBytes: Buffer = group;
  void groupBytes;
  // @ts-expect-error a DISH cannot send
  void dish.send("x");

  // @ts-expect-error a GATHER cannot send
  void new Gather().send("x");
  // @ts-expect-error a SCATTER cannot receive
  void new Scatter().receive();
  void new Scatter({ conflate: true }).send("x");

  const dgram = new Datagram();
  const [from, body] = await dgram.receive();
  void dgram.send([from, body]);
  // @ts-expect-error a DGRAM message is [address, body]
  void dgram.send("x");
}
