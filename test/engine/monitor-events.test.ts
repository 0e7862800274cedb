/**
 * Monitor events compared with zeromq's. Reconnecting: each attempt reports connect:delay, a
 * failed one close, then connect:retry. `disconnect`: the side whose peer went away reports
 * it; the side that ended the connection itself (close, unbind, disconnect()) does not.
 * Closing is compared with zeromq; unbind and disconnect() are wiremq's alone, since libzmq
 * 4.3.5 does not reliably end the connections there (an unbound ROUTER's accepted peer stayed
 * connected in a probe).
 */
import { afterEach, describe, expect, it } from "vitest";
import * as net from "node:net";
import { once } from "node:events";
import * as zmq from "zeromq";
import * as wmq from "../../lib/index.js";
import { tracker, waitEvent, within } from "../helpers/sockets.js";

zmq.context.blocky = false;
const open = tracker();
afterEach(() => open.closeAll());

type Lib = typeof wmq | typeof zmq;
const LIBS: Array<[string, Lib]> = [
  ["wiremq", wmq],
  ["zeromq", zmq],
];

/** A bound ROUTER and a DEALER connected to it, with a message through, each counting disconnects. */
async function pair(lib: Lib): Promise<{ router: wmq.Router; dealer: wmq.Dealer; routerLost: () => number; dealerLost: () => number }> {
  const router = open.track(new lib.Router()) as unknown as wmq.Router;
  await router.bind("tcp://127.0.0.1:*");
  const dealer = open.track(new lib.Dealer({ reconnectInterval: 60_000 })) as unknown as wmq.Dealer;
  let r = 0;
  let d = 0;
  router.events.on("disconnect", () => r++);
  dealer.events.on("disconnect", () => d++);
  dealer.connect(router.lastEndpoint!);
  await dealer.send("hi");
  await within(router.receive(), 5000, "the first message");
  return { router, dealer, routerLost: () => r, dealerLost: () => d };
}

describe.each(LIBS)("%s", (_name, lib) => {
  it("an endpoint nobody listens on: connect:delay, close, connect:retry for each attempt", async () => {
    // A port that was just free: nothing listens there (a plain server, closed and awaited).
    const server = net.createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const endpoint = `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    await new Promise<void>((r) => server.close(() => r()));
    const dealer = open.track(new lib.Dealer({ reconnectInterval: 10 })) as unknown as wmq.Dealer;
    const seen: string[] = [];
    const third = new Promise<void>((resolve) => {
      for (const type of ["connect:delay", "close", "connect:retry"]) {
        dealer.events.on(type as "close", () => {
          seen.push(type);
          if (seen.filter((t) => t === "connect:retry").length === 3) resolve();
        });
      }
    });
    dealer.connect(endpoint);
    await within(third, 10_000, "three retries");
    expect(seen.slice(0, 9)).toEqual(Array(3).fill(["connect:delay", "close", "connect:retry"]).flat());
  });

  it("closing the ROUTER: the DEALER reports its peer lost, the ROUTER nothing", async () => {
    const { router, dealer, routerLost, dealerLost } = await pair(lib);
    const lost = waitEvent(dealer, "disconnect");
    await router.close();
    await lost;
    expect([routerLost(), dealerLost()]).toEqual([0, 1]);
  });

});

describe("wiremq", () => {
  it("unbinding: the DEALER reports its peer lost, the ROUTER nothing", async () => {
    const { router, dealer, routerLost, dealerLost } = await pair(wmq);
    const lost = waitEvent(dealer, "disconnect");
    await router.unbind(router.lastEndpoint!);
    await lost;
    expect([routerLost(), dealerLost()]).toEqual([0, 1]);
  });

  it("disconnect() on the DEALER: the ROUTER reports its peer lost, the DEALER nothing", async () => {
    const { router, dealer, routerLost, dealerLost } = await pair(wmq);
    const lost = waitEvent(router, "disconnect");
    dealer.disconnect(router.lastEndpoint!);
    await lost;
    expect([routerLost(), dealerLost()]).toEqual([1, 0]);
  });
});
