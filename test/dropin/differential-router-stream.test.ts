/**
 * ROUTER connect(address, { routingId }) and STREAM with raw TCP peers, against zeromq: a
 * peer given its id is routable at once (before its connection is up), both ways between the
 * libraries; STREAM as an HTTP server and client, its connect and disconnect notifications
 * (empty frames), an empty frame sent to close a connection, and its routing ids.
 */
import * as net from "node:net";
import { createServer, get, type Server } from "node:http";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import * as zeromq from "zeromq";
import * as wiremq from "../../lib/index.js";
import { expectSame, type Zmq } from "../helpers/differential.js";

/** A frame as compared: its text, and a routing id by what it is (length, leading byte), not its value. */
function idShape(id: Buffer): string {
  return `${id.length} bytes${id[0] === 0 ? ", 00 first" : ""}`;
}

async function listening(server: net.Server | Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as net.AddressInfo).port;
}

describe("ROUTER connect with a routing id, as zeromq", () => {
  it("routes to the peer at once, before its connection is up, and gets the reply", async () => {
    await expectSame(async (zmq, run) => {
      const server = run.track(new zmq.Router({ linger: 0, routingId: "server" }));
      const client = run.track(new zmq.Router({ linger: 0, routingId: "client" }));
      await server.bind("tcp://127.0.0.1:*");
      client.connect(server.lastEndpoint!, { routingId: "srv" });
      await client.send(["srv", "hello"]);
      const [from, body] = await server.receive();
      await server.send([from!, "back"]);
      const [replier, reply] = await client.receive();
      return [String(from), String(body), String(replier), String(reply)];
    });
  });

  it("inproc: a ROUTER (mandatory) routes to a named peer before the name is bound, which then gets it", async () => {
    await expectSame(async (zmq, run) => {
      const name = `inproc://router-named-${Math.random().toString(16).slice(2)}`;
      const client = run.track(new zmq.Router({ linger: 0, routingId: "client", mandatory: true }));
      client.connect(name, { routingId: "srv" });
      await client.send(["srv", "early"]);
      const server = run.track(new zmq.Router({ linger: 0, routingId: "server" }));
      await server.bind(name);
      const [from, body] = await server.receive();
      await server.send([from!, "back"]);
      const [replier, reply] = await client.receive();
      return [String(from), String(body), String(replier), String(reply)];
    });
  });

  it.each([
    ["a wiremq ROUTER connecting to a zeromq ROUTER", wiremq as unknown as Zmq, zeromq],
    ["a zeromq ROUTER connecting to a wiremq ROUTER", zeromq, wiremq as unknown as Zmq],
  ])("%s", async (_title, dialing, bound) => {
    const server = new bound.Router({ linger: 0, routingId: "server" });
    const client = new dialing.Router({ linger: 0, routingId: "client" });
    try {
      await server.bind("tcp://127.0.0.1:*");
      client.connect(server.lastEndpoint!, { routingId: "srv" });
      await client.send(["srv", "hello"]);
      const [from, body] = await server.receive();
      expect([String(from), String(body)]).toEqual(["client", "hello"]);
      await server.send([from!, "back"]);
      const [replier, reply] = await client.receive();
      expect([String(replier), String(reply)]).toEqual(["srv", "back"]);
    } finally {
      client.close();
      server.close();
    }
  });
});

