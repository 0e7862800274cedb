import type { Msg, Pipe } from "../engine/pipe.js";
import { LoadBalancer } from "./routing/load-balancer.js";
import { Socket } from "./socket.js";
import type { SocketOptionsInit } from "./socket-options.js";
import type { Writable } from "./readable-writable.js";
import type { SendOptions } from "./socket.js";
import type { MessageLike } from "./message.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

export type PushOptions = Omit<SocketOptionsInit, "receiveHighWaterMark" | "receiveTimeout">;

/** PUSH: each message goes to one peer, round-robin over peers with room; waits when all are full. */
export class Push extends Socket implements Writable {
  private readonly lb = new LoadBalancer();

  constructor(options?: PushOptions) {
    super("PUSH", options);
    sealAs(this, new.target, Push);
  }

  override send(message: MessageLike | MessageLike[], options?: SendOptions): Promise<void> {
    return super.send(message, options);
  }

  protected attach(pipe: Pipe): void {
    this.lb.add(pipe);
  }

  protected detach(pipe: Pipe): void {
    this.lb.remove(pipe);
  }

  protected override xsend(msg: Msg): boolean {
    return this.lb.send(msg);
  }

  protected get canSend(): boolean {
    return this.lb.hasRoom;
  }

  protected get canReceive(): boolean {
    return false;
  }
}

registerSocketClass("PUSH", Push);
