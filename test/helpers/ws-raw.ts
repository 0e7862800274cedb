/**
 * A WebSocket client by hand, for tests that play a hostile ZWS peer over a raw tcp socket:
 * the upgrade request and client frames, masked with a zero key so the payload reads as is.
 */
import { randomBytes } from "node:crypto";

/** One client→server binary WebSocket message: masked, with a zero mask so the bytes read as is. */
export function wsFrame(payload: Buffer): Buffer {
  const head = payload.length < 126 ? Buffer.from([0x82, 0x80 | payload.length]) : Buffer.from([0x82, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, Buffer.alloc(4), payload]);
}

/** A ZWS command message: flags 0x02, then the command body as in ZMTP over tcp. */
export const zwsCommand = (body: Buffer): Buffer => wsFrame(Buffer.concat([Buffer.from([0x02]), body]));

/** A WebSocket upgrade offering NULL over ZWS 2.0. */
export function upgradeRequest(ws: URL): Buffer {
  const lines = [
    `GET ${ws.pathname} HTTP/1.1`,
    `Host: ${ws.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Protocol: ZWS2.0/NULL",
  ];
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n`);
}
