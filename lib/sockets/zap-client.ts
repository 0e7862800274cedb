import type { ZapReply, ZapRequest } from "../mechanisms/mechanism.js";
import { encodeZapRequest, parseZapReply, ZAP_ENDPOINT } from "../mechanisms/zap.js";
import { Dealer } from "./dealer.js";

let nextId = 1;

/**
 * Asks a ZAP handler bound at inproc://zeromq.zap.01 (the libzmq convention, so handlers
 * written for libzmq work), over a DEALER made for the one request. A malformed reply counts
 * as status 500, as libzmq treats it.
 */
export async function askEndpoint(req: ZapRequest): Promise<ZapReply> {
  const dealer = new Dealer({ linger: 0 });
  const id = String(nextId++);
  try {
    dealer.connect(ZAP_ENDPOINT);
    await dealer.send([Buffer.alloc(0), ...encodeZapRequest(id, req)]);
    for (;;) {
      const frames = await dealer.receive();
      try {
        return parseZapReply(frames, id);
      } catch (err) {
        if ((err as { code?: string }).code === "ZAP_BAD_REQUEST_ID") continue;
        return { status: 500, statusText: (err as Error).message, userId: "", metadata: new Map() };
      }
    }
  } finally {
    await dealer.close();
  }
}
