/**
 * Small cases against zeromq: a subscription call on a closed Subscriber, and whole-number
 * options given a fraction (zeromq keeps the integer part).
 */
import { describe, it } from "vitest";
import { expectSame, settle } from "../helpers/differential.js";

describe("as zeromq", () => {
  it("subscribe() and unsubscribe() after close() throw ENOTSOCK", async () => {
    await expectSame(async (zmq) => {
      const sub = new zmq.Subscriber({ linger: 0 });
      sub.close();
      return { subscribe: await settle(() => sub.subscribe("a")), all: await settle(() => sub.subscribe()), unsubscribe: await settle(() => sub.unsubscribe("a")) };
    });
  });

  it.each(["maxMessageSize", "sendHighWaterMark", "linger", "heartbeatInterval"] as const)("%s = 1.5 reads back as zeromq stores it", async (name) => {
    await expectSame(async (zmq, run) => {
      const dealer = run.track(new zmq.Dealer({ linger: 0 }));
      const set = await settle(() => {
        (dealer as unknown as Record<string, number>)[name] = 1.5;
      });
      return { set, value: (dealer as unknown as Record<string, number>)[name] };
    });
  });
});
