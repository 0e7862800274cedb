/**
 * Context options as zeromq's: each value goes through zeromq's type check (TypeError), its
 * cast to a C int, and libzmq's range (EINVAL), whether given to the constructor or assigned;
 * unknown and read-only properties are refused; the object shows no own properties.
 */
import { once } from "node:events";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { expectSame, settle, type Zmq } from "../helpers/differential.js";

const NUMBER_OPTIONS = ["ioThreads", "maxSockets", "maxMessageSize", "threadPriority", "threadSchedulingPolicy"] as const;
const NUMBERS: unknown[] = [2, 1.5, 0, -1, 2 ** 31, 2 ** 32 + 1, 1e20, NaN, Infinity, "3", "hello", true, null, undefined, {}];
const BOOL_OPTIONS = ["blocky", "ipv6"] as const;
const BOOLS: unknown[] = [true, false, 1, "x", null, undefined];

type AnyContext = Record<string, unknown>;
function make(zmq: Zmq, options?: unknown): AnyContext {
  return new zmq.Context(options as never) as unknown as AnyContext;
}

describe("context options (differential)", () => {
  for (const key of [...NUMBER_OPTIONS, ...BOOL_OPTIONS]) {
    const values = (NUMBER_OPTIONS as readonly string[]).includes(key) ? NUMBERS : BOOLS;
    it(`${key}: given to the constructor and assigned, as zeromq`, async () => {
      const seen = await expectSame(async (zmq) => {
        const rows: unknown[] = [];
        for (const value of values) {
          const built = await settle(() => make(zmq, { [key]: value })[key]);
          const assigned = await settle(() => {
            const context = make(zmq);
            context[key] = value;
            return context[key];
          });
          rows.push({ value: String(value), built, assigned });
        }
        return rows;
      });
      expect(JSON.stringify(seen)).toContain("TypeError");
    });
  }

  it("{ ioThreads: 'hello' } throws zeromq's TypeError", async () => {
    const seen = await expectSame((zmq) => make(zmq, { ioThreads: "hello" }));
    expect(seen).toMatchObject({ threw: { class: "TypeError", message: "Option value must be a number" } });
  });

  it("an unknown or read-only property is refused, in the constructor and by assignment", async () => {
    await expectSame(async (zmq) => ({
      unknown: await settle(() => make(zmq, { foo: 1 })),
      unknownFirst: await settle(() => make(zmq, { foo: 1, ioThreads: "x" })),
      badFirst: await settle(() => make(zmq, { ioThreads: "x", foo: 1 })),
      readOnly: await settle(() => make(zmq, { maxSocketsLimit: 1 })),
      assignUnknown: await settle(() => {
        make(zmq).foo = 1;
      }),
      assignReadOnly: await settle(() => {
        make(zmq).maxSocketsLimit = 1;
      }),
    }));
  });

  it("shows no own properties and is sealed", async () => {
    const seen = await expectSame((zmq) => {
      const context = make(zmq, { ioThreads: 2, blocky: false });
      return {
        json: JSON.stringify(context),
        keys: Object.keys(context),
        sealed: Object.isSealed(context),
        extensible: Object.isExtensible(context),
        read: [context.ioThreads, context.blocky, context.maxSocketsLimit, context.threadPriority],
      };
    });
    expect(seen).toMatchObject({ resolved: { json: "{}" } });
  });
});

describe("the default context across worker threads (differential)", () => {
  const entries = [
    ["zeromq", createRequire(import.meta.url).resolve("zeromq")],
    ["wiremq", fileURLToPath(new URL("../../dist/cjs/lib/index.js", import.meta.url))],
  ] as const;
  it.each(entries)("%s: an option set in one thread is what the others read; a new Context is not shared", async (_name, entry) => {
    const zmq = createRequire(import.meta.url)(entry) as { context: { ioThreads: number; blocky: boolean }; Context: new () => { ioThreads: number } };
    const own = new zmq.Context();
    zmq.context.ioThreads = 3;
    own.ioThreads = 4;
    try {
      const worker = new Worker(
        `const zmq = require(${JSON.stringify(entry)});
         const { parentPort } = require("node:worker_threads");
         const seen = { ioThreads: zmq.context.ioThreads, fresh: new zmq.Context().ioThreads };
         zmq.context.ioThreads = 2;
         parentPort.postMessage(seen);`,
        { eval: true },
      );
      const [seen] = (await once(worker, "message")) as [{ ioThreads: number; fresh: number }];
      await once(worker, "exit");
      expect(seen).toEqual({ ioThreads: 3, fresh: 1 });
      expect(zmq.context.ioThreads).toBe(2);
      expect(own.ioThreads).toBe(4);
    } finally {
      zmq.context.ioThreads = 1;
    }
  });
});
