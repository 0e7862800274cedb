/**
 * The argument checks of zeromq's constructors: `new Socket(type, options)` (the base class,
 * constructible with a libzmq type number), a socket type's `new Push(options)`,
 * `new Context(options)` and `new Proxy(frontEnd, backEnd)`: too few or too many arguments,
 * wrong types, an unknown type number, an invalid context; what zeromq refuses is refused
 * with its error class and text, and what it accepts makes a working object.
 */
import { describe, expect, it } from "vitest";
import { expectSame, type Zmq } from "../helpers/differential.js";

type Make = (zmq: Zmq) => unknown;
type AnySocket = InstanceType<Zmq["Pull"]> & InstanceType<Zmq["Push"]>;

/** zeromq's base Socket: constructible with a type number at run time, though its type declares the constructor protected. */
function SocketClass(zmq: Zmq): new (...args: unknown[]) => AnySocket {
  return zmq.Socket as unknown as new (...args: unknown[]) => AnySocket;
}

/** What a socket made shows a caller (a throw is compared by expectSame). */
function describeSocket(zmq: Zmq, make: Make): unknown {
  const socket = make(zmq) as AnySocket;
  try {
    return { isSocket: socket instanceof zmq.Socket, type: socket.type, sends: typeof socket.send, receives: typeof socket.receive };
  } finally {
    socket.close();
  }
}

const SOCKETS: Record<string, Make> = {
  "new Socket()": (zmq) => new (SocketClass(zmq))(),
  "new Socket('8')": (zmq) => new (SocketClass(zmq))("8"),
  "new Socket(8)": (zmq) => new (SocketClass(zmq))(8),
  "new Socket(8, undefined)": (zmq) => new (SocketClass(zmq))(8, undefined),
  "new Socket(8, {})": (zmq) => new (SocketClass(zmq))(8, {}),
  "new Socket(7, { linger: 0 })": (zmq) => new (SocketClass(zmq))(7, { linger: 0 }),
  "new Socket(8.7)": (zmq) => new (SocketClass(zmq))(8.7),
  "new Socket(2 ** 32 + 8)": (zmq) => new (SocketClass(zmq))(2 ** 32 + 8),
  "new Socket(NaN)": (zmq) => new (SocketClass(zmq))(NaN),
  "new Socket(-1)": (zmq) => new (SocketClass(zmq))(-1),
  "new Socket(99)": (zmq) => new (SocketClass(zmq))(99),
  "new Socket(21)": (zmq) => new (SocketClass(zmq))(21),
  "new Socket(8, 1)": (zmq) => new (SocketClass(zmq))(8, 1),
  "new Socket(8, null)": (zmq) => new (SocketClass(zmq))(8, null),
  "new Socket(8, {}, 1)": (zmq) => new (SocketClass(zmq))(8, {}, 1),
  "new Socket('x', {}, 1)": (zmq) => new (SocketClass(zmq))("x", {}, 1),
  "new Socket(8, { context: {} })": (zmq) => new (SocketClass(zmq))(8, { context: {} }),
  "new Socket(8, { context: undefined })": (zmq) => new (SocketClass(zmq))(8, { context: undefined }),
  "new Socket(8, { context: new Context() })": (zmq) => new (SocketClass(zmq))(8, { context: new zmq.Context() }),
  "new Push(1)": (zmq) => new zmq.Push(1 as never),
  "new Push(null)": (zmq) => new zmq.Push(null as never),
  "new Push('x')": (zmq) => new zmq.Push("x" as never),
  "new Push([])": (zmq) => new zmq.Push([] as never),
  "new Push({}, 1)": (zmq) => new (zmq.Push as never as new (...args: unknown[]) => unknown)({}, 1),
  "new Router({ context: 1 })": (zmq) => new zmq.Router({ context: 1 as never }),
  "new Dealer({ context: null })": (zmq) => new zmq.Dealer({ context: null as never }),
};

describe("socket construction (differential)", () => {
  for (const [name, make] of Object.entries(SOCKETS)) {
    it(`${name} as zeromq`, async () => {
      await expectSame((zmq) => describeSocket(zmq, make));
    });
  }

  it("a socket made by type number works as one of that type", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const pull = run.track(new (SocketClass(zmq))(7, { linger: 0 }));
      const push = run.track(new (SocketClass(zmq))(8, { linger: 0 }));
      await pull.bind("tcp://127.0.0.1:*");
      push.connect(pull.lastEndpoint!);
      await push.send("by number");
      return (await pull.receive()).map(String);
    });
    expect(seen).toEqual({ resolved: ["by number"] });
  });
});

