import type { Endpoint } from "../transports/endpoint.js";
import type { Engine } from "../engine/engine.js";
import type { Pipe } from "../engine/pipe.js";
import { cancelInproc, connectInproc, keepSeekAfterClose, type InprocPeer } from "./inproc-link.js";
import type { PeerOwner } from "./peer-owner.js";

type InprocEndpoint = Extract<Endpoint, { transport: "inproc" }>;

/** A connect()ed endpoint, of any transport: each knows how to start, end itself and linger. */
export interface Connection {
  start(): void;
  /** Stops dialing and ends the connection and its pipe now, dropping what is queued. */
  close(): void;
  /** Waits until the pipe's queued messages are written, or the deadline (ms since the epoch) passes. */
  linger(deadline: number): Promise<void>;
  /**
   * Stops dialing and leaves the peer (Engine.leave), then ends the pipe (what it received
   * stays to be read); resolves once the connection is closed. Without it, Endpoints.leave
   * closes the connection as disconnect() does.
   */
  leave?(): Promise<void>;
}

/**
 * A connect()ed inproc endpoint. Within a thread its pipe hands each message to the peer as it
 * is sent; linked to another thread, messages wait for the link.
 */
export class InprocConnection implements Connection {
  readonly kind = "inproc";
  pipe: Pipe | null = null;
  peer: InprocPeer | null = null;

  constructor(
    private readonly owner: PeerOwner,
    readonly address: string,
    private readonly ep: InprocEndpoint,
    readonly routingId: Buffer | null,
  ) {}

  start(): void {
    connectInproc(this.owner, this, this.ep.name);
  }

  /** Withdraws the connect if its name is still unbound, and ends the pipe. */
  close(): void {
    if (this.peer !== null) cancelInproc(this.ep.name, this.peer);
    this.pipe?.terminate();
  }

  /** Waits until messages queued for a link to another thread are handed over, or the deadline passes. */
  async linger(deadline: number): Promise<void> {
    // A connect to another thread whose link is not up yet delivers when it comes up.
    const linking = this.peer === null ? null : keepSeekAfterClose(this.peer, deadline === Infinity ? -1 : Math.max(0, deadline - Date.now()));
    if (linking !== null) await linking;
    for (;;) {
      const pipe = this.pipe;
      if (pipe === null || pipe.peer !== null || pipe.terminated || pipe.out.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) return;
      await pause(left);
    }
  }
}

/** Waits up to 10 ms (at most `left`), for a linger that polls. */
export function pause(left: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.min(left, 10)).unref?.());
}

/**
 * The pipe a dialed connect() owns from the start, so that what is sent to it outlives
 * reconnects (as libzmq's); null when the socket makes one per connection and the peer's
 * routing id is not known yet (ROUTER, STREAM without one given to connect()).
 */
export function connectPipe(owner: PeerOwner, address: string, routingId: Buffer | null): Pipe | null {
  if (owner.pipePerConnection && routingId === null) return null;
  const pipe = owner.newPipe(address);
  pipe.routingId = routingId;
  owner.attachPipe(pipe);
  return pipe;
}

/**
 * A dialed connection's linger: until its pipe's queue is written by its engine, or the deadline
 * passes. Read through `conn` each time: a (re)connect gives it an engine meanwhile.
 */
export async function lingerDialed(conn: { readonly pipe: Pipe | null; readonly engine: Engine | null }, deadline: number): Promise<void> {
  for (;;) {
    const pipe = conn.pipe;
    if (pipe === null || pipe.terminated) return;
    const left = deadline - Date.now();
    if (left <= 0) return;
    if (pipe.driver !== null && conn.engine !== null) {
      await conn.engine.linger(left);
      return;
    }
    if (pipe.out.length === 0) return;
    // Not connected yet: look again shortly (the dialer retries on its own schedule).
    await pause(left);
  }
}
