import type { Endpoint } from "../transports/endpoint.js";
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
