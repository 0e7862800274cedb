/**
 * The `backlog` option is the listen backlog of a bound tcp endpoint, as libzmq's ZMQ_BACKLOG
 * (default 100; Node's own default would be 511): the kernel queues at most backlog + 1
 * connections the socket has not accepted yet, and drops further SYNs.
 */
import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Router } from "../../lib/index.js";
import { settledAcceptQueue } from "../helpers/accept-queue.js";
import { portOf, tracker } from "../helpers/sockets.js";

const open = tracker();
afterEach(() => open.closeAll());

/** Opens `n` plain connections to `port` and reads the listener's queue before this process polls again. */
async function queuedAfterConnects(port: number, n: number): Promise<number | null> {
  for (let i = 0; i < n; i++) {
    const sock = open.track(net.connect(port, "127.0.0.1"));
    sock.on("error", () => {});
  }
  // net.connect makes its connect() call in a process.nextTick queued before this one.
  await new Promise((resolve) => process.nextTick(resolve));
  return settledAcceptQueue(port);
}

describe("the backlog option", () => {
  it.each(["bind", "bindSync"] as const)("bounds the accept queue of a tcp endpoint (%s)", async (how) => {
    const router = open.track(new Router({ backlog: 4 }));
    if (how === "bind") await router.bind("tcp://127.0.0.1:*");
    else router.bindSync("tcp://127.0.0.1:*");
    expect(await queuedAfterConnects(portOf(router.lastEndpoint!), 10)).toBe(5);
  });

  it("is 100 by default, as libzmq's", async () => {
    const router = open.track(new Router());
    expect(router.backlog).toBe(100);
    await router.bind("tcp://127.0.0.1:*");
    expect(await queuedAfterConnects(portOf(router.lastEndpoint!), 110)).toBe(101);
  });
});
