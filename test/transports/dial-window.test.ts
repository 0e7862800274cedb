/**
 * The dial window (lib/transports/dial-window.ts): at most HANDSHAKES_IN_FLIGHT connections from
 * this process wait on one listener; the others dial as the listener answers. Without it, a
 * loop of connects filled a ROUTER's accept queue, the kernel dropped SYNs, and those DEALERs
 * waited out TCP's 1 s / 3 s retransmissions (issue 20, idle-peers).
 */
import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Dealer, Router, Stream } from "../../lib/index.js";
import { DialTicket, dialWindowCount, HANDSHAKES_IN_FLIGHT } from "../../lib/transports/dial-window.js";
import { settledAcceptQueue } from "../helpers/accept-queue.js";
import { portOf, rawServer, tracker, waitEvent, within } from "../helpers/sockets.js";

const open = tracker();
afterEach(() => open.closeAll());

/** Resolves after the process.nextTick callbacks queued so far (where net.connect makes its connect() call). */
const afterQueuedTicks = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

describe("DialTicket", () => {
  it("lets HANDSHAKES_IN_FLIGHT attempts start at once per listener and the rest in order as places free", () => {
    const started: number[] = [];
    const tickets = Array.from({ length: HANDSHAKES_IN_FLIGHT + 3 }, (_, i) => new DialTicket("tcp:a:1", () => started.push(i)));
    for (const t of tickets) t.enter();
    const other = new DialTicket("tcp:b:1", () => started.push(-1));
    other.enter();
    expect(started.length).toBe(HANDSHAKES_IN_FLIGHT + 1);
    expect(started.at(-1)).toBe(-1);

    // A waiting attempt given up leaves the queue; the next place goes to the one after it.
    tickets[HANDSHAKES_IN_FLIGHT]!.release();
    tickets[0]!.release();
    expect(started.at(-1)).toBe(HANDSHAKES_IN_FLIGHT + 1);
    tickets[0]!.release();
    expect(started.length).toBe(HANDSHAKES_IN_FLIGHT + 2);

    for (const t of [...tickets, other]) t.release();
    expect(started.at(-1)).toBe(HANDSHAKES_IN_FLIGHT + 2);
    expect(dialWindowCount()).toBe(0);
  });
});

describe("many DEALERs connecting to one ROUTER", () => {
  it(`leave at most ${HANDSHAKES_IN_FLIGHT} connections in its accept queue, and every hello arrives`, async () => {
    const peers = HANDSHAKES_IN_FLIGHT + 36;
    const router = open.track(new Router({ backlog: 1000 }));
    await router.bind("tcp://127.0.0.1:*");
    const endpoint = router.lastEndpoint!;
    for (let i = 0; i < peers; i++) {
      const dealer = open.track(new Dealer({ linger: 0 }));
      dealer.connect(endpoint);
      void dealer.send("hi");
    }
    await afterQueuedTicks();
    // Nothing has been accepted yet: this process has not polled since the connects.
    expect(settledAcceptQueue(portOf(endpoint))).toBe(HANDSHAKES_IN_FLIGHT);

    const ids = new Set<string>();
    while (ids.size < peers) {
      const [id] = await within(router.receive(), 10_000, `hello ${ids.size + 1} of ${peers}`);
      ids.add(id!.toString("hex"));
    }
    expect(ids.size).toBe(peers);
  });

  it("dial again after refused connects without waiting on each other, and leave no window behind", async () => {
    const server = await rawServer(() => {});
    const endpoint = server.endpoint;
    await server.close();
    const dealers = Array.from({ length: HANDSHAKES_IN_FLIGHT + 10 }, () => open.track(new Dealer({ linger: 0, reconnectInterval: 20 })));
    // Each refused attempt frees its place, so the ones that waited get theirs and are refused too.
    const refused = dealers.map((d) => waitEvent(d, "connect:retry"));
    for (const d of dealers) d.connect(endpoint);
    await Promise.all(refused);
    for (const d of dealers) d.close();
    expect(dialWindowCount()).toBe(0);
  });
});

describe("STREAM sockets", () => {
  it("are not held back by a raw TCP server that never speaks first", async () => {
    const accepted: net.Socket[] = [];
    let wake: () => void = () => {};
    const server = await rawServer((sock) => {
      accepted.push(sock);
      wake();
    });
    open.track(server);
    const peers = HANDSHAKES_IN_FLIGHT + 16;
    for (let i = 0; i < peers; i++) open.track(new Stream({ linger: 0 })).connect(server.endpoint);
    await within(
      new Promise<void>((resolve) => {
        wake = () => accepted.length === peers && resolve();
        wake();
      }),
      10_000,
      `${peers} raw connections`,
    );
    for (const s of accepted) s.destroy();
  });
});
