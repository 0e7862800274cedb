import type { Socket as NetSocket } from "node:net";
import type { Endpoint } from "../transports/endpoint.js";
import type { Engine, EngineHost, EngineOptions } from "../engine/engine.js";
import type { Pipe } from "../engine/pipe.js";
import { isCompatible, sendsIdentity } from "../engine/socket-types.js";
import { createMechanism } from "../mechanisms/index.js";
import type { HandshakeFailure, ZapRequest } from "../mechanisms/mechanism.js";
import type { Properties } from "../wire/command.js";
import { askZap, zapAvailable } from "./zap-registry.js";
import type { ZapAsk } from "./zap-client.js";
import { handshakeEventError } from "./event-errors.js";
import type { PeerOwner } from "./peer-owner.js";
import type { SocketOptionValues } from "./socket-options.js";

/** A connect()ed tcp, ipc or ws endpoint. */
export interface DialedEndpoint {
  readonly address: string;
  /** ROUTER: the routing id given to this peer by connect(address, { routingId }). */
  readonly routingId: Buffer | null;
  readonly ep: Endpoint;
  pipe: Pipe | null;
  readonly dialer: {
    stop(): void;
    connectionLost(): void;
    /** The handshake is done (tcp/ipc: lets another connect to the same listener start). */
    handshakeDone?(): void;
  };
  engine: Engine | null;
  /** Dropped by disconnect() or at the end of close(): a lost connection is not redialed. */
  readonly dropped: boolean;
}

/** A bound tcp, ipc or ws endpoint. */
export interface ListeningEndpoint {
  /** Read when a peer arrives, since it is known only once listening (port 0, ipc wildcard). */
  readonly endpoint: string;
  readonly ep: Endpoint;
  readonly engines: Set<Engine>;
  /** Set by unbind before it ends the connections, which then report no disconnect. */
  unbound: boolean;
}

/**
 * What a ZMTP engine of either kind is given: the socket's mechanism, limits and timers
 * (node-transports.ts makes the tcp/ipc StreamEngine with it; zws-host.ts the ZWS one).
 */
export function zmtpEngineOptions(owner: PeerOwner, endpoint: string, peerAddress: () => string): EngineOptions {
  const o = owner.options;
  const mechanism = createMechanism(o, {
    properties: properties(owner),
    // Only a ZAP request reads it; for tcp it is a getpeername() per connection.
    get peerAddress() {
      return peerAddress();
    },
    routingId: owner.routingIdBytes(),
    zapDomain: o.zapDomain,
    zapEnabled: zapAvailable(),
    zapEnforceDomain: o.zapEnforceDomain,
  });
  return {
    mechanism,
    maxMessageSize: o.maxMessageSize,
    heartbeatInterval: o.heartbeatInterval,
    heartbeatTimeToLive: o.heartbeatTimeToLive,
    heartbeatTimeout: o.heartbeatTimeout,
    handshakeInterval: o.handshakeInterval,
    endpoint,
    subscriptionCommands: owner.socketType === "SUB" || owner.socketType === "XSUB",
    groupCommands: owner.socketType === "RADIO" || owner.socketType === "DISH",
  };
}

/**
 * Each socket's handshake properties, built again only when its routing id changes: the same
 * array for every connection lets the mechanism reuse the READY it encoded from it (null.ts).
 */
const propertiesOf = new WeakMap<PeerOwner, { id: Buffer; props: Properties }>();

function properties(owner: PeerOwner): Properties {
  const id = owner.routingIdBytes();
  const known = propertiesOf.get(owner);
  if (known !== undefined && known.id.equals(id)) return known.props;
  const props: [string, Uint8Array][] = [["Socket-Type", Buffer.from(owner.socketType)]];
  if (sendsIdentity(owner.socketType)) props.push(["Identity", id]);
  propertiesOf.set(owner, { id, props });
  return props;
}

/** The dialer reached the peer: its engine serves the connect()'s pipe once the handshake is done. */
export function startDialedEngine(owner: PeerOwner, conn: DialedEndpoint, sock: NetSocket): void {
  if (conn.ep.transport === "tcp") applyKeepalive(sock, owner.options);
  owner.events.emit({ type: "connect", address: conn.address });
  hostDialed(owner, conn, (host) => owner.createEngine(sock, conn.address, host, () => peerAddressOf(sock, conn.ep)));
}

