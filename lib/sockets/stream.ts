import type { Socket as NetSocket } from "node:net";
import type { Engine, EngineHost } from "../engine/engine.js";
import { RawEngine } from "../engine/raw-engine.js";
import type { Msg, Pipe } from "../engine/pipe.js";
import { zmqError } from "../errors.js";
import { FairQueue } from "./routing/fair-queue.js";
import { generateRoutingId } from "./routing/routing-id.js";
import { Socket } from "./socket.js";
import { checkBoolean, type SocketOptionsInit } from "./socket-options.js";
import type { Message, Readable, Writable } from "./readable-writable.js";
import type { ConnectOptions, SendOptions, ReceiveOptions } from "./socket.js";
import type { MessageLike } from "./message.js";

/** connect(address, { routingId }): the id the connection is known by. */
export type StreamConnectOptions = ConnectOptions;
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

export type StreamOptions = SocketOptionsInit & { notify?: boolean };

const EMPTY = Buffer.alloc(0);

/**
 * STREAM: plain TCP peers, each known by a routing id. Received: [id, bytes]; a peer that
 * connects or leaves is announced as [id, ""] (with `notify`). Send [id, bytes] to write,
 * [id, ""] to close that connection.
 */
export class Stream extends Socket implements Readable<[Message, Message]>, Writable<[MessageLike, MessageLike]> {
  private readonly fq = new FairQueue();
  private readonly peers = new Map<string, Pipe>();
  private notifyPeers = true;
  /** Connections this side closed with an empty frame: libzmq announces no leaving for them. */
  private readonly sentAway = new WeakSet<Pipe>();

  constructor(options?: StreamOptions) {
    super("STREAM");
    this.applyOptions(options);
    sealAs(this, new.target, Stream);
  }

  override send(message: [MessageLike, MessageLike], options?: SendOptions): Promise<void> {
    return super.send(message, options);
  }

  override receive(options?: ReceiveOptions): Promise<[Message, Message]> {
    return super.receive(options) as Promise<[Message, Message]>;
  }

  [Symbol.asyncIterator](): AsyncIterator<[Message, Message], undefined> {
    return this.messages() as AsyncIterator<[Message, Message], undefined>;
  }

  get notify(): boolean {
    void this.live;
    return this.notifyPeers;
  }
  set notify(v: boolean) {
    void this.live;
    this.notifyPeers = checkBoolean(v);
  }

  protected override get pipePerConnection(): boolean {
    return true;
  }

  protected override createEngine(sock: NetSocket, _endpoint: string, host: EngineHost, _peer: () => string): Engine {
    return new RawEngine(sock, host);
  }

  protected attach(pipe: Pipe): void {
    if (pipe.routingId === null || this.peers.has(pipe.routingId.toString("latin1"))) {
      pipe.routingId = generateRoutingId();
    }
    this.peers.set(pipe.routingId.toString("latin1"), pipe);
    // In the pipe's own queue, so the announcement comes before the peer's first bytes. A
    // pipe made at connect(address, { routingId }) is announced when its connection is up.
    if (this.notifyPeers && pipe.properties.size > 0) pipe.deliver([EMPTY]);
  }

  /** A connection for a pipe made at connect() is up (again). */
  protected override xhiccup(pipe: Pipe): void {
    if (this.notifyPeers) pipe.deliver([EMPTY]);
  }

  protected override xconnectionEnded(pipe: Pipe): void {
    if (this.notifyPeers && !this.sentAway.has(pipe)) pipe.deliver([EMPTY]);
  }

  protected detach(pipe: Pipe): void {
    const id = pipe.routingId!.toString("latin1");
    if (this.peers.get(id) === pipe) this.peers.delete(id);
    if (this.notifyPeers && !this.sentAway.has(pipe)) {
      pipe.in.push([EMPTY]);
      this.onPipeReadable(pipe);
    } else {
      this.fq.remove(pipe);
    }
  }

  protected override xreadable(pipe: Pipe): void {
    this.fq.activate(pipe);
  }

  protected override xrecv(): Msg | undefined {
    const msg = this.fq.recv();
    if (msg === undefined) return undefined;
    return [this.fq.lastPipe!.routingId!, msg[0]!];
  }

  protected override xsend(msg: Msg): boolean {
    if (msg.length !== 2) throw zmqError("EINVAL", "STREAM messages are [routing id, data]");
    const pipe = this.peers.get(msg[0]!.toString("latin1"));
    if (pipe === undefined) throw zmqError("EHOSTUNREACH", "Host unreachable");
    if (!pipe.hasRoom && msg[1]!.length > 0) {
      pipe.wantWritable = true;
      return false;
    }
    if (msg[1]!.length === 0) {
      // The connection is closed once what was queued before is written; the id is gone now.
      this.sentAway.add(pipe);
      this.peers.delete(msg[0]!.toString("latin1"));
    }
    pipe.write([msg[1]!]);
    return true;
  }

  protected get canSend(): boolean {
    return true;
  }

  protected get canReceive(): boolean {
    return this.fq.hasMessages;
  }
}

registerSocketClass("STREAM", Stream);
