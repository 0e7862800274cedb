import type { WsEndpoint } from "../transports/endpoint.js";
import type { WsDialer } from "../transports/ws-dial.js";
import type { WsTls } from "../transports/ws-tls.js";
import type { ZwsMechanism } from "../wire/zws.js";
import type { Engine } from "../engine/engine.js";
import type { Pipe } from "../engine/pipe.js";
import type { DialedEndpoint } from "./engine-host.js";
import { connectPipe, lingerDialed, type Connection } from "./connections.js";
import type { PeerOwner } from "./peer-owner.js";

/** A connect()ed ws or wss endpoint: as a tcp one, with a WebSocket upgrade before the handshake. */
export class WsConnection implements DialedEndpoint, Connection {
  readonly kind = "ws";
  pipe: Pipe | null = null;
  engine: Engine | null = null;
  dropped = false;
  /** Null until the dialer's module has loaded (see start()), and after close(). */
  private real: WsDialer | null = null;
  /** What engine-host calls once a connection opened, which only a loaded dialer can do. */
  readonly dialer = {
    stop: (): void => this.real?.stop(),
    connectionLost: (): void => this.real?.connectionLost(),
  };

  constructor(
    private readonly owner: PeerOwner,
    readonly address: string,
    readonly ep: WsEndpoint,
    /** ROUTER: the routing id given to this peer by connect(address, { routingId }). */
    readonly routingId: Buffer | null,
    private readonly mechanism: ZwsMechanism,
    private readonly maxPayload: number,
    private readonly tls: WsTls | null,
  ) {}

  start(): void {
    // A connect()'s pipe outlives reconnects, as libzmq's (connectPipe says when there is one).
    this.pipe = connectPipe(this.owner, this.address, this.routingId);
    // The dialer, the `ws` package and the ZWS engine load on the first ws connect, not when
    // wiremq is imported: most programs never dial ws, and `ws` with node:http costs more than
    // the rest of the import.
    void Promise.all([import("../transports/ws-dial.js"), import("./zws-host.js")]).then(([{ WsDialer }, { createZwsEngine, dialRefused, hostDialed }]) => {
      if (this.dropped) return;
      const { owner, address } = this;
      const events = owner.events;
      let dialer: WsDialer;
      try {
        dialer = new WsDialer(this.ep, { ...owner.options, mechanism: this.mechanism, maxPayload: this.maxPayload, tls: this.tls }, {
          delayed: () => events.emit({ type: "connect:delay", address }),
          connected: () => events.emit({ type: "connect", address }),
          retry: (interval) => events.emit({ type: "connect:retry", address, interval }),
          failed: () => events.emit({ type: "close", address }),
          opened: (channel) => hostDialed(owner, this, (host) => createZwsEngine(owner, channel, address, host)),
          refused: (why) => dialRefused(owner, this, why),
          });
      } catch (err) {
        // Unusable TLS settings that connect() could not check (checkTlsContext): no redial.
        events.emit({ type: "close", address, error: err as Error });
        return;
      }
      this.real = dialer;
      dialer.start();
    });
  }

  close(): void {
    this.dropped = true;
    this.real?.stop();
    this.engine?.destroy();
    this.pipe?.terminate();
  }

  /** Waits until the pipe's queued messages are written, or the deadline passes. */
  linger(deadline: number): Promise<void> {
    return lingerDialed(this, deadline);
  }
}
