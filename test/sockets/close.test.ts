/**
 * Defaults and close() against zeromq: linger and blocky, pending operations during close,
 * a close during bind/unbind, what a closed socket answers, and the async iterator around a
 * close. Each scenario runs against both libraries (test/helpers/differential.ts) and pins
 * zeromq's outcome. What process lifetime follows from them is in process-lifetime.test.ts.
 */
import { describe, expect, it } from "vitest";
import * as zeromq from "zeromq";
import * as zeromqDraft from "zeromq/draft.js";
import * as wiremqDraft from "../../lib/draft.js";
import { expectSame, plain, settle, type Libs, type Zmq } from "../helpers/differential.js";
import * as net from "node:net";
import { Context, Pull, Push } from "../../lib/index.js";

const rejectedWith = (code: string, message: string) => ({ rejected: { class: "Error", name: "Error", code, message } });
const threw = (code: string, message: string) => ({ threw: { class: "Error", name: "Error", code, message } });
const EAGAIN = "Operation was not possible or timed out";
const EBADF = "Socket is closed";
const ENOTSOCK = "Socket operation on non-socket";

describe("defaults", () => {
  it("linger is -1 and the shared context blocky; a context with blocky false gives new sockets 0, an explicit linger wins", async () => {
    const seen = await expectSame((zmq: Zmq, run) => {
      const loose = new zmq.Context({ blocky: false });
      const later = new zmq.Context();
      const laterBlocky = later.blocky;
      later.blocky = false;
      const sockets = {
        push: run.track(new zmq.Push()),
        dealer: run.track(new zmq.Dealer()),
        sub: run.track(new zmq.Subscriber()),
        xsub: run.track(new zmq.XSubscriber()),
        loose: run.track(new zmq.Push({ context: loose })),
        looseExplicit: run.track(new zmq.Push({ context: loose, linger: 500 })),
        later: run.track(new zmq.Router({ context: later })),
        blockySub: run.track(new zmq.Subscriber({ context: new zmq.Context({ blocky: true }) })),
      };
      const lingers = Object.fromEntries(Object.entries(sockets).map(([name, s]) => [name, s.linger]));
      return { blocky: zmq.context.blocky, newContextBlocky: laterBlocky, looseBlocky: loose.blocky, lingers };
    });
    expect(seen).toEqual({
      resolved: {
        blocky: true,
        newContextBlocky: true,
        looseBlocky: false,
        lingers: { push: -1, dealer: -1, sub: 0, xsub: 0, loose: 0, looseExplicit: 500, later: 0, blockySub: 0 },
      },
    });
  });

  it("draft sockets: linger -1 but DISH 0, whatever the context", async () => {
    type Draft = typeof zeromqDraft;
    const libs: Libs<Draft> = { zeromq: zeromqDraft, wiremq: wiremqDraft as unknown as Draft };
    const seen = await expectSame((zmq: Draft, run) => {
      // zeromq/draft's namespace, loaded as ESM, does not show the Context it re-exports.
      const blocky = run.lib === "zeromq" ? new zeromq.Context({ blocky: true }) : new Context({ blocky: true });
      return {
        server: run.track(new zmq.Server()).linger,
        radio: run.track(new zmq.Radio()).linger,
        dish: run.track(new zmq.Dish()).linger,
        dishInBlockyContext: run.track(new zmq.Dish({ context: blocky as zeromq.Context })).linger,
      };
    }, libs);
    expect(seen).toEqual({ resolved: { server: -1, radio: -1, dish: 0, dishInBlockyContext: 0 } });
  });

  it("blocky false on the shared context gives sockets made afterwards linger 0, not those made before", async () => {
    const seen = await expectSame((zmq: Zmq, run) => {
      const before = run.track(new zmq.Pair());
      zmq.context.blocky = false;
      try {
        const after = run.track(new zmq.Pair());
        return { before: before.linger, after: after.linger };
      } finally {
        zmq.context.blocky = true;
      }
    });
    expect(seen).toEqual({ resolved: { before: -1, after: 0 } });
  });
});

