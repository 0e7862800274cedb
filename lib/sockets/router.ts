import { randomUint32 } from "../util/random.js";
import type { Msg, Pipe } from "../engine/pipe.js";
import { zmqError } from "../errors.js";
import { FairQueue } from "./routing/fair-queue.js";
import { Socket, type ConnectOptions } from "./socket.js";
import { checkBoolean, checkString, type SocketOptionsInit } from "./socket-options.js";
import type { Message, Readable, Writable } from "./readable-writable.js";
import type { SendOptions, ReceiveOptions } from "./socket.js";
import type { MessageLike } from "./message.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

export type RouterOptions = SocketOptionsInit & {
  mandatory?: boolean;
  handover?: boolean;
  probeRouter?: boolean;
  disconnectMessage?: Buffer | string | null;
};

/** `Router.connect(address, { routingId })`: the id the peer at that address is known by. */
export type RouterConnectOptions = ConnectOptions;

const EMPTY = Buffer.alloc(0);

function keyOf(id: Buffer): string {
  return id.toString("latin1");
}

/**
 * ROUTER: every peer is known by a routing id, its announced Identity (or the id given to
 * connect()), else one generated as libzmq does: 5 bytes, `00` then a 32-bit big-endian
 * counter that starts at a random value. Received messages get the sender's id prepended;
 * on send, frame 0 names the peer. Unknown ids are dropped (`EHOSTUNREACH` with
 * `mandatory`); a full peer drops the message (with `mandatory`, send waits for room, or
 * fails with `EAGAIN` per sendTimeout). As in zeromq, a mandatory ROUTER with no peer that
 * has room is not writable: send waits before it routes. A peer announcing an id already in use is ignored,
 * unless `handover`: then it takes the id over and the old connection is closed.
 * With `disconnectMessage` (libzmq's ZMQ_DISCONNECT_MSG), a peer that goes away is announced
 * as [its id, that message], after the last message it sent.
 */
export class Router extends Socket implements Readable, Writable {
  private readonly fq = new FairQueue();
  /** Routable peers by routing id. */
  private readonly table = new Map<string, Pipe>();
  /** inproc connect-side pipes whose peer has not accepted yet: their id is not known. */
  private readonly pending = new Set<Pipe>();
  /** Peers refused for a duplicate id: kept connected, never routed to, input discarded. */
  private readonly ignored = new Set<Pipe>();
  private nextId = randomUint32();
  private mandatoryOpt = false;
  private handoverOpt = false;
  private probe = false;
  private disconnectMsg: Buffer | null = null;
  /** Peers whose id a newcomer took over (handover): their leaving is not announced. */
  private readonly replaced = new WeakSet<Pipe>();

