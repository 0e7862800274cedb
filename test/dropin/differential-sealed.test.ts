/**
 * zeromq's sockets are sealed and show no state: a misspelt option assigned throws zeromq's
 * TypeError instead of passing silently, and `JSON.stringify` gives `{}`. Checked for every
 * socket type of the main entry and of the draft entry, as the library constructs them.
 */
import { describe, expect, it } from "vitest";
import * as zeromqDraft from "zeromq/draft.js";
import * as wiremqDraft from "../../lib/draft.js";
import { expectSame, settle, type Libs, type Zmq } from "../helpers/differential.js";

type Draft = typeof zeromqDraft;
type Make = new (options?: object) => { close(): void };

const MAIN = ["Pair", "Publisher", "Subscriber", "Request", "Reply", "Dealer", "Router", "Pull", "Push", "XPublisher", "XSubscriber", "Stream"] as const;
const DRAFT = ["Server", "Client", "Radio", "Dish", "Gather", "Scatter", "Datagram"] as const;

/**
 * What a caller sees of a fresh socket: its JSON and whether a new property can be added.
 * (Its own keys differ: zeromq's state is native, wiremq's lives in the object's fields.)
 */
async function shape(make: Make): Promise<unknown> {
  const socket = make.prototype === undefined ? undefined : new make({ linger: 0 });
  const record = socket as unknown as Record<string, unknown>;
  try {
    return {
      json: JSON.stringify(socket),
      extensible: Object.isExtensible(record),
      assignUnknown: await settle(() => {
        record.doesNotExist = 1;
      }),
      defineUnknown: await settle(() => Object.defineProperty(record, "alsoNot", { value: 1 })),
      // A known option is still assignable.
      assignKnown: await settle(() => {
        record.linger = 5;
        return record.linger;
      }),
    };
  } finally {
    socket?.close();
  }
}

describe("sockets are sealed (differential)", () => {
  for (const name of MAIN) {
    it(`${name}: an unknown property is refused, JSON is {}`, async () => {
      const seen = await expectSame((zmq: Zmq) => shape(zmq[name] as unknown as Make));
      expect(seen).toMatchObject({ resolved: { json: "{}", assignUnknown: { threw: { class: "TypeError" } } } });
    });
  }

  for (const name of DRAFT) {
    it(`draft ${name}: an unknown property is refused, JSON is {}`, async () => {
      const libs: Libs<Draft> = { zeromq: zeromqDraft, wiremq: wiremqDraft as unknown as Draft };
      const seen = await expectSame((draft: Draft) => shape(draft[name] as unknown as Make), libs);
      expect(seen).toMatchObject({ resolved: { json: "{}", assignUnknown: { threw: { class: "TypeError" } } } });
    });
  }

  it("a socket made by type number is sealed too", async () => {
    await expectSame((zmq: Zmq) => shape(function (this: unknown, options?: object) {
      return new (zmq.Socket as unknown as new (type: number, options?: object) => object)(5, options);
    } as unknown as Make));
  });

  it("the options object given to the constructor may not name an unknown property", async () => {
    await expectSame((zmq: Zmq) => new zmq.Dealer({ linger: 0, doesNotExist: 1 } as never));
  });
});