describe("pending operations at close", () => {
  it("a pending receive rejects with EAGAIN, and the socket reads closed at once", async () => {
    const seen = await expectSame(async (zmq: Zmq, run) => {
      const pull = run.track(new zmq.Pull());
      await pull.bind("tcp://127.0.0.1:*");
      const receive = settle(() => pull.receive());
      pull.close();
      return { closed: pull.closed, receive: await receive };
    });
    expect(seen).toEqual({ resolved: { closed: true, receive: rejectedWith("EAGAIN", EAGAIN) } });
  });

  it("a pending receive on a REQ or REP out of turn rejects with EFSM, which ends an iteration as an error", async () => {
    const seen = await expectSame(async (zmq: Zmq) => {
      const req = new zmq.Request();
      const receive = settle(() => req.receive());
      req.close();
      const iterating = new zmq.Request();
      const iterated = settle(async () => {
        process.nextTick(() => iterating.close());
        for await (const message of iterating) void message;
      });
      const inTurn = new zmq.Reply();
      await inTurn.bind("tcp://127.0.0.1:*");
      const waiting = settle(() => inTurn.receive());
      inTurn.close();
      return { req: await receive, iterated: await iterated, inTurn: await waiting };
    });
    const EFSM = "Operation cannot be accomplished in current state";
    expect(seen).toEqual({ resolved: { req: rejectedWith("EFSM", EFSM), iterated: rejectedWith("EFSM", EFSM), inTurn: rejectedWith("EAGAIN", EAGAIN) } });
  });

  it("a pending send rejects with EAGAIN", async () => {
    const seen = await expectSame(async (zmq: Zmq, run) => {
      const push = run.track(new zmq.Push({ linger: 0 }));
      await push.bind("tcp://127.0.0.1:*");
      const send = settle(() => push.send("waiting"));
      push.close();
      return { send: await send };
    });
    expect(seen).toEqual({ resolved: { send: rejectedWith("EAGAIN", EAGAIN) } });
  });

  it("a close during bind waits for it: the bind succeeds, then the socket is closed", async () => {
    const seen = await expectSame(async (zmq: Zmq, run) => {
      const pull = run.track(new zmq.Pull());
      const bind = settle(() => pull.bind("tcp://127.0.0.1:*"));
      pull.close();
      const closedDuringBind = pull.closed;
      const outcome = await bind;
      return { closedDuringBind, bind: outcome, closedAfter: pull.closed, lastEndpoint: await settle(() => pull.lastEndpoint) };
    });
    expect(seen).toEqual({
      resolved: { closedDuringBind: false, bind: { resolved: undefined }, closedAfter: true, lastEndpoint: threw("ENOTSOCK", ENOTSOCK) },
    });
  });

  it("a close during a bind that fails: the bind rejects with its own error, then the socket is closed", async () => {
    const seen = await expectSame(async (zmq: Zmq, run) => {
      const holder = run.track(new zmq.Pull({ linger: 0 }));
      await holder.bind("tcp://127.0.0.1:*");
      const pull = run.track(new zmq.Pull());
      const bind = settle(() => pull.bind(holder.lastEndpoint!));
      pull.close();
      const outcome = await bind;
      return { bind: outcome, closed: pull.closed };
    });
    expect(seen).toEqual({ resolved: { bind: rejectedWith("EADDRINUSE", "Address already in use"), closed: true } });
  });

  it("a close during unbind waits for it: the unbind succeeds, then the socket is closed", async () => {
    const seen = await expectSame(async (zmq: Zmq, run) => {
      const pull = run.track(new zmq.Pull());
      await pull.bind("tcp://127.0.0.1:*");
      const unbind = settle(() => pull.unbind(pull.lastEndpoint!));
      pull.close();
      const closedDuringUnbind = pull.closed;
      return { closedDuringUnbind, unbind: await unbind, closedAfter: pull.closed };
    });
    expect(seen).toEqual({ resolved: { closedDuringUnbind: false, unbind: { resolved: undefined }, closedAfter: true } });
  });

  it("close after a failed bind and after a failed unbind closes the socket", async () => {
    const seen = await expectSame(async (zmq: Zmq, run) => {
      const holder = run.track(new zmq.Pull({ linger: 0 }));
      await holder.bind("tcp://127.0.0.1:*");
      const a = run.track(new zmq.Pull());
      const bind = await settle(() => a.bind(holder.lastEndpoint!));
      a.close();
      const b = run.track(new zmq.Pull());
      const unbind = await settle(() => b.unbind("tcp://127.0.0.1:1"));
      b.close();
      return { bind, unbind, closed: [a.closed, b.closed], bindAgain: await settle(() => a.bind("tcp://127.0.0.1:*")) };
    });
    expect(seen).toEqual({
      resolved: {
        bind: rejectedWith("EADDRINUSE", "Address already in use"),
        unbind: rejectedWith("ENOENT", "No such endpoint"),
        closed: [true, true],
        bindAgain: threw("EBADF", EBADF),
      },
    });
  });
});

