/**
 * A flood of sends and receives lets the event loop turn, as zeromq's does: a loop of
 * awaited sends or receives that all complete at once must still yield now and then (zeromq
 * settles one in 513 on a later turn). Counted while 2,500 messages are sent, then while they
 * are received (the flood zeromq's own suite uses), and during a 10,000-message exchange,
 * over tcp, ipc and inproc: the turns of a setImmediate loop, and whether a zero-delay
 * timer set at the start of the exchange fires before it ends. (zeromq's suite counts
 * setInterval ticks; those also depend on how fast a library is, since a 1 ms timer cannot
 * tick three times in the 1 ms wiremq takes to receive 2,500 queued messages over inproc.)
 */
import { describe, expect, it } from "vitest";
import { tmpIpc } from "../helpers/endpoints.js";
import { expectSame } from "../helpers/differential.js";

/** Turns of the event loop (a setImmediate loop's ticks) while `flood` runs. */
async function turnsDuring(flood: () => Promise<void>): Promise<number> {
  let turns = 0;
  let next: NodeJS.Immediate | null = null;
  const turn = (): void => {
    turns++;
    next = setImmediate(turn);
  };
  next = setImmediate(turn);
  await new Promise(setImmediate);
  turns = 0;
  try {
    await flood();
  } finally {
    if (next !== null) clearImmediate(next);
  }
  return turns;
}

const ENDPOINTS = {
  tcp: () => "tcp://127.0.0.1:*",
  ipc: () => tmpIpc(),
  inproc: () => `inproc://differential-fairness-${Math.random().toString(16).slice(2)}`,
};

describe("a flood of sends and receives lets timers run (differential)", () => {
  for (const [transport, endpoint] of Object.entries(ENDPOINTS)) {
    it(`over ${transport}`, async () => {
      const counts: Record<string, unknown> = {};
      const seen = await expectSame(async (zmq, run) => {
        const receiver = run.track(new zmq.Pair({ linger: 0, receiveHighWaterMark: 20_000 }));
        const sender = run.track(new zmq.Pair({ linger: 0, sendHighWaterMark: 20_000 }));
        await receiver.bind(endpoint());
        sender.connect(receiver.lastEndpoint!);
        await sender.send("warm-up");
        await receiver.receive();
        const sends = await turnsDuring(async () => {
          for (let i = 0; i < 2500; i++) await sender.send("x");
        });
        const receives = await turnsDuring(async () => {
          for (let i = 0; i < 2500; i++) await receiver.receive();
        });
        let timerFired = false;
        const timer = setTimeout(() => (timerFired = true), 0);
        let timerFiredDuringExchange = false;
        const exchange = await turnsDuring(async () => {
          const sending = (async () => {
            for (let i = 0; i < 10_000; i++) await sender.send("y");
          })();
          for (let i = 0; i < 10_000; i++) await receiver.receive();
          await sending;
          timerFiredDuringExchange = timerFired;
        });
        clearTimeout(timer);
        counts[run.lib] = { sends, receives, exchange };
        return { sends: sends >= 3, receives: receives >= 3, exchange: exchange >= 3, timerFiredDuringExchange };
      });
      expect(seen, `turns: ${JSON.stringify(counts)}`).toEqual({ resolved: { sends: true, receives: true, exchange: true, timerFiredDuringExchange: true } });
    });
  }
});
