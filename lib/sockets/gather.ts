import type { Msg, Pipe } from "../engine/pipe.js";
import { FairQueue } from "./routing/fair-queue.js";
import { receiveSinglePart } from "./single-part.js";
import { Socket } from "./socket.js";
import type { SocketOptionsInit } from "./socket-options.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

/** The options a GATHER socket takes in its constructor (zeromq's names). */
export type GatherOptions = Omit<SocketOptionsInit, "sendHighWaterMark" | "sendTimeout">;

/** GATHER (49/SCATTERGATHER, draft): PULL with one frame per message; multipart ones are dropped. */
export class Gather extends Socket {
  private readonly fq = new FairQueue();

  constructor(options?: GatherOptions) {
    super("GATHER", options);
    sealAs(this, new.target, Gather);
  }

  /** Every message until the socket closes, as receive() gives them (see lib/draft.ts for the type). */
  [Symbol.asyncIterator](): AsyncIterator<Msg, undefined> {
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
    return receiveSinglePart(this.fq);
  }

  protected get canSend(): boolean {
    return false;
  }

  protected get canReceive(): boolean {
    return this.fq.hasMessages;
  }
}

registerSocketClass("GATHER", Gather);