const CONTEXTS: Record<string, (zmq: Zmq) => unknown> = {
  "new Context()": (zmq) => new zmq.Context(),
  "new Context(undefined)": (zmq) => new zmq.Context(undefined),
  "new Context({})": (zmq) => new zmq.Context({}),
  "new Context(1)": (zmq) => new zmq.Context(1 as never),
  "new Context(null)": (zmq) => new zmq.Context(null as never),
  "new Context('x')": (zmq) => new zmq.Context("x" as never),
  "new Context({}, 1)": (zmq) => new (zmq.Context as never as new (...args: unknown[]) => unknown)({}, 1),
  "new Context(1, 2)": (zmq) => new (zmq.Context as never as new (...args: unknown[]) => unknown)(1, 2),
  "new Context({ foo: 1 })": (zmq) => new zmq.Context({ foo: 1 } as never),
};

describe("context construction (differential)", () => {
  for (const [name, make] of Object.entries(CONTEXTS)) {
    it(`${name} as zeromq`, async () => {
      await expectSame((zmq) => make(zmq) instanceof zmq.Context);
    });
  }
});

type ProxyArgs = (zmq: Zmq, front: unknown, back: unknown) => unknown[];
const PROXIES: Record<string, ProxyArgs> = {
  "no arguments": () => [],
  "a front-end only": (_zmq, front) => [front],
  "a number for the back-end": (_zmq, front) => [front, 1],
  "a number for the front-end": (_zmq, _front, back) => [1, back],
  "plain objects": () => [{}, {}],
  "a plain object for the back-end": (_zmq, front) => [front, {}],
  "three arguments": (_zmq, front, back) => [front, back, 1],
  "two sockets": (_zmq, front, back) => [front, back],
};

describe("proxy construction (differential)", () => {
  for (const [name, args] of Object.entries(PROXIES)) {
    it(`new Proxy with ${name} as zeromq`, async () => {
      await expectSame((zmq, run) => {
        const front = run.track(new zmq.Router({ linger: 0 }));
        const back = run.track(new zmq.Dealer({ linger: 0 }));
        const ProxyClass = zmq.Proxy as never as new (...a: unknown[]) => InstanceType<Zmq["Proxy"]>;
        const proxy = new ProxyClass(...args(zmq, front, back));
        return { frontEnd: proxy.frontEnd === front, backEnd: proxy.backEnd === back };
      });
    });
  }
});

/** zeromq's Socket, Context and Proxy are native classes, its socket types JavaScript ones: each words a call without `new` its own way. */
const CALLED_WITHOUT_NEW: Record<string, (zmq: Zmq) => unknown> = {
  "Socket(8)": (zmq) => (zmq.Socket as unknown as (...a: unknown[]) => unknown)(8),
  "Context()": (zmq) => (zmq.Context as unknown as () => unknown)(),
  "Proxy()": (zmq) => (zmq.Proxy as unknown as () => unknown)(),
  "Push()": (zmq) => (zmq.Push as unknown as () => unknown)(),
};

describe("a class called without new (differential)", () => {
  for (const [name, call] of Object.entries(CALLED_WITHOUT_NEW)) {
    it(`${name} throws as zeromq's does`, async () => {
      const seen = await expectSame((zmq) => call(zmq));
      expect(seen).toMatchObject({ threw: { name: "TypeError" } });
    });
  }

  it("new, instanceof and a subclass's super() still reach the classes behind the entry", async () => {
    await expectSame((zmq, run) => {
      const byNumber = run.track(new (SocketClass(zmq))(8));
      const push = run.track(new zmq.Push());
      const context = new zmq.Context();
      // A method, not a field: zeromq's sockets refuse new own properties even in a subclass.
      class Tagged extends zmq.Push {
        get tag(): string {
          return "tagged";
        }
      }
      const tagged = run.track(new Tagged());
      return {
        byNumber: [byNumber.type, byNumber instanceof zmq.Socket],
        push: push instanceof zmq.Socket,
        context: context instanceof zmq.Context,
        tagged: [tagged.tag, tagged.type, tagged instanceof zmq.Socket],
        names: [zmq.Socket.name, zmq.Context.name, zmq.Proxy.name],
      };
    });
  });
});
