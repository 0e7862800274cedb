import type { ZmqError } from "../errors.js";
import { zmqError } from "../errors.js";
import { parseEndpoint, type Endpoint } from "../transports/endpoint.js";
import { checkUri } from "../transports/uri.js";
import { checkSecurityOptions } from "../mechanisms/index.js";
import { bindInproc } from "./inproc-link.js";
import { bindErrorEvent } from "./event-errors.js";
import { InprocBinding, type Binding } from "./bindings.js";
import { InprocConnection, type Connection } from "./connections.js";
import type { PeerOwner } from "./peer-owner.js";
import { transportOf, type SocketTransport } from "./transport-registry.js";

type InprocEndpoint = Extract<Endpoint, { transport: "inproc" }>;

/** An address checked and parsed: inproc, served here, or another protocol's, served by its transport. */
type Target = { inproc: InprocEndpoint } | { transport: SocketTransport; ep: unknown };

export interface ConnectOptions {
  /** ROUTER only: the routing id this peer is known by, instead of the one it announces. */
  routingId?: string;
}

/**
 * A socket's bindings and connections: bind, unbind, connect and disconnect after the socket
 * has checked its own state, and at close the order in which they stop, linger and end.
 */
export class Endpoints {
  private readonly bindings = new Map<string, Binding>();
  private readonly connections = new Map<string, Connection>();
  /** Bindings stopped by close() whose connections may still be delivering. */
  private closedBindings: Binding[] = [];
  /** The endpoint last bound, as zeromq's lastEndpoint. */
  lastBound: string | null = null;

  constructor(private readonly owner: PeerOwner) {}

  /** Some endpoint is bound or connected. */
  get any(): boolean {
    return this.bindings.size + this.connections.size > 0;
  }

  async bind(address: string): Promise<void> {
    const target = this.prepare(address, true);
    if ("inproc" in target) return this.bindInproc(address, target.inproc);
    const { transport, ep } = target;
    if (transport.bind === undefined) throw zmqError("EPROTONOSUPPORT", "Protocol not supported", { address });
    let binding: Binding;
    try {
      binding = await transport.bind(this.owner, address, ep);
    } catch (err) {
      this.owner.events.emit(bindErrorEvent(address, err as ZmqError));
      throw err;
    }
    this.added(binding);
  }

  /** Binds before returning (see Socket.bindSync). */
  bindSync(address: string): void {
    const target = this.prepare(address, true);
    if ("inproc" in target) return this.bindInproc(address, target.inproc);
    const { transport, ep } = target;
    if (transport.bindSync === undefined) throw zmqError("EPROTONOSUPPORT", "Protocol not supported", { address });
    let binding: Binding;
    try {
      binding = transport.bindSync(this.owner, address, ep);
    } catch (err) {
      this.owner.events.emit(bindErrorEvent(address, err as ZmqError));
      throw err;
    }
    this.added(binding);
  }

  /**
   * What bind, bindSync and connect share: the address and option checks. A protocol no
   * transport serves in this build is refused here (EPROTONOSUPPORT), after the address parses.
   */
  private prepare(address: string, forBind: boolean): Target {
    checkUri(address, this.owner.socketType);
    const transport = transportOf(address);
    if (transport === undefined) {
      const ep = parseEndpoint(address, forBind);
      if (ep.transport !== "inproc") throw zmqError("EPROTONOSUPPORT", "Protocol not supported", { address });
      checkSecurityOptions(this.owner.options);
      return { inproc: ep };
    }
    const ep = transport.parse(address, forBind);
    checkSecurityOptions(this.owner.options);
    return { transport, ep };
  }

  private bindInproc(address: string, ep: InprocEndpoint): void {
    this.added(new InprocBinding(address, ep.name, bindInproc(this.owner, ep.name, address)));
  }

  private added(binding: Binding): void {
    this.bindings.set(binding.endpoint, binding);
    this.lastBound = binding.endpoint;
    if (monitored(binding)) this.owner.events.emit({ type: "bind", address: binding.endpoint });
  }

