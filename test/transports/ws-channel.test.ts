/**
 * NodeZwsChannel's writes: small flushes share one buffer across connections while each socket
 * takes its write at once; a socket that queues the write keeps that buffer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { NodeZwsChannel } from "../../lib/transports/ws-channel.js";

const servers: WebSocketServer[] = [];
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

/** A server-side channel and the plain `ws` client it writes to. */
async function connection(): Promise<{ channel: NodeZwsChannel; client: WebSocket }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  servers.push(server);
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const accepted = new Promise<WebSocket>((resolve) => server.once("connection", resolve));
  const { port } = server.address() as { port: number };
  const client = new WebSocket(`ws://127.0.0.1:${port}/`);
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once("open", resolve);
    client.once("error", reject);
  });
  const ws = await accepted;
  return { channel: new NodeZwsChannel(ws, "ZWS2.0+NULL", "127.0.0.1", false), client };
}

describe("NodeZwsChannel", () => {
  it("a connection whose write the kernel queues keeps its bytes while another connection flushes", async () => {
    const a = await connection();
    const b = await connection();
    // a's reader stops reading: once the kernel's buffers are full, a's socket queues the write.
    a.client.pause();
    const body = (tag: number, i: number): Buffer => Buffer.alloc(1500, tag).fill(`${i};`, 0, 12);
    let sent = 0;
    while (a.channel.bufferedAmount === 0) a.channel.send([body(1, sent++)]);
    // The flush a's socket holds was small: without a buffer of its own, b's flush would write
    // over it (same frame size, other bytes).
    b.channel.send([body(2, 0)]);
    const fromB = await new Promise<Buffer>((resolve) => b.client.once("message", resolve));
    expect(fromB.equals(body(2, 0))).toBe(true);
    const got: Buffer[] = [];
    const all = new Promise<void>((resolve) =>
      a.client.on("message", (data: Buffer) => {
        got.push(data);
        if (got.length === sent) resolve();
      }),
    );
    a.client.resume();
    await all;
    for (let i = 0; i < sent; i++) expect(got[i]!.equals(body(1, i)), `message ${i} of ${sent}`).toBe(true);
  });
});