/** Serves a connect()'s pipe with the engine `create` makes (the connect event is the caller's). */
export function hostDialed(owner: PeerOwner, conn: DialedEndpoint, create: (host: EngineHost) => Engine): void {
  conn.engine = create(new DialedPeer(owner, conn));
}

/** The host of one dialed connection: one object, its methods on the prototype (see AcceptedPeer). */
class DialedPeer implements EngineHost {
  readonly dialed = true;
  /** The peer was refused or the handshake failed for good: no redial. */
  private refused = false;
  private zap: ZapSlot | null = null;

  constructor(
    private readonly owner: PeerOwner,
    private readonly conn: DialedEndpoint,
  ) {}

  engineReady(engine: Engine): Pipe | null {
    const { owner, conn } = this;
    conn.dialer.handshakeDone?.();
    if (owner.closed && !owner.lingering) return null;
    if (!admit(owner, engine, conn.address)) {
      this.refused = true;
      return null;
    }
    let pipe = conn.pipe;
    if (pipe === null || pipe.terminated) {
      if (!owner.acceptsPipe()) return null;
      pipe = conn.pipe = owner.newPipe(conn.address);
      setPeer(pipe, engine, conn.routingId);
      owner.attachPipe(pipe);
    } else {
      setPeer(pipe, engine, conn.routingId);
      owner.hiccup(pipe);
    }
    return pipe;
  }

  engineHandshakeFailed(_engine: Engine, failure: HandshakeFailure): void {
    this.refused = givesUp(failure);
    failedHandshake(this.owner, this.conn.address, failure);
  }

  zapRequest(engine: Engine, request: ZapRequest): void {
    (this.zap ??= new ZapSlot()).ask(engine, request);
  }

  engineClosed(engine: Engine, error: Error | null, wasReady: boolean): void {
    this.zap?.cancel();
    const { owner, conn, refused } = this;
    if (conn.engine !== engine) return;
    conn.engine = null;
    const address = conn.address;
    // As libzmq: every connection that ends reports disconnect, handshake done or not,
    // unless this side ended it (close, disconnect()).
    if (!owner.closed && !conn.dropped) owner.events.emit(error === null ? { type: "disconnect", address } : { type: "disconnect", address, error });
    const perConnection = owner.pipePerConnection && conn.routingId === null;
    if ((perConnection || refused) && conn.pipe !== null) {
      conn.pipe.terminate();
      conn.pipe = null;
    } else if (wasReady && conn.pipe !== null && !conn.pipe.terminated) {
      owner.connectionEnded(conn.pipe);
    }
    if (refused) conn.dialer.stop();
    else if ((!owner.closed || owner.lingering) && !conn.dropped) conn.dialer.connectionLost();
  }
}

/**
 * A dialed connection refused before it had an engine (a failed WebSocket upgrade): reported
 * as a failed handshake and a disconnect, then retried unless the failure gives up.
 */
export function dialRefused(owner: PeerOwner, conn: DialedEndpoint, failure: HandshakeFailure): void {
  if (owner.closed || conn.dropped) return;
  failedHandshake(owner, conn.address, failure);
  owner.events.emit({ type: "disconnect", address: conn.address });
  if (givesUp(failure)) conn.dialer.stop();
  else conn.dialer.connectionLost();
}

/** An accepted connection refused before it had an engine (not a ZWS upgrade). */
export function acceptRefused(owner: PeerOwner, address: string, failure: HandshakeFailure): void {
  if (owner.closed) return;
  failedHandshake(owner, address, failure);
  owner.events.emit({ type: "disconnect", address });
}

/** A peer connected to a bound endpoint: it gets a pipe of its own once the handshake is done. */
export function startAcceptedEngine(owner: PeerOwner, binding: ListeningEndpoint, sock: NetSocket): void {
  if (owner.closed) {
    sock.destroy();
    return;
  }
  owner.events.emit({ type: "accept", address: binding.endpoint });
  if (binding.ep.transport === "tcp") applyKeepalive(sock, owner.options);
  hostAccepted(owner, binding, (host) => owner.createEngine(sock, binding.endpoint, host, () => peerAddressOf(sock, binding.ep)));
}

/** Gives an accepted peer a pipe of its own once `create`'s engine is done with the handshake. */
export function hostAccepted(owner: PeerOwner, binding: ListeningEndpoint, create: (host: EngineHost) => Engine): void {
  binding.engines.add(create(new AcceptedPeer(owner, binding)));
}

/**
 * The host of one accepted connection: one object with its methods on the prototype, not an
 * object of closures, since a ROUTER may hold tens of thousands of them.
 */
