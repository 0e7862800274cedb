import type { Socket as NetSocket } from "node:net";
import type { Endpoint } from "../transports/endpoint.js";
import type { Listener } from "../transports/stream.js";
import type { Engine } from "../engine/engine.js";
import type { ListeningEndpoint } from "./engine-host.js";
import { acceptWhenEngine } from "./stream-engine-loader.js";
import type { PeerOwner } from "./peer-owner.js";
import type { Binding } from "./bindings.js";

type StreamEndpoint = Extract<Endpoint, { transport: "tcp" | "ipc" }>;

const RESOLVED: Promise<void> = Promise.resolve();

/** A bound tcp or ipc endpoint: its listener and the connections it accepted. */
export class StreamBinding implements ListeningEndpoint, Binding {
  readonly kind: "tcp" | "ipc";
  /** The address given to bind() until listening, then the one bound (port 0, ipc wildcard chosen). */
  endpoint: string;
  readonly engines = new Set<Engine>();
  unbound = false;
  private listener: Listener | null = null;

  constructor(
    private readonly owner: PeerOwner,
    readonly address: string,
    readonly ep: StreamEndpoint,
  ) {
    this.kind = ep.transport;
    this.endpoint = address;
  }

  /** What the listener calls with each connection it accepts. */
  readonly accept = (sock: NetSocket): void => acceptWhenEngine(sock, (m) => m.startAcceptedEngine(this.owner, this, sock));

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

  async leave(): Promise<void> {
    this.unbound = true;
    await Promise.all([this.close(), ...[...this.engines].map((engine) => (engine.leave === undefined ? engine.destroy() : engine.leave()))]);
  }

  /** Waits until the accepted connections wrote what is queued for them, or `ms` passes (-1: no limit). */
  async linger(ms: number): Promise<void> {
    await Promise.all([...this.engines].map((engine) => engine.linger(ms)));
  }
}
