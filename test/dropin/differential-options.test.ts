/**
 * Options against zeromq: the get/set<Type>Option methods by libzmq number on sockets and
 * contexts (values, conversions between the C types, argument checks), string options set to
 * null or undefined, TypeErrors for read-only properties, "Invalid argument" for values libzmq
 * refuses, and the process warnings zeromq emits (an option set after bind or connect, a
 * uint64 past 2^53 - 1).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectSame, settle, type Zmq } from "../helpers/differential.js";

/** zeromq's Socket and Context have these methods; its typings do not declare them all. */
type ByNumber = Record<string, (...args: unknown[]) => unknown>;
const byNumber = (target: object): ByNumber => target as unknown as ByNumber;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("socket options by libzmq number, as zeromq's", () => {
  it("reads the options a Dealer starts with, each with its type's method", async () => {
    await expectSame(async (zmq, run) => {
      const s = byNumber(run.track(new zmq.Dealer({ linger: 0 })));
      const reads: Array<[string, number]> = [
        ["Uint64", 4], ["String", 5], ["Int32", 8], ["Int32", 9], ["Int32", 16], ["Int32", 17], ["Int32", 18],
        ["Int32", 21], ["Int64", 22], ["Int32", 23], ["Int32", 24], ["Int32", 27], ["Int32", 28], ["String", 32],
        ["Bool", 39], ["Bool", 42], ["Int32", 43], ["Bool", 44], ["String", 45], ["String", 55], ["Int32", 66],
        ["Int32", 75], ["Int32", 76], ["Int32", 77], ["Bool", 81], ["Bool", 93],
        // a width other than the option's, an option that cannot be read, one libzmq does not know
        ["Int32", 22], ["Int64", 17], ["String", 17], ["Bool", 17], ["Int32", 51], ["Int32", 9999],
      ];
      return Promise.all(reads.map(([type, id]) => settle(() => s[`get${type}Option`]!(id)).then((o) => [type, id, o])));
    });
  });

  it("writes through the methods, with the C casts, and reads back through the properties", async () => {
    const outcome = await expectSame(async (zmq, run) => {
      const socket = run.track(new zmq.Router({ linger: 0 }));
      const s = byNumber(socket);
      const steps = [
        await settle(() => s.setInt32Option!(17, 5)), socket.linger,
        await settle(() => s.setInt32Option!(17, 7.9)), socket.linger,
        await settle(() => s.setBoolOption!(17, true)), socket.linger,
        await settle(() => s.setInt32Option!(17, -5)), socket.linger,
        await settle(() => s.setBoolOption!(39, true)), socket.immediate,
        await settle(() => s.setStringOption!(5, "abc")), socket.routingId,
        await settle(() => s.setStringOption!(5, Buffer.from("xy"))), s.getStringOption!(5),
        await settle(() => s.setInt64Option!(22, 1024)), socket.maxMessageSize,
        await settle(() => s.setUint64Option!(4, 3)), socket.affinity,
        await settle(() => s.setUint64Option!(4, -3)), socket.affinity,
        await settle(() => s.setBoolOption!(33, true)),
        await settle(() => s.setStringOption!(45, "user")), socket.plainUsername, socket.securityMechanism,
        await settle(() => s.setInt32Option!(16, 1)),
        await settle(() => s.setStringOption!(32, "tcp://x:1")),
        await settle(() => s.setInt32Option!(9999, 1)),
      ];
      return steps;
    });
    expect(outcome).toHaveProperty("resolved.1", 5);
  });

  it("checks its arguments with zeromq's TypeErrors", async () => {
    await expectSame(async (zmq, run) => {
      const s = byNumber(run.track(new zmq.Dealer({ linger: 0 })));
      return [
        await settle(() => s.getInt32Option!()),
        await settle(() => s.getInt32Option!("17")),
        await settle(() => s.getInt32Option!(17, 1)),
        await settle(() => s.setInt32Option!(17)),
        await settle(() => s.setInt32Option!(17, "5")),
        await settle(() => s.setInt32Option!(17, 1, 2)),
        await settle(() => s.setBoolOption!(39, 1)),
        await settle(() => s.setStringOption!(5, 12)),
        await settle(() => s.setStringOption!(5, undefined)),
        await settle(() => s.setUint32Option!(57, -1)),
      ];
    });
  });
});

describe("string options set to null or undefined, as zeromq", () => {
  it.each([
    ["routingId", (zmq: Zmq) => new zmq.Router({ linger: 0 })],
    ["zapDomain", (zmq: Zmq) => new zmq.Dealer({ linger: 0 })],
    ["plainUsername", (zmq: Zmq) => new zmq.Dealer({ linger: 0 })],
    ["plainPassword", (zmq: Zmq) => new zmq.Dealer({ linger: 0 })],
    ["curvePublicKey", (zmq: Zmq) => new zmq.Dealer({ linger: 0 })],
  ] as const)("%s", async (name, make) => {
    await expectSame(async (zmq, run) => {
      const socket = run.track(make(zmq)) as unknown as Record<string, unknown>;
      const assign = (value: unknown) => settle(() => {
        socket[name] = value;
        return socket[name];
      });
      return { null: await assign(null), undefined: await assign(undefined), empty: await assign(""), number: await assign(5) };
    });
  });
});

