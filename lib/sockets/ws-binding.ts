import type { WsEndpoint } from "../transports/endpoint.js";
import type { Listener } from "../transports/stream.js";
import type { WsPeer } from "../transports/ws-listen.js";
import type { Engine } from "../engine/engine.js";
import type { ListeningEndpoint } from "./engine-host.js";

type ZwsHost = typeof import("./zws-host.js");
import type { Binding } from "./bindings.js";
import type { PeerOwner } from "./peer-owner.js";

const RESOLVED: Promise<void> = Promise.resolve();

/** A bound ws or wss endpoint: its HTTP listener and the ZWS connections it accepted. */
export class WsBinding implements ListeningEndpoint, Binding {
  readonly kind = "ws";
  /** The address given to bind() until listening, then the one bound (port 0 chosen). */
  endpoint: string;
  readonly engines = new Set<Engine>();
  unbound = false;
  private listener: Listener | null = null;

  constructor(
    private readonly owner: PeerOwner,
    readonly address: string,
    readonly ep: WsEndpoint,
    /** Loaded with the listener (node-ws.ts), which calls accept() only once it listens. */
    private readonly host: ZwsHost,
  ) {
    this.endpoint = address;
  }

  /** What the listener calls for each TCP (wss: TLS) connection, as libzmq reports accept. */
  readonly accept = (_remoteAddress: string): WsPeer => {
    const owner = this.owner;
    if (!owner.closed) owner.events.emit({ type: "accept", address: this.endpoint });
    const { hostAccepted, acceptRefused, createZwsEngine } = this.host;
    return {
      open: (channel) => {
        if (owner.closed) channel.destroy();
        else hostAccepted(owner, this, (host) => createZwsEngine(owner, channel, this.endpoint, host));
      },
      refused: (why) => acceptRefused(owner, this.endpoint, why),
    };
  };

  listening(listener: Listener): void {
    this.listener = listener;
    this.endpoint = listener.endpoint;
  }

  close(): Promise<void> {
    return this.listener?.close() ?? RESOLVED;
  }

  /** Ends the accepted connections now; they report no disconnect. */
  destroy(): void {
    this.unbound = true;
    for (const engine of this.engines) engine.destroy();
  }

  async linger(ms: number): Promise<void> {
    await Promise.all([...this.engines].map((engine) => engine.linger(ms)));
  }
}
