/**
 * What a ws:// endpoint refuses, each with a monitor event, while a good peer on the same
 * endpoint keeps exchanging messages: a WebSocket client with no or another subprotocol, a
 * plain HTTP request, malformed HTTP, a text message, an oversized frame (refused from its
 * header, never buffered), data before the handshake.
 */
import * as http from "node:http";
import * as net from "node:net";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import * as wq from "../../lib/index.js";
import { encodeReady } from "../../lib/wire/command.js";
import { encodeZwsCommand, encodeZwsFrame } from "../../lib/wire/zws.js";
import { tracker, waitEvent } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
let pull: wq.Pull;
let push: wq.Push;
let url: URL;

beforeAll(async () => {
  pull = track(new wq.Pull({ maxMessageSize: 1024 }));
  await pull.bind("ws://127.0.0.1:*/zmq");
  url = new URL(pull.lastEndpoint!);
  push = track(new wq.Push());
  const h = waitEvent(pull, "handshake");
  push.connect(pull.lastEndpoint!);
  await h;
});
afterAll(closeAll);

/** The good peer still gets a message through. */
async function goodPeerUnaffected(): Promise<void> {
  const tag = randomBytes(4).toString("hex");
  await push.send(tag);
  expect(String((await pull.receive())[0])).toBe(tag);
}

/** A hand-made client: an HTTP upgrade written byte by byte, then raw WebSocket frames. */
async function rawUpgrade(protocol: string | null): Promise<{ sock: net.Socket; status: number }> {
  const sock = track(net.connect(Number(url.port), "127.0.0.1"));
  sock.on("error", () => {});
  await once(sock, "connect");
  sock.write(
    `GET ${url.pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n` +
      (protocol === null ? "" : `Sec-WebSocket-Protocol: ${protocol}\r\n`) +
      "\r\n",
  );
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const [chunk] = (await once(sock, "data")) as [Buffer];
    head += chunk.toString("latin1");
  }
  return { sock, status: Number(head.split(" ")[1]) };
}

/** A client frame (masked) of `opcode` announcing `length` bytes, with `body` (possibly less). */
function frame(opcode: number, body: Uint8Array, length = body.length): Buffer {
  const mask = randomBytes(4);
  const head = length < 126 ? Buffer.from([0x80 | opcode, 0x80 | length]) : Buffer.alloc(10);
  if (length >= 126) {
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  const masked = Buffer.from(body.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([head, mask, masked]);
}

function readyPull(): Uint8Array {
  const body = encodeReady([["Socket-Type", Buffer.from("PUSH")]]);
  return encodeZwsCommand("READY", body.subarray(1 + body[0]!));
}

describe("a ws endpoint refuses, with a monitor event", () => {
  it("a WebSocket client with no subprotocol (not ZWS)", async () => {
    const refused = waitEvent(pull, "handshake:error:protocol");
    const ws = new WebSocket(url);
    track({ close: () => ws.terminate() });
    ws.on("error", () => {});
    const [, res] = (await once(ws, "unexpected-response")) as [unknown, http.IncomingMessage];
    expect(res.statusCode).toBe(400);
    expect((await refused).error?.code).toBe("ERR_WS_UNSPECIFIED");
    await goodPeerUnaffected();
  });

  it("a WebSocket client offering another subprotocol", async () => {
    const refused = waitEvent(pull, "handshake:error:protocol");
    const { status } = await rawUpgrade("chat, ZWS2.0/PLAIN");
    expect(status).toBe(400);
    expect((await refused).error?.code).toBe("ERR_WS_UNSPECIFIED");
    await goodPeerUnaffected();
  });

  it("a plain HTTP request", async () => {
    const refused = waitEvent(pull, "handshake:error:protocol");
    const gone = waitEvent(pull, "disconnect");
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`http://127.0.0.1:${url.port}${url.pathname}`, { agent: false }, resolve).on("error", reject);
    });
    res.resume();
    expect(res.statusCode).toBe(426);
    expect((await refused).error?.code).toBe("ERR_WS_UNSPECIFIED");
    await gone;
    await goodPeerUnaffected();
  });

  it("bytes that are not HTTP", async () => {
    const refused = waitEvent(pull, "handshake:error:protocol");
    const sock = track(net.connect(Number(url.port), "127.0.0.1"));
    sock.on("error", () => {});
    await once(sock, "connect");
    sock.write(Buffer.from("\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f\x03\x01NULL" + "\0".repeat(48), "latin1"));
    expect((await refused).error?.code).toBe("ERR_WS_UNSPECIFIED");
    await goodPeerUnaffected();
  });

  it("a text message", async () => {
    const refused = waitEvent(pull, "handshake:error:protocol");
    const { sock, status } = await rawUpgrade("ZWS2.0/NULL");
    expect(status).toBe(101);
    sock.write(frame(0x1, Buffer.from("hello")));
    expect((await refused).error?.code).toBe("ERR_WS_UNSPECIFIED");
    await goodPeerUnaffected();
  });

  it("a data message before the handshake", async () => {
    const refused = waitEvent(pull, "handshake:error:protocol");
    const { sock } = await rawUpgrade("ZWS2.0/NULL");
    sock.write(frame(0x2, encodeZwsFrame(Buffer.from("sneaky"))));
    expect((await refused).error?.code).toBe("ERR_ZMTP_UNSPECIFIED");
    await goodPeerUnaffected();
  });

  it("a frame over maxMessageSize, from its header: the body is never sent, let alone buffered", async () => {
    const { sock } = await rawUpgrade("ZWS2.0/NULL");
    const ready = waitEvent(pull, "handshake");
    sock.write(frame(0x2, readyPull()));
    await ready;
    const gone = waitEvent(pull, "disconnect");
    // 64 MiB announced, 16 bytes sent: only the header can be what ends the connection.
    sock.write(frame(0x2, Buffer.alloc(16), 64 * 1024 * 1024));
    const event = await gone;
    expect(event.error?.code).toBe("ZMTP_MESSAGE_TOO_LARGE");
    await goodPeerUnaffected();
  });

  it("a large frame before the handshake, whatever maxMessageSize allows", async () => {
    const open = track(new wq.Pull());
    await open.bind("ws://127.0.0.1:*");
    const refused = waitEvent(open, "handshake:error:protocol");
    const ws = new URL(open.lastEndpoint!);
    const sock = track(net.connect(Number(ws.port), "127.0.0.1"));
    sock.on("error", () => {});
    await once(sock, "connect");
    sock.write(
      `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\n` +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n",
    );
    await once(sock, "data");
    sock.write(frame(0x2, Buffer.alloc(16), 1024 * 1024));
    // An oversized frame is a ZMTP violation (libzmq has no closer name for it).
    expect((await refused).error?.code).toBe("ERR_ZMTP_UNSPECIFIED");
  });
});