  constructor(options?: RouterOptions) {
    super("ROUTER");
    this.applyOptions(options);
    sealAs(this, new.target, Router);
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

  get mandatory(): boolean {
    void this.live;
    return this.mandatoryOpt;
  }
  set mandatory(v: boolean) {
    void this.live;
    this.mandatoryOpt = checkBoolean(v);
  }

  get handover(): boolean {
    void this.live;
    return this.handoverOpt;
  }
  set handover(v: boolean) {
    void this.live;
    this.handoverOpt = checkBoolean(v);
  }

  /** Sends an empty message to each new peer (so a ROUTER on the other side learns of it). */
  get probeRouter(): boolean {
    void this.live;
    return this.probe;
  }
  set probeRouter(v: boolean) {
    void this.live;
    this.probe = checkBoolean(v);
  }

  /**
   * What the socket receives from a peer when that peer's connection ends, after the last
   * message it sent: [routing id, this message]. null (the default) announces nothing.
   */
  get disconnectMessage(): Buffer | null {
    void this.live;
    return this.disconnectMsg;
  }
  set disconnectMessage(v: Buffer | string | null) {
    void this.live;
    this.disconnectMsg = v === null ? null : Buffer.from(Buffer.isBuffer(v) ? v : checkString(v)!);
  }

  override connect(address: string, options?: RouterConnectOptions): void {
    super.connect(address, options);
  }

  protected override get pipePerConnection(): boolean {
    return true;
  }

  // ---- routing ids ---------------------------------------------------------------------------

  private generateId(): Buffer {
    for (;;) {
      const id = Buffer.allocUnsafe(5);
      id[0] = 0;
      id.writeUInt32BE(this.nextId, 1);
      this.nextId = (this.nextId + 1) >>> 0;
      if (!this.table.has(keyOf(id))) return id;
    }
  }

  /** Gives the pipe its routing id and makes it routable, or ignores it (duplicate id). */
  private identify(pipe: Pipe): void {
    let id = pipe.routingId;
    if (id === null || id.length === 0) {
      id = this.generateId();
      pipe.routingId = id;
    } else {
      const existing = this.table.get(keyOf(id));
      if (existing !== undefined && existing !== pipe) {
        if (!this.handoverOpt) {
          this.ignored.add(pipe);
          discardInbound(pipe);
          return;
        }
        // The new peer takes the id over; the old one gets a generated id for what it still
        // has queued, and its connection is closed.
        this.table.delete(keyOf(id));
        const fresh = this.generateId();
        existing.routingId = fresh;
        this.table.set(keyOf(fresh), existing);
        this.replaced.add(existing);
        closePipe(existing);
      }
    }
    this.table.set(keyOf(id), pipe);
    if (this.probe) pipe.write([EMPTY]);
    if (pipe.in.length > 0) this.fq.activate(pipe);
  }

  /** Identifies inproc connect-side pipes whose peer has accepted since they were attached. */
  private identifyPending(): void {
    for (const pipe of this.pending) {
      if (pipe.properties.size === 0) continue;
      this.pending.delete(pipe);
      this.identify(pipe);
    }
  }

  // ---- strategy ------------------------------------------------------------------------------

  protected attach(pipe: Pipe): void {
    // An inproc connect-side pipe is attached before the binder accepts it, so the peer's
    // id (and type) arrive later: identify it when it is first used.
    if (pipe.routingId === null && pipe.peer !== null && pipe.properties.size === 0) {
      this.pending.add(pipe);
      return;
    }
    this.identify(pipe);
  }

  protected detach(pipe: Pipe): void {
    this.pending.delete(pipe);
    this.ignored.delete(pipe);
    const id = pipe.routingId;
    const routable = id !== null && this.table.get(keyOf(id)) === pipe;
    if (routable) this.table.delete(keyOf(id));
    if (routable && this.disconnectMsg !== null && !this.replaced.has(pipe)) {
      // Behind what the peer sent before it left; the pipe stays in rotation until it is read.
      pipe.in.push([Buffer.from(this.disconnectMsg)]);
      this.onPipeReadable(pipe);
    } else {
      this.fq.remove(pipe);
    }
    // A send waiting for room on this peer now fails with EHOSTUNREACH.
    if (this.mandatoryOpt) this.retrySend();
  }

  protected override xreadable(pipe: Pipe): void {
    if (this.pending.has(pipe)) {
      if (pipe.properties.size > 0) {
        this.pending.delete(pipe);
        this.identify(pipe);
      } else {
        // The binder wrote to us while accepting, before our side learned its id.
        queueMicrotask(() => {
          if (this.pending.has(pipe) && pipe.properties.size > 0) this.onPipeReadable(pipe);
        });
      }
      return;
    }
    if (this.ignored.has(pipe)) {
      discardInbound(pipe);
      return;
    }
    this.fq.activate(pipe);
  }

  protected override xsend(msg: Msg): boolean {
    if (this.pending.size > 0) this.identifyPending();
    // A routing id with no body is dropped, as libzmq does.
    if (msg.length < 2) return true;
    const pipe = this.table.get(keyOf(msg[0]!));
    if (pipe !== undefined && pipe.hasRoom) {
      pipe.write(msg.slice(1));
      return true;
    }
    // Unknown, gone or full: dropped, unless mandatory.
    if (!this.mandatoryOpt) return true;
    if (!this.canSend && this.opts.sendTimeout !== 0) {
      // As zeromq: a mandatory ROUTER is writable only while some peer has room; until then
      // send waits (or fails with EAGAIN per sendTimeout), and only then routes or fails. With
      // sendTimeout 0, zeromq tries at once, so an unknown peer is EHOSTUNREACH.
      for (const p of this.table.values()) p.wantWritable = true;
      return false;
    }
    if (pipe === undefined || pipe.terminated) throw zmqError("EHOSTUNREACH", "Host unreachable");
    pipe.wantWritable = true;
    return false;
  }

  /** zeromq tries a send that waited once more: with mandatory, a peer still unknown is EHOSTUNREACH. */
  protected override sendCutShort(msg: Msg): Error {
    if (this.mandatoryOpt && msg.length >= 2) {
      const pipe = this.table.get(keyOf(msg[0]!));
      if (pipe === undefined || pipe.terminated) return zmqError("EHOSTUNREACH", "Host unreachable");
    }
    return super.sendCutShort(msg);
  }

  protected override xrecv(): Msg | undefined {
    if (this.pending.size > 0) this.identifyPending();
    const msg = this.fq.recv();
    if (msg === undefined) return undefined;
    msg.unshift(this.fq.lastPipe!.routingId!);
    return msg;
  }

  protected get canSend(): boolean {
    if (!this.mandatoryOpt) return true;
    for (const pipe of this.table.values()) if (pipe.hasRoom) return true;
    return false;
  }

  protected get canReceive(): boolean {
    if (this.pending.size > 0) this.identifyPending();
    return this.fq.hasMessages;
  }
}

function discardInbound(pipe: Pipe): void {
  while (pipe.read() !== undefined);
}

/** Ends a peer: closes its connection (tcp, ipc) or terminates both ends (inproc). */
function closePipe(pipe: Pipe): void {
  pipe.driver?.destroy();
  pipe.terminate();
}

registerSocketClass("ROUTER", Router);
