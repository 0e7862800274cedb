/**
 * A send that waits fails, when its timeout passes or close() cuts it short, as a
 * non-blocking send would then (zeromq tries it once more): EHOSTUNREACH on a mandatory
 * ROUTER whose peer is unknown, EFSM on a REQ or REP out of turn, else EAGAIN.
 *
 * REQ and REP out of turn, as zeromq's: a send out of turn is not writable, so it waits for its
 * turn (the reply received, or the request received) and only a non-blocking one fails with
 * EFSM at once; one whose timeout passes, or that close() cuts short, fails with EFSM too, and
 * so does a receive out of turn that times out. A burst of sends queued one after another on a
 * REQ goes out one per reply.
 */
import { describe, expect, it } from "vitest";
import { expectSame, settle, type Zmq } from "../helpers/differential.js";

async function reqRep(zmq: Zmq, track: <T extends { close(): unknown }>(s: T) => T, req: object = {}, rep: object = {}) {
  const reply = track(new zmq.Reply({ linger: 0, ...rep }));
  await reply.bind("tcp://127.0.0.1:*");
  const request = track(new zmq.Request({ linger: 0, ...req }));
  request.connect(reply.lastEndpoint!);
  return { request, reply };
}

/** Notes when a promise settles, in the order things happen. */
function logged(log: string[], name: string, promise: Promise<unknown>): Promise<void> {
  return promise.then(
    () => void log.push(`${name} resolved`),
    (err: { code?: string }) => void log.push(`${name} rejected ${err.code}`),
  );
}

describe("REQ/REP out of turn (differential)", () => {
  it("a REQ's second send waits for the reply to be received, then goes", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const { request, reply } = await reqRep(zmq, run.track);
      const log: string[] = [];
      await request.send("first");
      const second = logged(log, "second send", request.send("second"));
      const answer = logged(log, "receive", request.receive());
      log.push(`rep got ${String(await reply.receive())}`);
      await reply.send("answer");
      await answer;
      await second;
      log.push(`rep got ${String(await reply.receive())}`);
      return log;
    });
    expect(seen).toEqual({ resolved: ["rep got first", "receive resolved", "second send resolved", "rep got second"] });
  });

  it("a REP's send before its request waits for the request to be received, then is the reply", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const { request, reply } = await reqRep(zmq, run.track);
      const log: string[] = [];
      const early = logged(log, "early send", reply.send("early"));
      await request.send("question");
      log.push(`rep got ${String(await reply.receive())}`);
      await early;
      const settledBeforeReply = log.includes("early send resolved");
      log.push(`req got ${String(await request.receive())}`);
      // Whether the send or the receive settles first varies with zeromq from run to run.
      return { settledBeforeReply, log: log.sort() };
    });
    expect(seen).toEqual({ resolved: { settledBeforeReply: true, log: ["early send resolved", "rep got question", "req got early"] } });
  });

  it("out of turn: sendTimeout 0 fails at once with EFSM, a send timeout and a receive timeout with EFSM", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const { request, reply } = await reqRep(zmq, run.track, { receiveTimeout: 20 }, { sendTimeout: 20 });
      const repSend = await settle(() => reply.send("x"));
      const reqReceive = await settle(() => request.receive());
      await request.send("q");
      request.sendTimeout = 20;
      const reqSend = await settle(() => request.send("again"));
      request.sendTimeout = 0;
      const reqSendNow = await settle(() => request.send("again"));
      return { repSend, reqReceive, reqSend, reqSendNow };
    });
    const efsm = { class: "Error", name: "Error", code: "EFSM", message: "Operation cannot be accomplished in current state" };
    expect(seen).toEqual({ resolved: { repSend: { rejected: efsm }, reqReceive: { rejected: efsm }, reqSend: { rejected: efsm }, reqSendNow: { rejected: efsm } } });
  });

  it("close() cuts a waiting out-of-turn send short with EFSM", async () => {
    await expectSame(async (zmq, run) => {
      const { request, reply } = await reqRep(zmq, run.track);
      const repSend = settle(() => reply.send("x"));
      await request.send("q");
      const reqSend = settle(() => request.send("again"));
      request.close();
      reply.close();
      return { repSend: await repSend, reqSend: await reqSend };
    });
  });

  it("a burst of ten requests sent one after another while a receive loop runs: each goes after the previous reply", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const { request, reply } = await reqRep(zmq, run.track);
      const served = (async () => {
        for (let i = 0; i < 10; i++) {
          const [body] = await reply.receive();
          await reply.send(`re ${String(body)}`);
        }
      })();
      const replies: string[] = [];
      const received = (async () => {
        for (let i = 0; i < 10; i++) replies.push(String(await request.receive()));
      })();
      for (let i = 0; i < 10; i++) await request.send(`q${i}`);
      await Promise.all([served, received]);
      return replies;
    });
    expect(seen).toEqual({ resolved: Array.from({ length: 10 }, (_, i) => `re q${i}`) });
  });
});

describe("a mandatory ROUTER's waiting send (differential)", () => {
  it("to an unknown peer: EHOSTUNREACH when its timeout passes and when close() cuts it short", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const timed = run.track(new zmq.Router({ mandatory: true, sendTimeout: 10, linger: 0 }));
      const waiting = run.track(new zmq.Router({ mandatory: true, linger: 0 }));
      const timedOut = await settle(() => timed.send(["12384982398293", ""]));
      const cut = settle(() => waiting.send(["nobody", "x"]));
      waiting.close();
      return { timedOut, closed: await cut };
    });
    const unreachable = { rejected: { class: "Error", name: "Error", code: "EHOSTUNREACH", message: "Host unreachable" } };
    expect(seen).toEqual({ resolved: { timedOut: unreachable, closed: unreachable } });
  });

  it("to a known peer that is full (inproc): EAGAIN when its timeout passes", async () => {
    await expectSame(async (zmq, run) => {
      const router = run.track(new zmq.Router({ mandatory: true, sendHighWaterMark: 1, linger: 0 }));
      await router.bind(`inproc://waiting-send-${run.lib}-${process.pid}`);
      const dealer = run.track(new zmq.Dealer({ routingId: "d", receiveHighWaterMark: 1, linger: 0 }));
      dealer.connect(router.lastEndpoint!);
      await dealer.send("hello");
      await router.receive();
      router.sendTimeout = 50;
      // Fill the pipe and the peer's queue until a send has to wait; it then times out.
      for (let i = 0; i < 100_000; i++) {
        const outcome = await settle(() => router.send(["d", "x"]));
        if ("rejected" in outcome) return outcome;
      }
      return "never full";
    });
  });
});

describe("an inproc connect whose name is not bound yet (differential)", () => {
  it("holds as many messages as its own send HWM, then a timed send fails EAGAIN; binding the name makes room", async () => {
    await expectSame(async (zmq, run) => {
      const name = `inproc://unbound-hwm-${Math.random().toString(16).slice(2)}`;
      const pair = run.track(new zmq.Pair({ linger: 0, sendHighWaterMark: 1, sendTimeout: 2 }));
      pair.connect(name);
      const first = await settle(() => pair.send(Buffer.alloc(8192)));
      const second = await settle(() => pair.send(Buffer.alloc(8192)));
      const peer = run.track(new zmq.Pair({ linger: 0 }));
      await peer.bind(name);
      const afterBind = await settle(() => pair.send("third"));
      const got = [String((await peer.receive())[0]!.length), String((await peer.receive())[0])];
      return { first, second, afterBind, got };
    });
  });
});
