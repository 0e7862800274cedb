import type { Socket as NetSocket } from "node:net";
import { zmqError } from "../errors.js";
import type { Engine, EngineHost } from "../engine/engine.js";
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

type StreamEngineMaker = (owner: PeerOwner, sock: NetSocket, endpoint: string, host: EngineHost, peerAddress: () => string) => Engine;
let streamEngineMaker: StreamEngineMaker | null = null;

/** The ZMTP engine over a byte stream (node-transports.ts registers it with tcp and ipc). */
export function registerStreamEngine(maker: StreamEngineMaker): void {
  streamEngineMaker = maker;
}

/** A ZMTP engine for a tcp or ipc connection: what Socket.createEngine makes unless a socket type makes its own. */
export function zmtpStreamEngine(owner: PeerOwner, sock: NetSocket, endpoint: string, host: EngineHost, peerAddress: () => string): Engine {
  // Only a registered transport hands over a byte stream, and it registers the maker with it.
  if (streamEngineMaker === null) throw zmqError("EPROTONOSUPPORT", "Protocol not supported");
  return streamEngineMaker(owner, sock, endpoint, host, peerAddress);
}
