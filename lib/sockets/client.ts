import type { Msg, Pipe } from "../engine/pipe.js";
import { FairQueue } from "./routing/fair-queue.js";
import { LoadBalancer } from "./routing/load-balancer.js";
import { receiveSinglePart, refuseMultipart } from "./single-part.js";
import { Socket } from "./socket.js";
import type { SocketOptionsInit } from "./socket-options.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

/** The options a CLIENT socket takes in its constructor (zeromq's names). */
export type ClientOptions = SocketOptionsInit;

/**
 * CLIENT (41/CLIENTSERVER, draft): DEALER's routing with one frame per message; sends go
 * round-robin to peers with room (waiting when none has), receives are fair-queued.
 */
export class Client extends Socket {
  private readonly lb = new LoadBalancer();
  private readonly fq = new FairQueue();

  constructor(options?: ClientOptions) {
    super("CLIENT", options);
    sealAs(this, new.target, Client);
  }

  /** Every message until the socket closes, as receive() gives them (see lib/draft.ts for the type). */
  [Symbol.asyncIterator](): AsyncIterator<Msg, undefined> {
    return this.messages();
  }

  protected attach(pipe: Pipe): void {
    this.lb.add(pipe);
  }

  protected detach(pipe: Pipe): void {
    this.lb.remove(pipe);
    this.fq.remove(pipe);
  }

  protected override xreadable(pipe: Pipe): void {
    this.fq.activate(pipe);
  }

  protected override xsend(msg: Msg): boolean {
    return sendSinglePart(this.lb, msg, this.sendTimeout);
  }

  protected override xrecv(): Msg | undefined {
    return receiveSinglePart(this.fq);
  }

  protected get canSend(): boolean {
    return this.lb.hasRoom;
  }

  protected get canReceive(): boolean {
    return this.fq.hasMessages;
  }
}

/**
 * Load-balanced send of a one-frame message. zeromq hands libzmq the parts once the socket is
 * writable, or at once with a send timeout of 0, or when the timeout runs out: a multipart
 * message always fails with EINVAL, but with no timeout only once a peer has room. (With a
 * timeout it fails here at once, where zeromq fails when the timeout ends.)
 */
export function sendSinglePart(lb: LoadBalancer, msg: Msg, sendTimeout: number): boolean {
  // With no room, send() writes nothing: it only asks every pipe to report room.
  if (msg.length > 1 && sendTimeout < 0 && !lb.hasRoom) return lb.send(msg);
  refuseMultipart(msg.length);
  return lb.send(msg);
}

registerSocketClass("CLIENT", Client);