describe("property errors, as zeromq's", () => {
  it("a read-only property throws a TypeError naming it; a value libzmq refuses is EINVAL 'Invalid argument'", async () => {
    await expectSame(async (zmq, run) => {
      const socket = run.track(new zmq.Dealer({ linger: 0 })) as unknown as Record<string, unknown>;
      const assign = (name: string, value: unknown) => settle(() => {
        socket[name] = value;
      });
      return [
        await assign("type", 1), await assign("lastEndpoint", "x"), await assign("securityMechanism", "plain"),
        await assign("threadSafe", true), await assign("closed", true), await assign("events", null),
        await assign("linger", -5), await assign("sendHighWaterMark", -1), await assign("linger", "5"),
        await assign("immediate", 1), await assign("routingId", ""), await assign("plainUsername", "x".repeat(256)),
        await assign("curveServerKey", "not a key"),
      ];
    });
  });

  it("int options take the integer part, as zeromq's int32 cast", async () => {
    await expectSame(async (zmq, run) => {
      const socket = run.track(new zmq.Dealer({ linger: 0 }));
      socket.linger = 1.5;
      socket.reconnectInterval = 99.99;
      return [socket.linger, socket.reconnectInterval];
    });
  });
});

describe("process warnings, as zeromq emits them", () => {
  it("an option set after bind warns unless it applies at once; a uint64 past 2^53 - 1 warns", async () => {
    const outcome = await expectSame(async (zmq, run) => {
      const warnings: unknown[][] = [];
      const spy = vi.spyOn(process, "emitWarning").mockImplementation((...args: unknown[]) => {
        warnings.push(args);
      });
      try {
        const socket = run.track(new zmq.Router({ linger: 0 }));
        const s = byNumber(socket);
        const before = (step: string): void => void warnings.push([`-- ${step}`]);
        socket.affinity = 2 ** 60;
        // A mask naming I/O threads libzmq does not have would fail bind (EMTHREAD).
        socket.affinity = 0;
        before("bind");
        await socket.bind("tcp://127.0.0.1:*");
        for (const [name, value] of [
          ["linger", 5], ["sendHighWaterMark", 5], ["receiveHighWaterMark", 5], ["sendTimeout", 5], ["receiveTimeout", 5],
          ["mandatory", true], ["handover", true], ["probeRouter", true],
          ["immediate", true], ["routingId", "abc"], ["affinity", 3], ["maxMessageSize", 3], ["reconnectInterval", 50],
          ["zapDomain", "d"], ["heartbeatInterval", 10],
        ] as const) {
          before(name);
          (socket as unknown as Record<string, unknown>)[name] = value;
        }
        before("setInt32Option(18)");
        s.setInt32Option!(18, 60);
        before("setUint64Option(4, 2 ** 60)");
        s.setUint64Option!(4, 2 ** 60);
        before("unbind");
        await socket.unbind(socket.lastEndpoint!);
        socket.reconnectInterval = 70;
      } finally {
        spy.mockRestore();
      }
      return warnings;
    });
    expect(JSON.stringify(outcome)).toContain("Socket option will not take effect until next connect/bind.");
  });
});

describe("process warnings during a bind", () => {
  it("an option set while a bind is in progress warns, as after it", async () => {
    const outcome = await expectSame(async (zmq, run) => {
      const warnings: unknown[][] = [];
      const spy = vi.spyOn(process, "emitWarning").mockImplementation((...args: unknown[]) => {
        warnings.push(args);
      });
      try {
        const socket = run.track(new zmq.Dealer({ linger: 0 }));
        const binding = socket.bind("tcp://127.0.0.1:*");
        socket.routingId = "asdf";
        await binding;
      } finally {
        spy.mockRestore();
      }
      return warnings;
    });
    expect(JSON.stringify(outcome)).toContain("Socket option will not take effect until next connect/bind.");
  });
});

describe("context options by number and context properties, as zeromq's", () => {
  it("reads, writes and refuses as zeromq's Context", async () => {
    await expectSame(async (zmq) => {
      const ctx = new zmq.Context({ ioThreads: 2 });
      const c = byNumber(ctx);
      const record = ctx as unknown as Record<string, unknown>;
      return [
        await settle(() => c.getInt32Option!(1)),
        await settle(() => c.getInt32Option!(2)),
        await settle(() => c.getInt32Option!(3)),
        await settle(() => c.getBoolOption!(42)),
        await settle(() => c.setInt32Option!(2, 100)), ctx.maxSockets,
        await settle(() => c.setBoolOption!(42, true)), ctx.ipv6,
        await settle(() => c.setInt32Option!(9999, 1)),
        await settle(() => c.getInt32Option!(9999)),
        await settle(() => c.setInt32Option!(1, "2")),
        await settle(() => c.getInt32Option!()),
        await settle(() => { record.maxSocketsLimit = 1; }),
        await settle(() => { record.unknownOption = 1; }),
        await settle(() => new zmq.Context({ maxSocketsLimit: 1 } as never)),
        await settle(() => new zmq.Context({ unknownOption: 1 } as never)),
        typeof c.getStringOption,
      ];
    });
  });
});
