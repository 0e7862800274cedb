import type { ZapReply, ZapRequest } from "../mechanisms/mechanism.js";
import { encodeZapRequest, parseZapReply, ZAP_ENDPOINT } from "../mechanisms/zap.js";
import { Dealer } from "./dealer.js";

let nextId = 1;

/**
 * Asks a ZAP handler bound at inproc://zeromq.zap.01 (the libzmq convention, so handlers
 * written for libzmq work), over a DEALER made for the one request. A reply that breaks ZAP
 * (frames, version, request id, status, metadata) fails the handshake with its ZAP_* code,
 * as libzmq's zap_client does.
 */
export async function askEndpoint(req: ZapRequest): Promise<ZapReply> {
  const dealer = new Dealer({ linger: 0 });
  const id = String(nextId++);
  try {
    dealer.connect(ZAP_ENDPOINT);
    await dealer.send([Buffer.alloc(0), ...encodeZapRequest(id, req)]);
    const frames = await dealer.receive();
    try {
      return parseZapReply(frames, id);
    } catch (err) {
      const e = err as Error & { code?: string };
      return { status: 0, error: e.code ?? "ZAP_UNSPECIFIED", statusText: e.message, userId: "", metadata: new Map() };
    }
  } finally {
    await dealer.close();
  }
}
