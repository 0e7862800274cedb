import type { Endpoint } from "../transports/endpoint.js";
import type { Socket as NetSocket } from "node:net";
import { Dialer, type DialerEvents } from "../transports/stream.js";
import type { Engine } from "../engine/engine.js";
import type { Pipe } from "../engine/pipe.js";
import type { DialedEndpoint } from "./engine-host.js";
import { connectPipe, lingerDialed, type Connection } from "./connections.js";
import { whenStreamEngine } from "./stream-engine-loader.js";
import type { PeerOwner } from "./peer-owner.js";

type StreamEndpoint = Extract<Endpoint, { transport: "tcp" | "ipc" }>;

/**
 * A connect()ed tcp or ipc endpoint: a dialer that keeps one connection up, the engine of the
 * connection of the moment, and the pipe it serves (made at connect(), or at each handshake
 * for a socket with a pipe per connection).
 */
export class StreamConnection implements DialedEndpoint, Connection, DialerEvents {
  readonly kind: "tcp" | "ipc";
  pipe: Pipe | null = null;
  engine: Engine | null = null;
  dropped = false;
  readonly dialer: Dialer;
  /** What serves a connection, loaded before the dialer starts (start()). */
  private serve: typeof import("./stream-engine-maker.js").startDialedEngine | null = null;
  /** Stops waiting for the engine's code, when closed before it loaded. */
  private cancelWait: (() => void) | null = null;

  constructor(
    private readonly owner: PeerOwner,
    readonly address: string,
    readonly ep: StreamEndpoint,
    /** ROUTER: the routing id given to this peer by connect(address, { routingId }). */
    readonly routingId: Buffer | null,
  ) {
    this.kind = ep.transport;
    // The connection is the dialer's listener itself: no object of closures per connect().
    this.dialer = new Dialer(ep, owner.options, this);
  }

  delayed(): void {
    // A unix socket connects or fails at once: libzmq reports no delay for ipc.
    if (this.kind !== "ipc") this.owner.events.emit({ type: "connect:delay", address: this.address });
  }

  retry(interval: number): void {
    this.owner.events.emit({ type: "connect:retry", address: this.address, interval });
  }

  failed(): void {
    this.owner.events.emit({ type: "close", address: this.address });
  }

  connected(sock: NetSocket): void {
    this.serve!(this.owner, this, sock);
  }

  start(): void {
    // A connect()'s pipe outlives reconnects, as libzmq's (connectPipe says when there is one).
    this.pipe = connectPipe(this.owner, this.address, this.routingId);
    // The first tcp or ipc connect waits for the engine's code to load (a stopped dialer stays stopped).
    this.cancelWait = whenStreamEngine((m) => {
      this.cancelWait = null;
      this.serve = m.startDialedEngine;
      this.dialer.start();
    });
  }

  /** Stops dialing and ends the connection and the pipe now, dropping what is queued. */
  close(): void {
    this.dropped = true;
    this.cancelWait?.();
    this.dialer.stop();
    this.engine?.destroy();
    this.pipe?.terminate();
  }

  async leave(): Promise<void> {
    this.dropped = true;
    this.cancelWait?.();
    this.dialer.stop();
    const engine = this.engine;
    if (engine !== null) await (engine.leave === undefined ? engine.destroy() : engine.leave());
    this.pipe?.terminate();
  }

  /** Waits until the pipe's queued messages are written, or the deadline passes. */
  linger(deadline: number): Promise<void> {
    return lingerDialed(this, deadline);
  }
}
