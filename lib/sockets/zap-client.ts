import type { ZapReply, ZapRequest } from "../mechanisms/mechanism.js";
import { encodeZapRequest, parseZapReply } from "../mechanisms/zap.js";
import type { Pipe, PipeOwner } from "../engine/pipe.js";
import { pipeToBound } from "./inproc-link.js";

/** The inproc name of a libzmq-convention ZAP handler (inproc://zeromq.zap.01). */
export const ZAP_INPROC_NAME = "zeromq.zap.01";

/** A ZAP request in flight; cancel() drops it and releases what it holds. */
export interface ZapAsk {
  cancel(): void;
}

let nextId = 1;

/**
 * Asks a ZAP handler bound at inproc://zeromq.zap.01 (the libzmq convention, so handlers
 * written for libzmq work) over a pipe pair of its own, as libzmq's session does with its
 * zap_pipe: the handler's socket sees a DEALER-like peer that sends one request. A reply that
 * breaks ZAP (frames, version, request id, status, metadata) fails the handshake with its
 * ZAP_* code, as libzmq's zap_client does.
 *
 * The pipe goes on the answer and on cancel(). As in libzmq there is no timer of ZAP's own:
 * the connection's handshake timer (handshakeInterval) bounds the wait, and the connection
 * cancels the request when it ends. A handler that goes away unanswered leaves the handshake
 * to that timer too. With no handler bound, the request fails at once with status 500.
 */
export function askEndpoint(req: ZapRequest, answer: (reply: ZapReply) => void): ZapAsk {
  const exchange = new ZapExchange(String(nextId++), answer);
  exchange.start(req);
  return exchange;
}

class ZapExchange implements PipeOwner, ZapAsk {
  private pipe: Pipe | null = null;

  constructor(
    private readonly id: string,
    private readonly answer: (reply: ZapReply) => void,
  ) {}

  start(req: ZapRequest): void {
    const pipe = pipeToBound(ZAP_INPROC_NAME, "DEALER", this);
    if (pipe === null) {
      this.answer({ status: 500, statusText: "no ZAP handler", userId: "", metadata: new Map() });
      return;
    }
    this.pipe = pipe;
    if (!pipe.terminated) pipe.write([Buffer.alloc(0), ...encodeZapRequest(this.id, req)]);
  }

  cancel(): void {
    const pipe = this.pipe;
    this.pipe = null;
    pipe?.terminate();
  }

  onPipeReadable(pipe: Pipe): void {
    const frames = pipe.read();
    if (this.pipe !== pipe || frames === undefined) return;
    this.cancel();
    let reply: ZapReply;
    try {
      reply = parseZapReply(frames, this.id);
    } catch (err) {
      const e = err as Error & { code?: string };
      reply = { status: 0, error: e.code ?? "ZAP_UNSPECIFIED", statusText: e.message, userId: "", metadata: new Map() };
    }
    this.answer(reply);
  }

  onPipeWritable(): void {}

  onPipeTerminated(pipe: Pipe): void {
    if (this.pipe === pipe) this.pipe = null;
  }
}
