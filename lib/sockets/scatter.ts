import type { Msg, Pipe } from "../engine/pipe.js";
import { LoadBalancer } from "./routing/load-balancer.js";
import { sendSinglePart } from "./client.js";
import { Socket } from "./socket.js";
import type { SocketOptionsInit } from "./socket-options.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

/** The options a SCATTER socket takes in its constructor (zeromq's names). */
export type ScatterOptions = Omit<SocketOptionsInit, "receiveHighWaterMark" | "receiveTimeout">;

/** SCATTER (49/SCATTERGATHER, draft): PUSH with one frame per message. */
export class Scatter extends Socket {
  private readonly lb = new LoadBalancer();

  constructor(options?: ScatterOptions) {
    super("SCATTER", options);
    sealAs(this, new.target, Scatter);
  }

  protected attach(pipe: Pipe): void {
    this.lb.add(pipe);
  }

  protected detach(pipe: Pipe): void {
    this.lb.remove(pipe);
  }

  protected override xsend(msg: Msg): boolean {
    return sendSinglePart(this.lb, msg, this.sendTimeout);
  }

  protected get canSend(): boolean {
    return this.lb.hasRoom;
  }

  protected get canReceive(): boolean {
    return false;
  }
}

registerSocketClass("SCATTER", Scatter);