class AcceptedPeer implements EngineHost {
  readonly writeQueueOnPeerEnd = true;
  private pipe: Pipe | null = null;
  /** Made on the first ZAP request: most connections never ask. */
  private zap: ZapSlot | null = null;

  constructor(
    private readonly owner: PeerOwner,
    private readonly binding: ListeningEndpoint,
  ) {}

  engineReady(engine: Engine): Pipe | null {
    const owner = this.owner;
    const address = this.binding.endpoint;
    if (owner.closed || !admit(owner, engine, address) || !owner.acceptsPipe()) return null;
    const pipe = (this.pipe = owner.newPipe(address));
    setPeer(pipe, engine);
    owner.attachPipe(pipe);
    return pipe;
  }

  engineHandshakeFailed(_engine: Engine, failure: HandshakeFailure): void {
    failedHandshake(this.owner, this.binding.endpoint, failure);
  }

  zapRequest(engine: Engine, request: ZapRequest): void {
    (this.zap ??= new ZapSlot()).ask(engine, request);
  }

  engineClosed(engine: Engine, error: Error | null): void {
    this.zap?.cancel();
    const { owner, binding } = this;
    binding.engines.delete(engine);
    const address = binding.endpoint;
    if (!owner.closed && !binding.unbound) owner.events.emit(error === null ? { type: "disconnect", address } : { type: "disconnect", address, error });
    this.pipe?.terminate();
  }
}

/**
 * A connection's ZAP request in flight. It ends with the connection: libzmq's session ends its
 * zap_pipe with the engine, so a silent handler is bounded by the handshake timer
 * (handshakeInterval) and by the connection's close, and holds nothing after either.
 */
class ZapSlot {
  private pending: ZapAsk | null = null;

  readonly ask = (engine: Engine, req: ZapRequest): void => {
    this.cancel();
    let answered = false;
    const asked = askZap(req, (reply) => {
      // May come at once (no handler bound), before askZap has returned.
      answered = true;
      this.pending = null;
      engine.zapReply?.(reply);
    });
    if (!answered) this.pending = asked;
  };

  cancel(): void {
    const asked = this.pending;
    this.pending = null;
    asked?.cancel();
  }
}

/** tcpKeepalive 1 turns keepalive on (probes after tcpKeepaliveIdle s, if set), 0 off. */
function applyKeepalive(sock: NetSocket, o: Readonly<SocketOptionValues>): void {
  if (o.tcpKeepalive === 1) sock.setKeepAlive(true, o.tcpKeepaliveIdle > 0 ? o.tcpKeepaliveIdle * 1000 : 0);
  else if (o.tcpKeepalive === 0) sock.setKeepAlive(false);
}

/** Checks the peer's Socket-Type; emits the handshake event or refuses the peer. */
/**
 * Checks the peer's Socket-Type and emits the handshake event. A peer of a type this socket
 * cannot talk to is refused as libzmq refuses it: no handshake event of any kind, only the
 * disconnect, and no reconnect.
 */
function admit(owner: PeerOwner, engine: Engine, address: string): boolean {
  const peerType = engine.peerProperties.get("socket-type")?.toString("ascii") ?? "";
  if (engine.unchecked !== true && !isCompatible(owner.socketType, peerType)) return false;
  owner.events.emit({ type: "handshake", address });
  return true;
}

function failedHandshake(owner: PeerOwner, address: string, failure: HandshakeFailure): void {
  if (failure.quiet === true) return;
  owner.events.emit({ type: `handshake:error:${failure.kind}`, address, error: handshakeEventError(failure) });
}

/**
 * As libzmq (session_base_t::engine_error): after a protocol error or a refusal the connect()
 * is given up, its pipe ended; lost connections and timeouts are retried.
 */
function givesUp(failure: HandshakeFailure): boolean {
  return failure.kind !== "other" && failure.reconnect !== true;
}

function setPeer(pipe: Pipe, engine: Engine, fixedId: Buffer | null = null): void {
  pipe.properties = engine.peerProperties;
  const id = engine.peerProperties.get("identity");
  pipe.routingId = fixedId ?? (id !== undefined && id.length > 0 ? Buffer.from(id) : null);
}

function peerAddressOf(sock: NetSocket, ep: Endpoint): string {
  if (ep.transport === "tcp" || ep.transport === "ws") return sock.remoteAddress ?? "";
  return ep.transport === "ipc" ? ep.path : ep.name;
}
