import type { Msg, Pipe } from "../engine/pipe.js";
import { FairQueue } from "./routing/fair-queue.js";
import { LoadBalancer } from "./routing/load-balancer.js";
import { Socket } from "./socket.js";
import { checkBoolean, type SocketOptionsInit } from "./socket-options.js";
import type { Message, Readable, Writable } from "./readable-writable.js";
import type { SendOptions, ReceiveOptions } from "./socket.js";
import type { MessageLike } from "./message.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

export type DealerOptions = SocketOptionsInit & { probeRouter?: boolean };

const EMPTY = Buffer.alloc(0);

/**
 * DEALER: sends round-robin over peers with room (waits when all are full, as PUSH) and
 * receives fair-queued from all peers (as PULL). No envelope handling of its own.
 */
export class Dealer extends Socket implements Readable, Writable {
  private readonly lb = new LoadBalancer();
  private readonly fq = new FairQueue();
  private probe = false;

  constructor(options?: DealerOptions) {
    super("DEALER");
    this.applyOptions(options);
    sealAs(this, new.target, Dealer);
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

  /** Sends an empty message to each new peer (so a ROUTER learns of it). */
  get probeRouter(): boolean {
    void this.live;
    return this.probe;
  }
  set probeRouter(v: boolean) {
    void this.live;
    this.probe = checkBoolean(v);
  }

  protected attach(pipe: Pipe): void {
    this.lb.add(pipe);
    if (this.probe) pipe.write([EMPTY]);
  }

  protected detach(pipe: Pipe): void {
    this.lb.remove(pipe);
    this.fq.remove(pipe);
  }

  protected override xreadable(pipe: Pipe): void {
    this.fq.activate(pipe);
  }

  protected override xsend(msg: Msg): boolean {
    return this.lb.send(msg);
  }

  protected override xrecv(): Msg | undefined {
    return this.fq.recv();
  }

  protected get canSend(): boolean {
    return this.lb.hasRoom;
  }

  protected get canReceive(): boolean {
    return this.fq.hasMessages;
  }
}

registerSocketClass("DEALER", Dealer);
