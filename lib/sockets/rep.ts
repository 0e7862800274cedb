import type { Msg, Pipe } from "../engine/pipe.js";
import { zmqError } from "../errors.js";
import { FairQueue } from "./routing/fair-queue.js";
import { Socket } from "./socket.js";
import type { SocketOptionsInit } from "./socket-options.js";
import type { Message, Readable, Writable } from "./readable-writable.js";
import type { SendOptions, ReceiveOptions } from "./socket.js";
import type { MessageLike } from "./message.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

export type ReplyOptions = SocketOptionsInit;

const EFSM_MESSAGE = "Operation cannot be accomplished in current state";

/**
 * REP: requests are fair-queued from all peers. The envelope of each (every frame up to and
 * including the empty delimiter: any depth of routing ids) is kept with the pipe it came
 * from, and the body delivered. The reply goes to that pipe with the envelope prepended; if
 * the peer is gone or full, the reply is dropped. Receive and send must alternate (`EFSM`).
 * A request without a delimiter followed by a body is dropped.
 */
export class Reply extends Socket implements Readable, Writable {
  private readonly fq = new FairQueue();
  /** A request was delivered and its reply not sent yet. */
  private sendingReply = false;
  private envelope: Msg | null = null;
  private replyPipe: Pipe | null = null;

  constructor(options?: ReplyOptions) {
    super("REP");
    this.applyOptions(options);
    sealAs(this, new.target, Reply);
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

  protected attach(pipe: Pipe): void {
    pipe.writeThrough = true;
  }

  protected detach(pipe: Pipe): void {
    this.fq.remove(pipe);
  }

  protected override xreadable(pipe: Pipe): void {
    this.fq.activate(pipe);
  }

  protected override receiveCutShort(): Error {
    return this.sendingReply ? zmqError("EFSM", EFSM_MESSAGE) : super.receiveCutShort();
  }

  protected override sendCutShort(msg: Msg): Error {
    return !this.sendingReply ? zmqError("EFSM", EFSM_MESSAGE) : super.sendCutShort(msg);
  }

  protected override xrecv(): Msg | undefined {
    // As libzmq under zeromq: a reply owed means not readable, so a receive waits for the
    // next request and only a non-blocking one fails.
    if (this.sendingReply) {
      if (this.opts.receiveTimeout === 0) throw zmqError("EFSM", EFSM_MESSAGE);
      return undefined;
    }
    const fq = this.fq;
    for (;;) {
      const msg = fq.recv();
      if (msg === undefined) return undefined;
      const last = msg.length - 1;
      let bottom = -1;
      for (let i = 0; i < last; i++) {
        if (msg[i]!.length === 0) {
          bottom = i;
          break;
        }
      }
      if (bottom < 0) continue;
      // shift(), unlike splice(), makes no array of what it removes: the usual envelope is the
      // delimiter alone.
      this.envelope = bottom === 0 ? [msg.shift()!] : msg.splice(0, bottom + 1);
      this.replyPipe = fq.lastPipe;
      this.sendingReply = true;
      if (this.sendPending) queueMicrotask(this.sendInTurn);
      return msg;
    }
  }

  /** A reply that waited for its request goes once the request has been taken (see Request's). */
  private readonly sendInTurn = (): void => this.retrySend();

  protected override xsend(msg: Msg): boolean {
    // As Request's: out of turn a send waits, and only a non-blocking one fails.
    if (!this.sendingReply) {
      if (this.opts.sendTimeout === 0) throw zmqError("EFSM", EFSM_MESSAGE);
      return false;
    }
    const pipe = this.replyPipe;
    const envelope = this.envelope!;
    this.sendingReply = false;
    this.replyPipe = null;
    this.envelope = null;
    if (pipe !== null && pipe.hasRoom) {
      const out = new Array<Buffer>(envelope.length + msg.length);
      for (let i = 0; i < envelope.length; i++) out[i] = envelope[i]!;
      for (let i = 0; i < msg.length; i++) out[envelope.length + i] = msg[i]!;
      pipe.write(out);
    }
    // A receive that waited for this reply takes the next request already queued.
    if (this.receivePending) queueMicrotask(this.wakeAfterReply);
    return true;
  }

  private readonly wakeAfterReply = (): void => this.wakeReceiver();

  protected get canSend(): boolean {
    return this.sendingReply;
  }

  protected get canReceive(): boolean {
    return !this.sendingReply && this.fq.hasMessages;
  }
}

registerSocketClass("REP", Reply);
