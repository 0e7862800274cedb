import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wq from "../../lib/index.js";
import { tmpIpc } from "../helpers/endpoints.js";

zmq.context.blocky = false;

/**
 * Every request/reply pairing (REQ→REP, REQ→ROUTER, DEALER→REP, DEALER→ROUTER, DEALER↔DEALER,
 * ROUTER↔ROUTER) between wiremq and zeromq in both roles and between wiremq and itself, with
 * either the client or the server binding, over tcp, ipc (and inproc for wiremq alone).
 */

type Lib = "wiremq" | "zeromq";
type Kind = "req" | "rep" | "dealer" | "router";

/** The surface both libraries share. */
interface AnySocket {
  bind(address: string): Promise<void>;
  connect(address: string, options?: { routingId?: string }): void;
  send(msg: unknown): Promise<void>;
  receive(): Promise<Buffer[]>;
  close(): unknown;
  readonly lastEndpoint: string | null;
  mandatory?: boolean;
}

const open: AnySocket[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

function make(lib: Lib, kind: Kind, options: { routingId?: string } = {}): AnySocket {
  const classes = {
    wiremq: { req: wq.Request, rep: wq.Reply, dealer: wq.Dealer, router: wq.Router },
    zeromq: { req: zmq.Request, rep: zmq.Reply, dealer: zmq.Dealer, router: zmq.Router },
  } as const;
  const Ctor = classes[lib][kind] as unknown as new (o: object) => AnySocket;
  const s = new Ctor(options);
  open.push(s);
  return s;
}

const str = (msg: Buffer[]): string[] => msg.map((f) => f.toString());

/** A ROUTER can send to a peer only once its handshake is done: retry while EHOSTUNREACH. */
async function sendWhenRoutable(router: AnySocket, msg: string[]): Promise<void> {
  router.mandatory = true;
  for (let i = 0; ; i++) {
    try {
      await router.send(msg);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== "EHOSTUNREACH" || i > 1000) throw err;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

interface Scenario {
  name: string;
  client: Kind;
  server: Kind;
  /** Routing ids set as socket options (ROUTER↔ROUTER needs them). */
  clientId?: string;
  serverId?: string;
  exchange(client: AnySocket, server: AnySocket, clientBinds: boolean): Promise<void>;
}

const scenarios: Scenario[] = [
  {
    name: "REQ→REP",
    client: "req",
    server: "rep",
    async exchange(client, server) {
      for (let i = 0; i < 3; i++) {
        await client.send(["hello", `${i}`]);
        expect(str(await server.receive())).toEqual(["hello", `${i}`]);
        await server.send(`world ${i}`);
        expect(str(await client.receive())).toEqual([`world ${i}`]);
      }
    },
  },
  {
    name: "REQ→ROUTER",
    client: "req",
    server: "router",
    async exchange(client, server) {
      for (let i = 0; i < 3; i++) {
        await client.send(`hello ${i}`);
        const [id, delimiter, body, ...rest] = await server.receive();
        // The REQ has no routing id: the ROUTER generates one, 00 + a 32-bit counter.
        expect(id!.length).toBe(5);
        expect(id![0]).toBe(0);
        expect(delimiter!.length).toBe(0);
        expect(body!.toString()).toBe(`hello ${i}`);
        expect(rest).toEqual([]);
        await server.send([id!, "", `world ${i}`]);
        expect(str(await client.receive())).toEqual([`world ${i}`]);
      }
    },
  },
  {
    name: "DEALER→REP",
    client: "dealer",
    server: "rep",
    async exchange(client, server) {
      for (let i = 0; i < 3; i++) {
        await client.send(["", "hello", `${i}`]);
        expect(str(await server.receive())).toEqual(["hello", `${i}`]);
        await server.send(`world ${i}`);
        expect(str(await client.receive())).toEqual(["", `world ${i}`]);
      }
    },
  },
  {
    name: "DEALER→ROUTER",
    client: "dealer",
    server: "router",
    clientId: "dealer-1",
    async exchange(client, server) {
      for (let i = 0; i < 3; i++) {
        await client.send(["hello", `${i}`]);
        expect(str(await server.receive())).toEqual(["dealer-1", "hello", `${i}`]);
        await server.send(["dealer-1", `world ${i}`]);
        expect(str(await client.receive())).toEqual([`world ${i}`]);
      }
    },
  },
  {
    name: "DEALER↔DEALER",
    client: "dealer",
    server: "dealer",
    async exchange(client, server) {
      for (let i = 0; i < 3; i++) {
        await client.send(["ping", `${i}`]);
        expect(str(await server.receive())).toEqual(["ping", `${i}`]);
        await server.send(["pong", `${i}`]);
        expect(str(await client.receive())).toEqual(["pong", `${i}`]);
      }
    },
  },
  {
    name: "ROUTER↔ROUTER",
    client: "router",
    server: "router",
    clientId: "client",
    serverId: "server",
    async exchange(client, server, clientBinds) {
      // The connecting side names the binder by connect(address, { routingId: "alias" }); the
      // binding side knows the connector by the Identity it announces.
      const target = clientBinds ? "server" : "alias";
      await sendWhenRoutable(client, [target, "hello"]);
      expect(str(await server.receive())).toEqual([clientBinds ? "alias" : "client", "hello"]);
      await server.send([clientBinds ? "alias" : "client", "world"]);
      expect(str(await client.receive())).toEqual([target, "world"]);
    },
  },
];

const transports = {
  tcp: () => "tcp://127.0.0.1:*",
  ipc: () => tmpIpc(),
  inproc: () => `inproc://rr-${Math.random().toString(36).slice(2)}`,
};

const combos: Array<[client: Lib, server: Lib, transport: keyof typeof transports]> = [
  ["wiremq", "zeromq", "tcp"],
  ["zeromq", "wiremq", "tcp"],
  ["wiremq", "zeromq", "ipc"],
  ["zeromq", "wiremq", "ipc"],
  ["wiremq", "wiremq", "tcp"],
  ["wiremq", "wiremq", "ipc"],
  ["wiremq", "wiremq", "inproc"],
];

describe.each(scenarios)("$name", (sc) => {
  describe.each(combos)("%s client, %s server, over %s", (clientLib, serverLib, transport) => {
    it.each([
      ["server binds", false],
      ["client binds", true],
    ] as const)("%s", async (_label, clientBinds) => {
      const client = make(clientLib, sc.client, sc.clientId === undefined ? {} : { routingId: sc.clientId });
      const server = make(serverLib, sc.server, sc.serverId === undefined ? {} : { routingId: sc.serverId });
      const [binder, connector] = clientBinds ? [client, server] : [server, client];
      await binder.bind(transports[transport]());
      const bothRouters = sc.client === "router" && sc.server === "router";
      if (bothRouters) connector.connect(binder.lastEndpoint!, { routingId: "alias" });
      else connector.connect(binder.lastEndpoint!);
      await sc.exchange(client, server, clientBinds);
    });
  });
});