describe("linger 0", () => {
  it("what was sent over an established connection before close() still arrives", async () => {
    const seen = await expectSame(async (zmq: Zmq, run) => {
      const pull = run.track(new zmq.Pull({ linger: 0, receiveTimeout: 2000 }));
      await pull.bind("tcp://127.0.0.1:*");
      const push = run.track(new zmq.Push({ linger: 0 }));
      push.connect(pull.lastEndpoint!);
      await push.send("hello");
      await pull.receive();
      for (const text of ["a", "b", "c"]) await push.send(text);
      push.close();
      const got: string[] = [];
      for (let i = 0; i < 3; i++) got.push(String((await pull.receive())[0]));
      return got;
    });
    expect(seen).toEqual({ resolved: ["a", "b", "c"] });
  });
});

describe("a closed socket", () => {
  it("throws EBADF at once from every call, and closes again quietly", async () => {
    const seen = await expectSame(async (zmq: Zmq) => {
      const dealer = new zmq.Dealer();
      dealer.close();
      return {
        send: await settle(() => dealer.send("x")),
        receive: await settle(() => dealer.receive()),
        bind: await settle(() => dealer.bind("tcp://127.0.0.1:*")),
        unbind: await settle(() => dealer.unbind("tcp://127.0.0.1:1")),
        connect: await settle(() => dealer.connect("tcp://127.0.0.1:1")),
        disconnect: await settle(() => dealer.disconnect("tcp://127.0.0.1:1")),
        closeAgain: await settle(() => dealer.close()),
      };
    });
    const ebadf = threw("EBADF", EBADF);
    expect(seen).toEqual({
      resolved: { send: ebadf, receive: ebadf, bind: ebadf, unbind: ebadf, connect: ebadf, disconnect: ebadf, closeAgain: { resolved: undefined } },
    });
  });

  it("drops its context, reads closed and neither readable nor writable, and its options and events throw ENOTSOCK", async () => {
    const seen = await expectSame(async (zmq: Zmq) => {
      const router = new zmq.Router({ context: new zmq.Context() });
      const sub = new zmq.Subscriber();
      router.close();
      sub.close();
      const read = (fn: () => unknown) => settle(fn);
      return {
        context: router.context === undefined,
        closed: router.closed,
        readable: router.readable,
        writable: router.writable,
        linger: await read(() => router.linger),
        setLinger: await read(() => {
          router.linger = 5;
        }),
        routingId: await read(() => router.routingId),
        mandatory: await read(() => router.mandatory),
        type: await read(() => router.type),
        events: await read(() => router.events),
        lastEndpoint: await read(() => router.lastEndpoint),
        securityMechanism: await read(() => router.securityMechanism),
        threadSafe: await read(() => router.threadSafe),
        sendHighWaterMark: await read(() => router.sendHighWaterMark),
        invertMatching: await read(() => sub.invertMatching),
      };
    });
    const enotsock = threw("ENOTSOCK", ENOTSOCK);
    expect(seen).toEqual({
      resolved: {
        context: true,
        closed: true,
        readable: false,
        writable: false,
        linger: enotsock,
        setLinger: enotsock,
        routingId: enotsock,
        mandatory: enotsock,
        type: enotsock,
        events: enotsock,
        lastEndpoint: enotsock,
        securityMechanism: enotsock,
        threadSafe: enotsock,
        sendHighWaterMark: enotsock,
        invertMatching: enotsock,
      },
    });
  });

  it("its observer, read while it closes, reports close and end, then ends", async () => {
    const seen = await expectSame(async (zmq: Zmq) => {
      const pull = new zmq.Pull();
      await pull.bind("tcp://127.0.0.1:*");
      const types: string[] = [];
      const reading = (async () => {
        for await (const event of pull.events) types.push(event.type);
      })();
      pull.close();
      await reading;
      return types;
    });
    expect(seen).toEqual({ resolved: ["close", "end"] });
  });
});

