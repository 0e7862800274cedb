/**
 * Peers that come and go by the hundred leave nothing behind: after each churn the socket's
 * own bookkeeping (pipes, routing table, fair-queue rotation, engines per binding,
 * subscriptions) is back to what it held before. White-box: it reads private fields, because
 * a slow leak shows there long before it shows in a heap measurement.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Dealer, Publisher, Pull, Push, Router, Subscriber, type Socket } from "../../lib/index.js";
import { tracker, waitEvent, within } from "../helpers/sockets.js";

zmq.context.blocky = false;
const open = tracker();
afterEach(() => open.closeAll());

const ROUNDS = 200;

/** What a socket holds per peer, read from its private fields. */
function held(socket: Socket): Record<string, number> {
  const s = socket as unknown as Record<string, unknown>;
  const out: Record<string, number> = { pipes: (s.pipes as Set<unknown>).size };
  let engines = 0;
  for (const b of (s.endpoints as { bindings: Map<string, { engines?: Set<unknown> }> }).bindings.values()) engines += b.engines?.size ?? 0;
  out.engines = engines;
  if (s.table instanceof Map) out.table = s.table.size;
  if (s.fq !== undefined) out.active = ((s.fq as { active: unknown[] }).active).length;
  if (Array.isArray(s.subscribers)) out.subscribers = s.subscribers.length;
  return out;
}

/** Waits for `count` disconnect events on the bound socket (each churned peer ends with one). */
function disconnects(socket: Socket, count: number): Promise<unknown> {
  return waitEvent(socket, "disconnect", count, 60_000);
}

describe("churn", () => {
  it(`ROUTER: ${ROUNDS} DEALERs (wiremq and libzmq) each connect, talk and leave`, async () => {
    const router = open.track(new Router({ disconnectMessage: "bye" }));
    await router.bind("tcp://127.0.0.1:*");
    const before = held(router);
    const gone = disconnects(router, ROUNDS);
    // Every departure is announced once, in among the next peers' messages.
    const byes = new Set<string>();
    const next = async (what: string): Promise<Buffer[]> => {
      for (;;) {
        const msg = await within(router.receive(), 5000, what);
        if (msg[1]!.toString() !== "bye") return msg;
        expect(byes.has(msg[0]!.toString())).toBe(false);
        byes.add(msg[0]!.toString());
      }
    };
    for (let i = 0; i < ROUNDS; i++) {
      const dealer = i % 2 === 0 ? new Dealer({ routingId: `d${i}`, linger: -1 }) : new zmq.Dealer({ routingId: `d${i}`, linger: 1000 });
      dealer.connect(router.lastEndpoint!);
      await dealer.send(`hello ${i}`);
      const [id, body] = await next(`message ${i}`);
      expect(body!.toString()).toBe(`hello ${i}`);
      await router.send([id!, "reply"]);
      expect((await within(dealer.receive(), 5000, `reply ${i}`))[0]!.toString()).toBe("reply");
      await dealer.close();
    }
    await gone;
    while (byes.size < ROUNDS) {
      const [id, body] = await within(router.receive(), 5000, "departures");
      expect(body!.toString()).toBe("bye");
      byes.add(id!.toString());
    }
    expect(held(router)).toEqual(before);
  });

  it(`PUB: ${ROUNDS} subscribers each subscribe, receive and leave; the subscription table empties`, async () => {
    const pub = open.track(new Publisher());
    await pub.bind("tcp://127.0.0.1:*");
    const before = held(pub);
    const trie = (pub as unknown as { subscriptions: { size: number; root: { children: unknown } } }).subscriptions;
    const gone = disconnects(pub, ROUNDS);
    for (let i = 0; i < ROUNDS; i++) {
      const sub = new Subscriber();
      sub.subscribe(`topic-${i}`);
      sub.connect(pub.lastEndpoint!);
      // PUB has no event for a subscription arriving: publish until one gets through.
      const first = sub.receive();
      for (;;) {
        await pub.send([`topic-${i}`, "x"]);
        if ((await Promise.race([first, new Promise<null>((r) => setTimeout(() => r(null), 20))])) !== null) break;
      }
      await sub.close();
    }
    await gone;
    expect(held(pub)).toEqual(before);
    expect(trie.size).toBe(0);
    expect(trie.root.children).toBeNull();
  });

  it(`PULL: ${ROUNDS} pushers each send and leave; nothing queued is lost and nothing is held after`, async () => {
    const pull = open.track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    const before = held(pull);
    const gone = disconnects(pull, ROUNDS);
    for (let i = 0; i < ROUNDS; i++) {
      const push = new Push({ linger: -1 });
      push.connect(pull.lastEndpoint!);
      for (let j = 0; j < 5; j++) await push.send(`${i}.${j}`);
      await push.close();
    }
    const got: string[] = [];
    for (let n = 0; n < ROUNDS * 5; n++) got.push((await within(pull.receive(), 5000, "churned messages"))[0]!.toString());
    await gone;
    expect(new Set(got).size).toBe(ROUNDS * 5);
    expect(held(pull)).toEqual(before);
  });

  it(`a DEALER whose ROUTER restarts ${ROUNDS / 10} times keeps one connection and delivers after each`, async () => {
    let router = new Router();
    await router.bind("tcp://127.0.0.1:*");
    const endpoint = router.lastEndpoint!;
    const dealer = open.track(new Dealer({ reconnectInterval: 10 }));
    dealer.connect(endpoint);
    const before = held(dealer);
    for (let i = 0; i < ROUNDS / 10; i++) {
      await dealer.send(`round ${i}`);
      expect((await within(router.receive(), 5000, `round ${i}`))[1]!.toString()).toBe(`round ${i}`);
      const lost = waitEvent(dealer, "disconnect");
      await router.close();
      await lost;
      router = new Router();
      await router.bind(endpoint);
    }
    open.track(router);
    expect(held(dealer)).toEqual(before);
    expect((dealer as unknown as { endpoints: { connections: Map<string, unknown> } }).endpoints.connections.size).toBe(1);
  });
});
