/**
 * REQ and REP answer one message with one, so a request or reply goes to the connection within
 * the send call instead of on the next turn (nothing could join it in a batch, and the turn
 * only adds to the round trip). A REP that has more requests waiting from the same peer (a
 * DEALER's) still gathers its replies into few writes.
 */
import * as net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Dealer, Reply, Request } from "../../lib/index.js";
import { portOf, tracker } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(async () => {
  vi.restoreAllMocks();
  await closeAll();
});

/** Counts net.Socket writes made on the connection whose local port is `port`. */
function writesFrom(port: number): { count(): number } {
  const spy = vi.spyOn(net.Socket.prototype, "write");
  return { count: () => spy.mock.contexts.filter((s) => (s as net.Socket).localPort === port).length };
}

async function reqRep(): Promise<[Request, Reply, number]> {
  const rep = track(new Reply());
  await rep.bind("tcp://127.0.0.1:*");
  const req = track(new Request());
  req.connect(rep.lastEndpoint!);
  // One round trip: both connections are past their handshake.
  await req.send("hello");
  await rep.receive();
  await rep.send("hello");
  await req.receive();
  return [req, rep, portOf(rep.lastEndpoint!)];
}

describe("REQ/REP write through", () => {
  it("a request is written within send(), before the event loop turns", async () => {
    const [req, rep, repPort] = await reqRep();
    const all = vi.spyOn(net.Socket.prototype, "write");
    await req.send("ping");
    // The REQ's connection is the one whose remote port is the REP's.
    expect(all.mock.contexts.filter((s) => (s as net.Socket).remotePort === repPort)).toHaveLength(1);
    expect((await rep.receive()).map(String)).toEqual(["ping"]);
  });

  it("a reply is written within send(), before the event loop turns", async () => {
    const [req, rep, repPort] = await reqRep();
    await req.send("ping");
    await rep.receive();
    const writes = writesFrom(repPort);
    await rep.send("pong");
    expect(writes.count()).toBe(1);
    expect((await req.receive()).map(String)).toEqual(["pong"]);
  });

  it("replies to a DEALER's queued requests are gathered, and all arrive in order", async () => {
    const rep = track(new Reply());
    await rep.bind("tcp://127.0.0.1:*");
    const dealer = track(new Dealer());
    dealer.connect(rep.lastEndpoint!);
    const N = 50;
    for (let i = 0; i < N; i++) await dealer.send(["", `q${i}`]);
    // The first request is read with the rest of its batch queued behind it.
    const first = await rep.receive();
    const writes = writesFrom(portOf(rep.lastEndpoint!));
    await rep.send(`a${String(first[0])}`);
    for (let i = 1; i < N; i++) {
      const [q] = await rep.receive();
      await rep.send(`a${String(q)}`);
    }
    const answers: string[] = [];
    for (let i = 0; i < N; i++) answers.push(String((await dealer.receive())[1]));
    expect(answers).toEqual(Array.from({ length: N }, (_, i) => `aq${i}`));
    // One write per reply would be N; queued requests let replies share a write.
    expect(writes.count()).toBeLessThan(N / 2);
  });
});
