import type { Binding } from "./bindings.js";
import type { Connection } from "./connections.js";
import type { PeerOwner } from "./peer-owner.js";

/**
 * How a socket binds and connects over one protocol other than inproc (which every build has,
 * in endpoints.ts). Each build registers its own: the Node entries tcp and ipc
 * (node-transports.ts), the browser entry ws and wss over the WHATWG WebSocket; so a socket's
 * code imports no transport, and the browser graph holds no node:net.
 */
export interface SocketTransport<E = unknown> {
  /** Parses the address (throwing EINVAL and the like with `address` set). */
  parse(address: string, forBind: boolean): E;
  /** Listens; resolves with the binding once the address is taken. Absent: this build cannot bind it. */
  bind?(owner: PeerOwner, address: string, ep: E): Promise<Binding>;
  /** Listens before returning (Socket.bindSync). */
  bindSync?(owner: PeerOwner, address: string, ep: E): Binding;
  /** The connect()ed endpoint, not yet started. */
  connect(owner: PeerOwner, address: string, ep: E, routingId: Buffer | null): Connection;
  /** Whether a bind address leaves something to be chosen (host, port, ipc path). */
  namesWildcard?(ep: E): boolean;
}

const transports = new Map<string, SocketTransport>();

export function registerTransport<E>(protocol: string, transport: SocketTransport<E>): void {
  transports.set(protocol, transport as SocketTransport);
}

/** The transport for an address's protocol, or undefined when this build serves none. */
export function transportOf(address: string): SocketTransport | undefined {
  const separator = address.indexOf("://");
  return separator <= 0 ? undefined : transports.get(address.slice(0, separator));
}
