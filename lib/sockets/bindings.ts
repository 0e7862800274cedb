import type { InprocBinder } from "../transports/inproc.js";
import { unbindInproc, type InprocPeer } from "./inproc-link.js";

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A bound endpoint, of any transport. close() stops taking peers (the address is free once it
 * resolves); the connections it took are ended by destroy() or wait in linger().
 */
export interface Binding {
  readonly kind: string;
  /** The address given to bind(). */
  readonly address: string;
  /** The endpoint bound (port 0, ipc wildcard chosen), as lastEndpoint shows it. */
  readonly endpoint: string;
  close(): Promise<void>;
  /** Ends the accepted connections now; they report no disconnect. */
  destroy(): void;
  /** Waits until the accepted connections wrote what is queued for them, or `ms` passes (-1: no limit). */
  linger(ms: number): Promise<void>;
  /**
   * Stops taking peers and leaves each accepted one (Engine.leave); resolves once the listener
   * and every connection are closed. Without it, Endpoints.leave unbinds as unbind() does.
   */
  leave?(): Promise<void>;
}

/**
 * A bound inproc name. Its pipes belong to the socket from the moment a peer is taken, so
 * there is nothing of its own to end or wait for.
 */
export class InprocBinding implements Binding {
  readonly kind = "inproc";

  constructor(
    readonly address: string,
    private readonly name: string,
    private readonly binder: InprocBinder<InprocPeer>,
  ) {}

  get endpoint(): string {
    return this.address;
  }

  close(): Promise<void> {
    unbindInproc(this.name, this.binder);
    return RESOLVED;
  }

  destroy(): void {}

  linger(_ms: number): Promise<void> {
    return RESOLVED;
  }
}
