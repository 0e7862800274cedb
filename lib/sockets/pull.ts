import type { Msg, Pipe } from "../engine/pipe.js";
import { FairQueue } from "./routing/fair-queue.js";
import { Socket } from "./socket.js";
import type { SocketOptionsInit } from "./socket-options.js";
import type { Message, Readable } from "./readable-writable.js";
import type { ReceiveOptions } from "./socket.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

export type PullOptions = Omit<SocketOptionsInit, "sendHighWaterMark" | "sendTimeout">;

/** PULL: receives from all peers, fair-queued one message from each in turn. */
export class Pull extends Socket implements Readable {
  private readonly fq = new FairQueue();

  constructor(options?: PullOptions) {
    super("PULL", options);
    sealAs(this, new.target, Pull);
  }

  override receive(options?: ReceiveOptions): Promise<Message[]> {
    return super.receive(options);
  }

  [Symbol.asyncIterator](): AsyncIterator<Message[], undefined> {
    return this.messages();
  }

  protected attach(_pipe: Pipe): void {}

  protected detach(pipe: Pipe): void {
    this.fq.remove(pipe);
  }

  protected override xreadable(pipe: Pipe): void {
    this.fq.activate(pipe);
  }

  protected override xrecv(): Msg | undefined {
    return this.fq.recv();
  }

  protected get canSend(): boolean {
    return false;
  }

  protected get canReceive(): boolean {
    return this.fq.hasMessages;
  }
}

registerSocketClass("PULL", Pull);
