/**
 * Context options as zeromq's: each value goes through zeromq's type check (TypeError), its
 * cast to a C int, and libzmq's range (EINVAL), whether given to the constructor or assigned;
 * unknown and read-only properties are refused; the object shows no own properties.
 */
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
