import type { WsEndpoint } from "../transports/endpoint.js";
import { WsDialer } from "../transports/ws-dial.js";
import type { WsTls } from "../transports/ws-tls.js";
import type { ZwsMechanism } from "../wire/zws.js";
import type { Engine } from "../engine/engine.js";
import type { Pipe } from "../engine/pipe.js";
import { createZwsEngine, dialRefused, hostDialed, type DialedEndpoint } from "./engine-host.js";
import { connectPipe, lingerDialed, type Connection } from "./connections.js";
import type { PeerOwner } from "./peer-owner.js";

/** A connect()ed ws or wss endpoint: as a tcp one, with a WebSocket upgrade before the handshake. */
export class WsConnection implements DialedEndpoint, Connection {
  readonly kind = "ws";
  pipe: Pipe | null = null;
  engine: Engine | null = null;
  dropped = false;
  readonly dialer: WsDialer;

  constructor(
    private readonly owner: PeerOwner,
    readonly address: string,
    readonly ep: WsEndpoint,
    /** ROUTER: the routing id given to this peer by connect(address, { routingId }). */
    readonly routingId: Buffer | null,
    mechanism: ZwsMechanism,
    maxPayload: number,
    tls: WsTls | null,
  ) {
    const events = owner.events;
    this.dialer = new WsDialer(ep, { ...owner.options, mechanism, maxPayload, tls }, {
      delayed: () => events.emit({ type: "connect:delay", address }),
      connected: () => events.emit({ type: "connect", address }),
      retry: (interval) => events.emit({ type: "connect:retry", address, interval }),
      failed: () => events.emit({ type: "close", address }),
      opened: (channel) => hostDialed(owner, this, (host) => createZwsEngine(owner, channel, address, host)),
      refused: (why) => dialRefused(owner, this, why),
    });
  }

  start(): void {
    // A connect()'s pipe outlives reconnects, as libzmq's (connectPipe says when there is one).
    this.pipe = connectPipe(this.owner, this.address, this.routingId);
    this.dialer.start();
  }

  close(): void {
    this.dropped = true;
    this.dialer.stop();
    this.engine?.destroy();
    this.pipe?.terminate();
  }

  /** Waits until the pipe's queued messages are written, or the deadline passes. */
  linger(deadline: number): Promise<void> {
    return lingerDialed(this, deadline);
  }
}
