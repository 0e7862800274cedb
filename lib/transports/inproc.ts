import { zmqError } from "../errors.js";

/** The bound side of an inproc name: receives each connecting peer. */
export interface InprocBinder<P> {
  acceptInproc(peer: P): void;
}

/**
 * Process-wide table of inproc names. Connecting before the name is bound is allowed: the
 * peer waits here and is handed over when a socket binds the name.
 */
export class InprocRegistry<P> {
  private readonly bound = new Map<string, InprocBinder<P>>();
  private readonly waiting = new Map<string, P[]>();

  bind(name: string, binder: InprocBinder<P>, address: string): void {
    if (this.bound.has(name)) throw zmqError("EADDRINUSE", "Address already in use", { address });
    this.bound.set(name, binder);
    const peers = this.waiting.get(name);
    if (peers !== undefined) {
      this.waiting.delete(name);
      for (const p of peers) binder.acceptInproc(p);
    }
  }

  unbind(name: string, binder: InprocBinder<P>): boolean {
    if (this.bound.get(name) !== binder) return false;
    this.bound.delete(name);
    return true;
  }

  isBound(name: string): boolean {
    return this.bound.has(name);
  }

  connect(name: string, peer: P): void {
    const binder = this.bound.get(name);
    if (binder !== undefined) {
      binder.acceptInproc(peer);
      return;
    }
    const list = this.waiting.get(name);
    if (list === undefined) this.waiting.set(name, [peer]);
    else list.push(peer);
  }

  /** Withdraws a peer that is still waiting for its name to be bound. */
  cancel(name: string, peer: P): void {
    const list = this.waiting.get(name);
    if (list === undefined) return;
    const i = list.indexOf(peer);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.waiting.delete(name);
  }
}
