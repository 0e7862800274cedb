/**
 * One operation at a time, as zeromq allows: a second send or receive while one waits, and
 * anything during a bind or unbind, fail with EBUSY at the call; a closed socket refuses at
 * the call too.
 */
import { describe, expect, it } from "vitest";
import { expectSame, settle } from "../helpers/differential.js";

describe("concurrent operations (differential)", () => {
  it("a second send while one waits throws EBUSY at the call; the first still times out", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const push = run.track(new zmq.Push({ linger: 0, sendTimeout: 50 }));
      const first = settle(() => push.send("a"));
      const second = await settle(() => push.send("b"));
      return { second, first: await first };
    });
    expect(seen).toMatchObject({ resolved: { second: { threw: { code: "EBUSY" } }, first: { rejected: { code: "EAGAIN" } } } });
  });

  it("a second receive while one waits throws EBUSY at the call", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const pull = run.track(new zmq.Pull({ linger: 0, receiveTimeout: 50 }));
      const first = settle(() => pull.receive());
      const second = await settle(() => pull.receive());
      return { second, first: await first };
    });
    expect(seen).toMatchObject({ resolved: { second: { threw: { code: "EBUSY" } }, first: { rejected: { code: "EAGAIN" } } } });
  });

  for (const transport of ["tcp://127.0.0.1:*", "inproc://differential-blocked"]) {
    it(`every endpoint call, send and receive during a bind to ${transport.split(":")[0]} throw EBUSY`, async () => {
      const seen = await expectSame(async (zmq, run) => {
        const dealer = run.track(new zmq.Dealer({ linger: 0, sendTimeout: 0, receiveTimeout: 0 }));
        const bound = settle(() => dealer.bind(`${transport}-${run.lib}`.replace(/:\*-\w+$/, ":*")));
        const during = {
          bind: await settle(() => dealer.bind("tcp://127.0.0.1:*")),
          unbind: await settle(() => dealer.unbind("tcp://127.0.0.1:1")),
          connect: await settle(() => dealer.connect("tcp://127.0.0.1:1")),
          disconnect: await settle(() => dealer.disconnect("tcp://127.0.0.1:1")),
          send: await settle(() => dealer.send("x")),
          receive: await settle(() => dealer.receive()),
          closed: dealer.closed,
        };
        return { during, bound: await bound, afterwards: await settle(() => dealer.send("x")) };
      });
      expect(seen).toMatchObject({ resolved: { during: { bind: { threw: { code: "EBUSY" } } }, bound: { resolved: undefined } } });
    });
  }

  it("an unbind during an unbind throws EBUSY; the first completes", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const pull = run.track(new zmq.Pull({ linger: 0 }));
      await pull.bind("tcp://127.0.0.1:*");
      const a = pull.lastEndpoint!;
      await pull.bind("tcp://127.0.0.1:*");
      const b = pull.lastEndpoint!;
      const first = settle(() => pull.unbind(a));
      const second = await settle(() => pull.unbind(b));
      return { second, first: await first, again: await settle(() => pull.unbind(b)) };
    });
    expect(seen).toMatchObject({ resolved: { second: { threw: { code: "EBUSY" } }, first: { resolved: undefined }, again: { resolved: undefined } } });
  });

  it("a failing bind unblocks the socket when it rejects", async () => {
    await expectSame(async (zmq, run) => {
      const pull = run.track(new zmq.Pull({ linger: 0 }));
      const failed = settle(() => pull.bind("tcp://127.0.0.1"));
      const during = await settle(() => pull.connect("tcp://127.0.0.1:1"));
      return { during, failed: await failed, after: await settle(() => pull.connect("tcp://127.0.0.1:1")) };
    });
  });

  it("every call on a closed socket throws EBADF at the call", async () => {
    const seen = await expectSame(async (zmq) => {
      const dealer = new zmq.Dealer({ linger: 0 });
      await dealer.close();
      return {
        bind: await settle(() => dealer.bind("tcp://127.0.0.1:*")),
        unbind: await settle(() => dealer.unbind("tcp://127.0.0.1:1")),
        connect: await settle(() => dealer.connect("tcp://127.0.0.1:1")),
        disconnect: await settle(() => dealer.disconnect("tcp://127.0.0.1:1")),
        send: await settle(() => dealer.send("x")),
        receive: await settle(() => dealer.receive()),
      };
    });
    expect(seen).toMatchObject({ resolved: { send: { threw: { code: "EBADF" } }, bind: { threw: { code: "EBADF" } } } });
  });
});