  /**
   * Unbinds: the endpoint is taken off at once (ENOENT thrown here when there is none), the
   * promise resolves once its listener is closed, with the `close` event.
   */
  unbind(address: string): Promise<void> {
    checkUri(address, this.owner.socketType);
    // By the endpoint bound (lastEndpoint), or by the address given to bind() when that named
    // no wildcard (a host name binds its address, so the two differ).
    const binding = this.bindings.get(address) ?? (namesWildcard(address) ? undefined : [...this.bindings.values()].find((b) => b.address === address));
    if (binding === undefined) throw zmqError("ENOENT", "No such endpoint", { address });
    this.bindings.delete(binding.endpoint);
    return this.unbound(binding);
  }

  private async unbound(binding: Binding): Promise<void> {
    const closed = binding.close();
    binding.destroy();
    await closed;
    if (monitored(binding)) this.owner.events.emit({ type: "close", address: binding.endpoint });
  }

  connect(address: string, options?: ConnectOptions): void {
    const target = this.prepare(address, false);
    if (this.connections.has(address)) return;
    // As zeromq, an empty routing id is no routing id.
    const routingId = options?.routingId ? Buffer.from(options.routingId) : null;
    const conn = "inproc" in target ? new InprocConnection(this.owner, address, target.inproc, routingId) : target.transport.connect(this.owner, address, target.ep, routingId);
    this.connections.set(address, conn);
    conn.start();
  }

  disconnect(address: string): void {
    checkUri(address, this.owner.socketType);
    const conn = this.connections.get(address);
    if (conn === undefined) throw zmqError("ENOENT", "No such endpoint", { address });
    this.connections.delete(address);
    conn.close();
  }

  /**
   * Lets go of every endpoint, as unbind() and disconnect() of each would, but leaves each
   * tcp/ipc peer instead of cutting it off (Engine.leave), so that what it already sent still
   * arrives. Resolves once every connection is closed.
   */
  async leave(): Promise<void> {
    const bindings = [...this.bindings.values()];
    const connections = [...this.connections.values()];
    this.bindings.clear();
    this.connections.clear();
    const left = (binding: Binding): Promise<void> =>
      binding.leave === undefined
        ? this.unbound(binding)
        : binding.leave().then(() => {
            if (monitored(binding)) this.owner.events.emit({ type: "close", address: binding.endpoint });
          });
    await Promise.all([...bindings.map(left), ...connections.map((conn) => (conn.leave === undefined ? conn.close() : conn.leave()))]);
  }

  /** At the socket's close: every binding stops taking peers (its address is free) and reports `close`. */
  closeBindings(): void {
    const bindings = [...this.bindings.values()];
    this.bindings.clear();
    for (const b of bindings) {
      // The server's callback waits for its connections, which may linger.
      b.close().catch(() => {});
      if (monitored(b)) this.owner.events.emit({ type: "close", address: b.endpoint });
      this.closedBindings.push(b);
    }
  }

  /** Waits until queued messages are written, or for `linger` ms (-1: no limit). */
  async linger(linger: number): Promise<void> {
    const deadline = linger < 0 ? Infinity : Date.now() + linger;
    const waits: Promise<void>[] = [...this.connections.values()].map((c) => c.linger(deadline));
    for (const b of [...this.bindings.values(), ...this.closedBindings]) waits.push(b.linger(linger));
    await Promise.all(waits);
  }

  /** Ends every connection now, dropping what is still queued (after closeBindings). */
  release(): void {
    const connections = [...this.connections.values()];
    this.connections.clear();
    for (const conn of connections) conn.close();
    for (const b of this.closedBindings) b.destroy();
    this.closedBindings = [];
  }
}

/** Whether a bind address leaves host or port (or an ipc path) to be chosen; false when it cannot be parsed. */
function namesWildcard(address: string): boolean {
  const transport = transportOf(address);
  if (transport?.namesWildcard === undefined) return false;
  try {
    return transport.namesWildcard(transport.parse(address, true));
  } catch {
    return false;
  }
}

/** libzmq reports no monitor event for an inproc endpoint: no bind or close (see inproc-link.ts). */
function monitored(binding: Binding): boolean {
  return binding.kind !== "inproc";
}