describe("the async iterator and close", () => {
  it("a close during a receive ends the iteration with what came before", async () => {
    const seen = await expectSame(async (zmq: Zmq, run) => {
      const pull = run.track(new zmq.Pull());
      await pull.bind("tcp://127.0.0.1:*");
      const push = run.track(new zmq.Push({ linger: 0 }));
      push.connect(pull.lastEndpoint!);
      await push.send("first");
      const got: unknown[] = [];
      const iterating = settle(async () => {
        for await (const msg of pull) {
          got.push(plain(msg));
          // The next receive blocks; close it from outside while it waits.
          setImmediate(() => pull.close());
        }
        return "ended";
      });
      return { iteration: await iterating, got };
    });
    expect(seen).toEqual({ resolved: { iteration: { resolved: "ended" }, got: [["hex:6669727374"]] } });
  });

  it("over a closed socket it is done at once, and next() stays done", async () => {
    const seen = await expectSame(async (zmq: Zmq) => {
      const pull = new zmq.Pull();
      pull.close();
      const iterator = pull[Symbol.asyncIterator]();
      return { first: await settle(() => iterator.next()), again: await settle(() => iterator.next()) };
    });
    expect(seen).toEqual({ resolved: { first: { resolved: { done: true } }, again: { resolved: { done: true } } } });
  });

  it("an error other than the close's EAGAIN is thrown, not taken for the end", async () => {
    const seen = await expectSame(async (zmq: Zmq) => {
      const pull = new zmq.Pull();
      await pull.bind("tcp://127.0.0.1:*");
      const pending = settle(() => pull.receive());
      const next = settle(() => pull[Symbol.asyncIterator]().next());
      pull.close();
      return { next: await next, pending: await pending };
    });
    expect(seen).toEqual({
      resolved: {
        next: rejectedWith("EBUSY", "Socket is busy reading; only one receive operation may be in progress at any time"),
        pending: rejectedWith("EAGAIN", EAGAIN),
      },
    });
  });
});

describe("wiremq's close() promise", () => {
  it("resolves while a message still waits for an absent peer (linger -1), which gets it when it comes", async () => {
    const port = await freePort();
    const push = new Push({ reconnectInterval: 20 });
    push.connect(`tcp://127.0.0.1:${port}`);
    await push.send("after close");
    const closing = push.close().then(() => "closed");
    const result = await Promise.race([closing, new Promise((r) => setTimeout(r, 2000, "still waiting")).then(String)]);
    expect(result).toBe("closed");
    const pull = new Pull({ linger: 0 });
    try {
      await pull.bind(`tcp://127.0.0.1:${port}`);
      expect((await pull.receive()).map(String)).toEqual(["after close"]);
    } finally {
      await pull.close();
    }
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
