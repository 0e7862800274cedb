import { afterEach, describe, expect, it } from "vitest";
import { Client, Dish, Gather, Radio, Scatter, Server } from "../../lib/draft.js";
import { tracker, waitEvent } from "../helpers/sockets.js";
import { radioHasJoins, TRANSPORTS, type TransportName } from "../helpers/draft.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

/** Binds `binder` and connects `connector` to it; resolves when both ends are handshaken. */
async function link(binder: Server | Client | Radio | Dish | Gather | Scatter, connector: typeof binder, transport: TransportName): Promise<void> {
  const connected = waitEvent(connector, "handshake");
  await binder.bind(TRANSPORTS[transport]());
  connector.connect(binder.lastEndpoint!);
  await connected;
}

describe("draft socket types", () => {
  it("report libzmq's type numbers", () => {
    const types = [new Server(), new Client(), new Radio(), new Dish(), new Gather(), new Scatter()].map((s) => track(s).type);
    expect(types).toEqual([12, 13, 14, 15, 16, 17]);
  });

  it("DISH lingers 0, as libzmq sets it", () => {
    expect(track(new Dish()).linger).toBe(0);
    expect(track(new Dish({ linger: 50 })).linger).toBe(50);
  });
});

for (const transport of Object.keys(TRANSPORTS) as TransportName[]) {
  describe(`draft sockets over ${transport}`, () => {
    it("SERVER tells CLIENTs apart by routing id and answers each one", async () => {
      const server = track(new Server());
      const a = track(new Client());
      const b = track(new Client());
      await link(server, a, transport);
      const bUp = waitEvent(b, "handshake");
      b.connect(server.lastEndpoint!);
      await bUp;
      await a.send("from a");
      await b.send("from b");
      const got = new Map<string, number>();
      for (let i = 0; i < 2; i++) {
        const [msg, { routingId }] = await server.receive();
        expect(Number.isInteger(routingId) && routingId > 0 && routingId <= 0xffffffff).toBe(true);
        got.set(msg.toString(), routingId);
      }
      expect(got.get("from a")).not.toBe(got.get("from b"));
      await server.send("to b", { routingId: got.get("from b")! });
      await server.send("to a", { routingId: got.get("from a")! });
      expect((await a.receive()).map(String)).toEqual(["to a"]);
      expect((await b.receive()).map(String)).toEqual(["to b"]);
    });

    it("a CLIENT spreads its messages round-robin over SERVERs", async () => {
      const client = track(new Client());
      const s1 = track(new Server());
      const s2 = track(new Server());
      await s1.bind(TRANSPORTS[transport]());
      await s2.bind(TRANSPORTS[transport]());
      const up = waitEvent(client, "handshake", 2);
      client.connect(s1.lastEndpoint!);
      client.connect(s2.lastEndpoint!);
      await up;
      for (let i = 0; i < 4; i++) await client.send(`m${i}`);
      const at1 = [(await s1.receive())[0].toString(), (await s1.receive())[0].toString()];
      const at2 = [(await s2.receive())[0].toString(), (await s2.receive())[0].toString()];
      expect([...at1, ...at2].sort()).toEqual(["m0", "m1", "m2", "m3"]);
      expect(at1[0] === "m0" ? at1 : at2).toEqual(["m0", "m2"]);
    });

    it("DISH receives only the groups it joined, and none it left", async () => {
      const radio = track(new Radio());
      const dish = track(new Dish());
      dish.join("news", "sport");
      await link(radio, dish, transport);
      await radioHasJoins(radio, dish);
      await radio.send("n1", { group: "news" });
      await radio.send("w1", { group: "weather" });
      await radio.send("s1", { group: "sport" });
      const first = await dish.receive();
      const second = await dish.receive();
      expect([first, second].map(([m, { group }]) => `${group}:${m}`)).toEqual(["news:n1", "sport:s1"]);
      expect(Buffer.isBuffer(first[1].group)).toBe(true);

      dish.leave("news");
      dish.join("weather");
      await radioHasJoins(radio, dish);
      await radio.send("n2", { group: "news" });
      await radio.send("w2", { group: "weather" });
      await radio.send("s2", { group: "sport" });
      const after = [await dish.receive(), await dish.receive()];
      expect(after.map(([m, { group }]) => `${group}:${m}`)).toEqual(["weather:w2", "sport:s2"]);
    });

    it("RADIO reaches every DISH in a group, each once", async () => {
      const radio = track(new Radio());
      const d1 = track(new Dish());
      const d2 = track(new Dish());
      d1.join("g");
      d2.join("g", "other");
      await link(radio, d1, transport);
      d2.connect(radio.lastEndpoint!);
      await radioHasJoins(radio, d1);
      await radioHasJoins(radio, d2);
      await radio.send("to all", { group: "g" });
      await radio.send("to d2", { group: "other" });
      await radio.send("last", { group: "g" });
      expect((await d1.receive())[0].toString()).toBe("to all");
      expect((await d1.receive())[0].toString()).toBe("last");
      expect([(await d2.receive())[0], (await d2.receive())[0], (await d2.receive())[0]].map(String)).toEqual(["to all", "to d2", "last"]);
    });

    it("SCATTER alternates between GATHERs; a GATHER fair-queues SCATTERs", async () => {
      const scatter = track(new Scatter());
      const g1 = track(new Gather());
      const g2 = track(new Gather());
      await g1.bind(TRANSPORTS[transport]());
      await g2.bind(TRANSPORTS[transport]());
      const up = waitEvent(scatter, "handshake", 2);
      scatter.connect(g1.lastEndpoint!);
      scatter.connect(g2.lastEndpoint!);
      await up;
      for (let i = 0; i < 4; i++) await scatter.send(`m${i}`);
      const at1 = [(await g1.receive())[0].toString(), (await g1.receive())[0].toString()];
      const at2 = [(await g2.receive())[0].toString(), (await g2.receive())[0].toString()];
      expect([at1, at2].sort()).toEqual([["m0", "m2"], ["m1", "m3"]]);

      // A second SCATTER into g1: both senders' messages come out, each sender's in order.
      const other = track(new Scatter());
      const up2 = waitEvent(other, "handshake");
      other.connect(g1.lastEndpoint!);
      await up2;
      await other.send("o0");
      await scatter.send("m4");
      await scatter.send("m5");
      await other.send("o1");
      const got: string[] = [];
      for (let i = 0; i < 3; i++) got.push((await g1.receive())[0].toString());
      expect(got.filter((m) => m.startsWith("o"))).toEqual(["o0", "o1"]);
      expect(got.filter((m) => m.startsWith("m"))).toHaveLength(1);
    });

    it("draft sockets refuse to send a multipart message (EINVAL)", async () => {
      const server = track(new Server());
      const client = track(new Client());
      await link(server, client, transport);
      await expect(client.send(["a", "b"] as never)).rejects.toMatchObject({ code: "EINVAL" });
      await client.send("one");
      const [, { routingId }] = await server.receive();
      await expect(server.send(["a", "b"] as never, { routingId })).rejects.toMatchObject({ code: "EINVAL" });
      const radio = track(new Radio());
      await expect(radio.send(["a", "b"] as never, { group: "g" })).rejects.toMatchObject({ code: "EINVAL" });
    });

    it("SERVER fails at once to send to a routing id it does not know (EHOSTUNREACH)", async () => {
      const server = track(new Server());
      const client = track(new Client());
      await link(server, client, transport);
      await client.send("hello");
      const [, { routingId }] = await server.receive();
      await expect(server.send("x", { routingId: (routingId + 1) >>> 0 || 1 })).rejects.toMatchObject({ code: "EHOSTUNREACH" });
      // Over inproc the client's close ends the pipe itself; over tcp and ipc the server sees it go.
      const gone = transport === "inproc" ? null : waitEvent(server, "disconnect");
      await client.close();
      await gone;
      await expect(server.send("x", { routingId })).rejects.toMatchObject({ code: "EHOSTUNREACH" });
    });
  });
}

describe("draft sockets over tcp", () => {
  it("a DISH joins its groups again when it reconnects", async () => {
    const radio = track(new Radio());
    const dish = track(new Dish({ reconnectInterval: 20 }));
    dish.join("g");
    await radio.bind("tcp://127.0.0.1:*");
    const endpoint = radio.lastEndpoint!;
    dish.connect(endpoint);
    await radioHasJoins(radio, dish);
    const lost = waitEvent(dish, "disconnect");
    await radio.close();
    await lost;
    const again = track(new Radio());
    const back = waitEvent(dish, "handshake");
    await again.bind(endpoint);
    await back;
    await radioHasJoins(again, dish);
    await again.send("after reconnect", { group: "g" });
    expect((await dish.receive())[0].toString()).toBe("after reconnect");
  });
});
