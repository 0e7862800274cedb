import { randomInt } from "../util/random.js";
import type { Msg, Pipe } from "../engine/pipe.js";
import { WiremqTypeError, zmqError } from "../errors.js";
import type { MessageLike } from "./message.js";
import { FairQueue } from "./routing/fair-queue.js";
import { receiveSinglePart, refuseMultipart } from "./single-part.js";
import { checkRoutedSend, requireOption } from "./draft-send.js";
import { Socket, type SendOptions } from "./socket.js";
import type { SocketOptionsInit } from "./socket-options.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

/** The options a SERVER socket takes in its constructor (zeromq's names). */
export type ServerOptions = SocketOptionsInit;

/** Which peer a SERVER message came from, or goes to. */
export interface ServerRoutingOptions {
  routingId: number;
}

/**
 * SERVER (41/CLIENTSERVER, draft): every peer gets a routing id, a non-zero uint32 counted
 * up from a random start, which is not sent on the wire. `receive()` gives
 * `[message, { routingId }]` and `send(message, { routingId })` answers that peer: an unknown
 * id fails with EHOSTUNREACH and a peer without room with EAGAIN, at once. One frame per message.
 */
export class Server extends Socket {
  private readonly fq = new FairQueue();
  private readonly peers = new Map<number, Pipe>();
  private nextId = randomInt(1, 0xffffffff);

  constructor(options?: ServerOptions) {
    super("SERVER", options);
    sealAs(this, new.target, Server);
  }

  /** Every message until the socket closes, as receive() gives them (see lib/draft.ts for the type). */
  [Symbol.asyncIterator](): AsyncIterator<Msg, undefined> {
    return this.messages();
  }

  override send(message: MessageLike | MessageLike[], options?: SendOptions & Partial<ServerRoutingOptions>): Promise<void> {
    checkRoutedSend(message, options);
    if (this.closed) return super.send(message, options);
    const id = routingIdOf(options.routingId);
    // The routing id rides ahead of the message as a frame of its own, until xsend takes it off.
    const idFrame = Buffer.allocUnsafe(4);
    idFrame.writeUInt32BE(id, 0);
    return super.send(Array.isArray(message) ? [idFrame, ...message] : [idFrame, message], options);
  }

  protected attach(pipe: Pipe): void {
    let id = this.nextId;
    while (id === 0 || this.peers.has(id)) id = (id + 1) >>> 0;
    this.nextId = (id + 1) >>> 0;
    pipe.slot = id;
    this.peers.set(id, pipe);
  }

  protected detach(pipe: Pipe): void {
    const id = pipe.slot as number;
    if (this.peers.get(id) === pipe) this.peers.delete(id);
    this.fq.remove(pipe);
  }

  protected override xreadable(pipe: Pipe): void {
    this.fq.activate(pipe);
  }

  protected override xsend(msg: Msg): boolean {
    refuseMultipart(msg.length - 1);
    if (msg.length < 2) return true;
    const pipe = this.peers.get(msg[0]!.readUInt32BE(0));
    if (pipe === undefined || pipe.terminated) throw zmqError("EHOSTUNREACH", "Host unreachable");
    if (!pipe.hasRoom) throw zmqError("EAGAIN", "Operation was not possible or timed out");
    pipe.write([msg[1]!]);
    return true;
  }

  protected override xrecv(): Msg | undefined {
    const msg = receiveSinglePart(this.fq);
    if (msg === undefined) return undefined;
    const routing: ServerRoutingOptions = { routingId: this.fq.lastPipe!.slot as number };
    // The public type of receive() is zeromq's [message, { routingId }] (see lib/draft.ts).
    return [msg[0], routing] as unknown as Msg;
  }

  /** As libzmq: a SERVER can always be written to; a send that cannot go fails instead. */
  protected get canSend(): boolean {
    return true;
  }

  protected get canReceive(): boolean {
    return this.fq.hasMessages;
  }
}

/** zeromq takes the id as a uint32 (wrapping modulo 2^32); 0 is no peer, EINVAL. */
function routingIdOf(value: unknown): number {
  requireOption(value);
  if (typeof value !== "number") throw new WiremqTypeError("EINVAL", "A number was expected");
  const id = value >>> 0;
  if (id === 0) throw zmqError("EINVAL", "Invalid argument");
  return id;
}

registerSocketClass("SERVER", Server);
