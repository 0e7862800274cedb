/**
 * wiremq's draft sockets against zeromq's (libzmq 4.3.5 with drafts), each library on each
 * side of each pair, binding and connecting, over tcp and ipc.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmqDraft from "zeromq/draft.js";
import * as wireDraft from "../../lib/draft.js";
import { tracker } from "../helpers/sockets.js";
import { radioHasJoins, TRANSPORTS, type DishLike, type RadioLike } from "../helpers/draft.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

const LIBRARIES = { wiremq: wireDraft, zeromq: zmqDraft } as const;
type Library = keyof typeof LIBRARIES;

/** What the scenarios use of a socket of either library. */
interface Endpoint {
  bind(address: string): Promise<void>;
  connect(address: string): void;
  readonly lastEndpoint: string | null;
  close(): unknown;
}
interface ServerLike extends Endpoint {
  send(message: string, options: { routingId: number }): Promise<void>;
  receive(): Promise<[Buffer, { routingId: number }]>;
}
interface SenderLike extends Endpoint {
  send(message: string): Promise<void>;
}
interface ReceiverLike extends Endpoint {
  receive(): Promise<Buffer[]>;
}

type Make = (lib: Library, kind: string) => Endpoint;
const make: Make = (lib, kind) => {
  const Class = (LIBRARIES[lib] as unknown as Record<string, new () => Endpoint>)[kind]!;
  return track(new Class());
};

/** Binds one end (over `transport`) and connects the other to it. */
async function pair<A extends Endpoint, B extends Endpoint>(a: A, b: B, aBinds: boolean, transport: "tcp" | "ipc"): Promise<void> {
  const [binder, connector] = aBinds ? [a, b] : [b, a];
  await binder.bind(TRANSPORTS[transport]());
  connector.connect(binder.lastEndpoint!);
}

const other = (lib: Library): Library => (lib === "wiremq" ? "zeromq" : "wiremq");

for (const transport of ["tcp", "ipc"] as const) {
  for (const lib of ["wiremq", "zeromq"] as const) {
    for (const firstBinds of [true, false]) {
      const side = firstBinds ? "binds" : "connects";
      describe(`over ${transport}, ${lib}'s first socket ${side}`, () => {
        it(`${lib} SERVER ↔ ${other(lib)} CLIENT: requests carry a routing id the reply goes back by`, async () => {
          const server = make(lib, "Server") as ServerLike;
          const client = make(other(lib), "Client") as SenderLike & ReceiverLike;
          await pair(server, client, firstBinds, transport);
          await client.send("ping 1");
          await client.send("ping 2");
          const [m1, r1] = await server.receive();
          const [m2, r2] = await server.receive();
          expect([m1.toString(), m2.toString()]).toEqual(["ping 1", "ping 2"]);
          expect(typeof r1.routingId).toBe("number");
          expect(r2.routingId).toBe(r1.routingId);
          await server.send("pong", { routingId: r1.routingId });
          expect((await client.receive()).map(String)).toEqual(["pong"]);
        });

        it(`${lib} RADIO → ${other(lib)} DISH: only joined groups arrive, joins and leaves take effect`, async () => {
          const radio = make(lib, "Radio") as Endpoint & RadioLike;
          const dish = make(other(lib), "Dish") as Endpoint & DishLike;
          dish.join("a", "b", "g".repeat(255));
          await pair(radio, dish, firstBinds, transport);
          await radioHasJoins(radio, dish);
          const received = async (n: number): Promise<string[]> => {
            const out: string[] = [];
            for (let i = 0; i < n; i++) {
              const [msg, { group }] = await dish.receive();
              out.push(`${group.length > 9 ? `g×${group.length}` : group.toString()}:${msg}`);
            }
            return out;
          };
          await radio.send("1", { group: "a" });
          await radio.send("2", { group: "c" });
          await radio.send("3", { group: "b" });
          await radio.send("4", { group: "g".repeat(255) });
          expect(await received(3)).toEqual(["a:1", "b:3", "g×255:4"]);

          dish.leave("a");
          dish.join("c");
          await radioHasJoins(radio, dish);
          await radio.send("5", { group: "a" });
          await radio.send("6", { group: "c" });
          await radio.send("7", { group: "b" });
          expect(await received(2)).toEqual(["c:6", "b:7"]);
        });

        it(`${lib} SCATTER → ${other(lib)} GATHER: messages arrive in order`, async () => {
          const scatter = make(lib, "Scatter") as SenderLike;
          const gather = make(other(lib), "Gather") as ReceiverLike;
          await pair(scatter, gather, firstBinds, transport);
          for (let i = 0; i < 3; i++) await scatter.send(`m${i}`);
          const got = [];
          for (let i = 0; i < 3; i++) got.push((await gather.receive()).map(String));
          expect(got).toEqual([["m0"], ["m1"], ["m2"]]);
        });
      });
    }
  }
}
