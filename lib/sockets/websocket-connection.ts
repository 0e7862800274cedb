import type { WsEndpoint } from "../transports/endpoint.js";
import { formatWs } from "../transports/endpoint.js";
import { BrowserZwsChannel, type BrowserWebSocket } from "../transports/browser-ws-channel.js";
import { zwsOffer, type ZwsSubprotocol } from "../wire/zws.js";
import { mechanismName } from "../mechanisms/index.js";
import { loadSodium } from "../mechanisms/sodium.js";
import type { Engine } from "../engine/engine.js";
import type { Pipe } from "../engine/pipe.js";
import { hostDialed, type DialedEndpoint } from "./engine-host.js";
import { createZwsEngine } from "./zws-host.js";
import { ReconnectSchedule } from "../transports/reconnect.js";
import { connectPipe, lingerDialed, type Connection } from "./connections.js";
import type { PeerOwner } from "./peer-owner.js";

export type WebSocketMaker = (url: string, protocols: string[]) => BrowserWebSocket;

/**
 * A connect()ed ws:// or wss:// endpoint over the WHATWG WebSocket (the browser build): dials,
 * hands each open WebSocket to a ZWS engine, and redials after a failure or a loss on the tcp
 * dialer's schedule (reconnectInterval plus jitter, doubling up to reconnectMaxInterval; -1:
 * never). A browser's WebSocket refuses "/" in a subprotocol name, so it offers wiremq's
 * token spellings ("ZWS2.0+CURVE"; NULL adds bare "ZWS2.0", which libzmq takes): PLAIN and
 * CURVE from a page reach wiremq endpoints only, as libzmq 4.3.5 knows no such names.
 */
export class WebSocketConnection implements Connection, DialedEndpoint {
  readonly kind = "ws";
  pipe: Pipe | null = null;
  engine: Engine | null = null;
  dropped = false;
  private current: BrowserWebSocket | null = null;
  private readonly retries: ReconnectSchedule;
  private stopped = false;
  readonly dialer = { stop: (): void => this.stop(), connectionLost: (): void => this.scheduleRetry() };

  constructor(
    private readonly owner: PeerOwner,
    readonly address: string,
    readonly ep: WsEndpoint,
    readonly routingId: Buffer | null,
    private readonly makeSocket: WebSocketMaker,
  ) {
    this.retries = new ReconnectSchedule(owner.options);
  }

  start(): void {
    // A connect()'s pipe outlives reconnects, as libzmq's (connectPipe says when there is one).
    this.pipe = connectPipe(this.owner, this.address, this.routingId);
    this.attempt();
  }

  private attempt(): void {
    if (this.stopped) return;
    const owner = this.owner;
    const address = this.address;
    const mechanism = mechanismName(owner.options);
    const ep = this.ep;
    let ws: BrowserWebSocket;
    try {
      ws = this.makeSocket(formatWs(ep.secure, ep.host, ep.port, ep.path), zwsOffer(mechanism, true));
    } catch (err) {
      owner.events.emit({ type: "close", address, error: err as Error });
      this.stop();
      return;
    }
    ws.binaryType = "arraybuffer";
    this.current = ws;
    owner.events.emit({ type: "connect:delay", address });
    ws.onopen = () => {
      if (this.stopped || this.current !== ws) return;
      this.retries.reset();
      owner.events.emit({ type: "connect", address });
      const channel = new BrowserZwsChannel(ws, ws.protocol as ZwsSubprotocol, ep.host);
      const begin = (): void => {
        if (this.stopped || this.current !== ws) channel.close();
        else hostDialed(owner, this, (host) => createZwsEngine(owner, channel, address, host));
      };
      // CURVE's keys come from libsodium where there is no node:crypto: it loads first.
      if (mechanism === "CURVE") loadSodium().then(begin, () => channel.close());
      else begin();
    };
    ws.onerror = () => {};
    ws.onclose = () => {
      // Once open, the channel took over onclose; this is a dial that never opened.
      if (this.current === ws) this.current = null;
      if (this.stopped) return;
      owner.events.emit({ type: "close", address });
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const wait = this.retries.schedule(() => this.attempt());
    if (wait !== null) this.owner.events.emit({ type: "connect:retry", address: this.address, interval: wait });
  }

  private stop(): void {
    this.stopped = true;
    this.retries.cancel();
    const ws = this.current;
    this.current = null;
    if (ws !== null && this.engine === null) ws.close();
  }

  close(): void {
    this.dropped = true;
    this.stop();
    this.engine?.destroy();
    this.pipe?.terminate();
  }

  /** Waits until the pipe's queued messages are written, or the deadline passes. */
  linger(deadline: number): Promise<void> {
    return lingerDialed(this, deadline);
  }
}
