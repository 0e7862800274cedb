import { afterEach, describe, expect, it } from "vitest";
import * as net from "node:net";
import { once } from "node:events";
import { Stream } from "../../lib/index.js";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe("STREAM with plain TCP peers", () => {
  it("announces, receives, replies to and closes a raw client", async () => {
    const stream = new Stream();
    open.push(stream);
    await stream.bind("tcp://127.0.0.1:*");
    const port = Number(stream.lastEndpoint!.split(":").pop());
    const client = net.connect({ host: "127.0.0.1", port });
    await once(client, "connect");
    const [id, hello] = await stream.receive();
    expect(id!.length).toBe(5);
    expect(id![0]).toBe(0);
    expect(hello!.length).toBe(0);
    client.write("GET / HTTP/1.0\r\n\r\n");
    const [id2, data] = await stream.receive();
    expect(id2).toEqual(id);
    expect(String(data)).toBe("GET / HTTP/1.0\r\n\r\n");
    const reply = once(client, "data");
    await stream.send([id!, "HTTP/1.0 200 OK\r\n\r\nhi"]);
    expect(String((await reply)[0])).toBe("HTTP/1.0 200 OK\r\n\r\nhi");
    const ended = once(client, "end");
    await stream.send([id!, ""]);
    await ended;
    client.destroy();
    // As zeromq: a connection closed by this side is not announced as leaving.
    await expect(stream.send([id!, "x"])).rejects.toMatchObject({ code: "EHOSTUNREACH" });
  });

  it("connects out to a TCP server with a chosen routing id", async () => {
    const server = net.createServer((sock) => sock.on("data", (d) => sock.write(Buffer.concat([Buffer.from("echo:"), d]))));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as net.AddressInfo).port;
    const stream = new Stream();
    open.push(stream);
    stream.connect(`tcp://127.0.0.1:${port}`, { routingId: "srv" });
    const [id, hello] = await stream.receive();
    expect(String(id)).toBe("srv");
    expect(hello!.length).toBe(0);
    await stream.send(["srv", "ping"]);
    const [, echo] = await stream.receive();
    expect(String(echo)).toBe("echo:ping");
    await expect(stream.send(["nobody", "x"])).rejects.toMatchObject({ code: "EHOSTUNREACH" });
    await stream.close();
    server.close();
  });
});
