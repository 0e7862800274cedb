import type { Msg, Pipe } from "../engine/pipe.js";
import { Socket } from "./socket.js";
import type { SocketOptionsInit } from "./socket-options.js";
import type { Message, Readable, Writable } from "./readable-writable.js";
import type { SendOptions, ReceiveOptions } from "./socket.js";
import type { MessageLike } from "./message.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

export type PairOptions = SocketOptionsInit;

/** PAIR: exactly one peer at a time; further peers are refused while it is attached. */
export class Pair extends Socket implements Readable, Writable {
  private pipe: Pipe | null = null;

  constructor(options?: PairOptions) {
    super("PAIR", options);
    sealAs(this, new.target, Pair);
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

  protected override acceptsPipe(): boolean {
    return this.pipe === null || this.pipe.terminated;
  }

  protected attach(pipe: Pipe): void {
    this.pipe = pipe;
  }

  protected detach(pipe: Pipe): void {
    // Keep a terminated pipe while it still holds unread messages.
    if (this.pipe === pipe && pipe.in.length === 0) this.pipe = null;
  }

  protected override xsend(msg: Msg): boolean {
    const pipe = this.pipe;
    if (pipe === null || pipe.terminated) return false;
    if (!pipe.hasRoom) {
      pipe.wantWritable = true;
      return false;
    }
    pipe.write(msg);
    return true;
  }

  protected override xrecv(): Msg | undefined {
    const pipe = this.pipe;
    if (pipe === null) return undefined;
    const msg = pipe.read();
    if (pipe.terminated && pipe.in.length === 0) this.pipe = null;
    return msg;
  }

  protected get canSend(): boolean {
    return this.pipe !== null && this.pipe.hasRoom;
  }

  protected get canReceive(): boolean {
    return this.pipe !== null && this.pipe.in.length > 0;
  }
}

registerSocketClass("PAIR", Pair);
