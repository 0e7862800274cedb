import { randomUint32 } from "../util/random.js";
import type { Msg, Pipe } from "../engine/pipe.js";
import { zmqError } from "../errors.js";
import { FairQueue } from "./routing/fair-queue.js";
import { LoadBalancer } from "./routing/load-balancer.js";
import { Socket } from "./socket.js";
import { checkBoolean, type SocketOptionsInit } from "./socket-options.js";
import type { Message, Readable, Writable } from "./readable-writable.js";
import type { SendOptions, ReceiveOptions } from "./socket.js";
import type { MessageLike } from "./message.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

export type RequestOptions = SocketOptionsInit & {
  probeRouter?: boolean;
  correlate?: boolean;
  relaxed?: boolean;
};

const EMPTY = Buffer.alloc(0);
const EFSM_MESSAGE = "Operation cannot be accomplished in current state";

/**
 * REQ: each request goes out as [empty delimiter, ...frames] to one peer, round-robin; then
 * only that peer's reply is accepted (others are discarded) and it must be received before
 * the next send (`EFSM`), unless `relaxed`. With `correlate`, a 4-byte request id frame goes
 * before the delimiter (host byte order, as libzmq writes it on little-endian machines) and a
 * reply must echo the current one.
 */
export class Request extends Socket implements Readable, Writable {
  private readonly lb = new LoadBalancer();
  private readonly fq = new FairQueue();
  /** A request went out and its reply has not been received yet. */
  private receivingReply = false;
  /** The peer the last request went to; null when that peer has gone (any reply accepted). */
  private replyPipe: Pipe | null = null;
  private requestId = randomUint32();
  private probe = false;
  private correlateOpt = false;
  private relaxedOpt = false;

  constructor(options?: RequestOptions) {
    super("REQ");
    this.applyOptions(options);
    sealAs(this, new.target, Request);
  }

  override send(message: MessageLike | MessageLike[], options?: SendOptions): Promise<void> {
    return super.send(message, options);
  }

  override receive(options?: ReceiveOptions): Promise<Message[]> {
    return super.receive(options);
  }

  [Symbol.asyncIterator](): AsyncIterator<Message[], undefined> {
    return this.messages();
  }

  get probeRouter(): boolean {
    void this.live;
    return this.probe;
  }
  set probeRouter(v: boolean) {
    void this.live;
    this.probe = checkBoolean(v);
  }

  get correlate(): boolean {
    void this.live;
    return this.correlateOpt;
  }
  set correlate(v: boolean) {
    void this.live;
    this.correlateOpt = checkBoolean(v);
  }

  get relaxed(): boolean {
    void this.live;
    return this.relaxedOpt;
  }
  set relaxed(v: boolean) {
    void this.live;
    this.relaxedOpt = checkBoolean(v);
  }

  protected attach(pipe: Pipe): void {
    pipe.writeThrough = true;
    this.lb.add(pipe);
    if (this.probe) pipe.write([EMPTY]);
  }

  protected detach(pipe: Pipe): void {
    this.lb.remove(pipe);
    this.fq.remove(pipe);
    if (this.replyPipe === pipe) this.replyPipe = null;
  }

  protected override xreadable(pipe: Pipe): void {
    this.fq.activate(pipe);
  }

  /** A send that waited for its turn goes once the reply has been taken (after the receive settles, as zeromq's poll finds it writable later). */
  private readonly sendInTurn = (): void => this.retrySend();

  protected override xsend(msg: Msg): boolean {
    // As libzmq under zeromq: out of turn means not writable, so a send waits (for the reply
    // to be received) and only a non-blocking one fails.
    if (this.receivingReply && !this.relaxedOpt) {
      if (this.opts.sendTimeout === 0) throw zmqError("EFSM", EFSM_MESSAGE);
      return false;
    }
    // Nothing changes until the request is written: a send that waits for room retries this.
    let out: Msg;
    let id = 0;
    if (this.correlateOpt) {
      id = (this.requestId + 1) >>> 0;
      const idFrame = Buffer.allocUnsafe(4);
      idFrame.writeUInt32LE(id, 0);
      out = [idFrame, EMPTY, ...msg];
    } else {
      // The frames before the body, copied by hand: a spread builds the array by iteration.
      out = new Array<Buffer>(msg.length + 1);
      out[0] = EMPTY;
      for (let i = 0; i < msg.length; i++) out[i + 1] = msg[i]!;
    }
    if (!this.lb.send(out)) return false;
    if (this.correlateOpt) this.requestId = id;
    this.replyPipe = this.lb.lastPipe;
    // Replies that arrived before this request are stale (libzmq eats them here too).
    while (this.fq.recv() !== undefined);
    this.receivingReply = true;
    return true;
  }

  protected override receiveCutShort(): Error {
    return !this.receivingReply ? zmqError("EFSM", EFSM_MESSAGE) : super.receiveCutShort();
  }

  protected override sendCutShort(msg: Msg): Error {
    return this.receivingReply && !this.relaxedOpt ? zmqError("EFSM", EFSM_MESSAGE) : super.sendCutShort(msg);
  }

  protected override xrecv(): Msg | undefined {
    // As libzmq under zeromq: no request out means not readable, so a receive waits (for the
    // reply to a later send) and only a non-blocking one fails.
    if (!this.receivingReply) {
      if (this.opts.receiveTimeout === 0) throw zmqError("EFSM", EFSM_MESSAGE);
      return undefined;
    }
    const fq = this.fq;
    for (;;) {
      const msg = fq.recv();
      if (msg === undefined) return undefined;
      if (this.replyPipe !== null && fq.lastPipe !== this.replyPipe) continue;
      let at = 0;
      if (this.correlateOpt) {
        const idFrame = msg[0]!;
        if (msg.length < 3 || idFrame.length !== 4 || idFrame.readUInt32LE(0) !== this.requestId) continue;
        at = 1;
      }
      // The delimiter must be there and be followed by a body.
      if (msg.length < at + 2 || msg[at]!.length !== 0) continue;
      this.receivingReply = false;
      if (this.sendPending) queueMicrotask(this.sendInTurn);
      // shift(), unlike splice(), makes no array of what it removes.
      msg.shift();
      if (at === 1) msg.shift();
      return msg;
    }
  }

  protected get canSend(): boolean {
    return (!this.receivingReply || this.relaxedOpt) && this.lb.hasRoom;
  }

  protected get canReceive(): boolean {
    return this.receivingReply && this.fq.hasMessages;
  }
}

registerSocketClass("REQ", Request);
