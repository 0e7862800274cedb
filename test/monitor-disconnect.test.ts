/**
 * When a socket reports `disconnect`: the side whose peer went away reports it; the side that
 * ended the connection itself (close, unbind, disconnect()) does not. Closing is compared with
 * zeromq; unbind and disconnect() are wiremq's alone, since libzmq 4.3.5 does not reliably end
 * the connections there (an unbound ROUTER's accepted peer stayed connected in a probe).
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wmq from "../lib/index.js";
import { tracker, waitEvent, within } from "./helpers/sockets.js";

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