describe("STREAM with raw TCP peers, as zeromq", () => {
  it("serves an HTTP request from node:http", async () => {
    const outcome = await expectSame(async (zmq) => {
      const stream = new zmq.Stream();
      await stream.bind("tcp://127.0.0.1:*");
      const frames: string[] = [];
      const serve = (async () => {
        for await (const [id, data] of stream) {
          frames.push(`${idShape(id!)}: ${data!.length === 0 ? "(empty)" : String(data).split("\r\n")[0]}`);
          if (data!.length === 0) continue;
          await stream.send([id!, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nHello world!"]);
          stream.close();
        }
      })();
      const body = await new Promise<string>((resolve, reject) => {
        get(`${stream.lastEndpoint!.replace("tcp:", "http:")}/foo`, (res) => {
          let text = "";
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () => resolve(text));
        }).on("error", reject);
      });
      await serve;
      return { body, frames };
    });
    expect(outcome).toHaveProperty("resolved.body", "Hello world!");
  });

  it("sends an HTTP request to node:http as a client known by the routing id it chose", async () => {
    const outcome = await expectSame(async (zmq) => {
      const http = createServer((_req, res) => {
        res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": 12 });
        res.end("Hello world!");
      });
      const port = await listening(http);
      const stream = new zmq.Stream();
      try {
        stream.connect(`tcp://127.0.0.1:${port}`, { routingId: "abcdef1234567890" });
        await stream.send(["abcdef1234567890", `GET /foo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`]);
        const frames: string[] = [];
        let body = "";
        for await (const [id, data] of stream) {
          frames.push(`${String(id)}: ${data!.length === 0 ? "(empty)" : "data"}`);
          if (data!.length > 0) {
            body = String(data).split("\r\n\r\n").pop()!;
            break;
          }
        }
        return { body, frames };
      } finally {
        stream.close();
        http.close();
        http.closeAllConnections();
      }
    });
    expect(outcome).toHaveProperty("resolved.body", "Hello world!");
  });

  it("announces a raw client's connection, its data and its leaving with empty frames", async () => {
    await expectSame(async (zmq, run) => {
      const stream = run.track(new zmq.Stream({ linger: 0 }));
      await stream.bind("tcp://127.0.0.1:*");
      const port = Number(stream.lastEndpoint!.split(":").pop());
      const seen: string[] = [];
      const ids: Buffer[] = [];
      const next = async (): Promise<void> => {
        const [id, data] = await stream.receive();
        ids.push(id!);
        seen.push(`${idShape(id!)}: ${data!.length === 0 ? "(empty)" : String(data)}`);
      };
      const client = net.connect({ host: "127.0.0.1", port });
      await next();
      client.write("abc");
      await next();
      client.end();
      await next();
      client.destroy();
      return { seen, sameId: ids.every((id) => id.equals(ids[0]!)) };
    });
  });

  it("closes a connection sent an empty frame, without announcing its leaving; its id is then unknown", async () => {
    await expectSame(async (zmq, run) => {
      const stream = run.track(new zmq.Stream({ linger: 0 }));
      await stream.bind("tcp://127.0.0.1:*");
      const port = Number(stream.lastEndpoint!.split(":").pop());
      const first = net.connect({ host: "127.0.0.1", port });
      first.resume();
      const [id] = await stream.receive();
      const ended = once(first, "end");
      await stream.send([id!, ""]);
      // What comes next is the next client's arrival, not a notice of the first one leaving.
      const second = net.connect({ host: "127.0.0.1", port });
      const [next, data] = await stream.receive();
      await ended;
      first.destroy();
      second.destroy();
      let again: string;
      try {
        await stream.send([id!, "again"]);
        again = "sent";
      } catch (err) {
        again = (err as { code?: string }).code ?? "?";
      }
      return { nextIsAnotherPeer: !next!.equals(id!), nextData: data!.length, again };
    });
  });

  it("as a client, announces its connection with a generated id and the server's closing", async () => {
    await expectSame(async (zmq) => {
      const server = net.createServer((sock) => {
        sock.end("hi");
      });
      const port = await listening(server);
      const stream = new zmq.Stream({ linger: 0, reconnectInterval: 10_000 });
      try {
        stream.connect(`tcp://127.0.0.1:${port}`);
        const seen: string[] = [];
        for (let i = 0; i < 3; i++) {
          const [id, data] = await stream.receive();
          seen.push(`${idShape(id!)}: ${data!.length === 0 ? "(empty)" : String(data)}`);
        }
        return seen;
      } finally {
        stream.close();
        server.close();
      }
    });
  });
});
