import * as net from "node:net";
import * as tls from "node:tls";
import type { IncomingMessage } from "node:http";
import { WebSocket } from "ws";
import { ProtocolError, zmqError } from "../errors.js";
import { zwsOffer, type ZwsMechanism, type ZwsSubprotocol } from "../wire/zws.js";
import type { WsEndpoint } from "./endpoint.js";
import type { DialerOptions } from "./stream.js";
import { readAsData, withReader } from "./reader.js";
import { NodeZwsChannel } from "./ws-channel.js";
import { nodePem, secureContextOf, type WsRefusal } from "./ws-listen.js";
import type { WsTls } from "./ws-tls.js";
import { ReconnectSchedule } from "./reconnect.js";

export interface WsDialerOptions extends DialerOptions {
  mechanism: ZwsMechanism;
  /** The largest message `ws` buffers before the engine sets its own limit. */
  maxPayload: number;
  /** ms the upgrade may take once connected (0: no limit). */
  handshakeInterval: number;
  tls: WsTls | null;
}

export interface WsDialerEvents {
  /** An attempt is under way (libzmq's connect:delay). */
  delayed(): void;
  /** The TCP connection is up (libzmq's connect); the upgrade follows. */
  connected(): void;
  /** The upgrade succeeded: the ZWS engine takes the channel. */
  opened(channel: NodeZwsChannel): void;
  /** Connected, but the upgrade (or TLS) failed; call connectionLost() to retry. */
  refused(why: WsRefusal): void;
  /** The attempt failed before connecting (libzmq's close for the connecter). */
  failed(): void;
  /** A redial is scheduled after `interval` ms. */
  retry(interval: number): void;
}

/**
 * Keeps one outgoing ws/wss connection up, as the tcp Dialer does (same reconnect schedule):
 * each attempt opens a WebSocket offering the ZWS subprotocols of the socket's mechanism.
 * The TCP connection does not hold the event loop.
 */
export class WsDialer {
  private readonly retries: ReconnectSchedule;
  private current: WebSocket | null = null;
  private stopped = false;
  /** wss: made once, so a bad key or passphrase throws from connect(), not on each attempt. */
  private readonly tlsOptions: tls.ConnectionOptions | null;

  constructor(
    private readonly ep: WsEndpoint,
    private readonly options: WsDialerOptions,
    private readonly events: WsDialerEvents,
  ) {
    this.retries = new ReconnectSchedule(options);
    this.tlsOptions = ep.secure ? clientTlsOptions(options.tls, ep.host, ep.address) : null;
  }

  start(): void {
    this.attempt();
  }

  private attempt(): void {
    if (this.stopped) return;
    const ep = this.ep;
    const o = this.options;
    let raw: net.Socket | null = null;
    let connected = false;
    let settled = false;
    const host = ep.family === 6 ? `[${ep.host}]` : ep.host;
    const url = `${ep.secure ? "wss" : "ws"}://${host}:${ep.port}${ep.path}`;
    const tlsOptions = this.tlsOptions;
    const offer = zwsOffer(o.mechanism);
    let selected: ZwsSubprotocol | null = null;
    // ZWS names ("ZWS2.0/NULL") are not HTTP tokens, which `ws` insists on: the offer goes as
    // a plain header, and the answer is checked here and removed before `ws` looks for it.
    const ws = new WebSocket(url, {
      headers: { "Sec-WebSocket-Protocol": offer.join(",") },
      perMessageDeflate: false,
      maxPayload: o.maxPayload,
      followRedirects: false,
      ...(o.connectTimeout > 0 ? { handshakeTimeout: o.connectTimeout + (o.handshakeInterval > 0 ? o.handshakeInterval : 0) } : {}),
      createConnection: (() => {
        const opts = { host: ep.host, port: ep.port, noDelay: true, ...(o.ipv6 || net.isIP(ep.host) !== 0 ? {} : { family: 4 }) };
        const sock = tlsOptions !== null ? tls.connect({ ...opts, ...tlsOptions }) : withReader((onread) => net.connect({ ...opts, onread } as net.NetConnectOpts));
        readAsData(sock);
        raw = sock;
        sock.unref();
        sock.once("connect", () => {
          connected = true;
          if (!this.stopped && !settled) this.events.connected();
        });
        return sock;
      }) as never,
    });
    this.current = ws;
    this.events.delayed();
    let upgradeTimer: NodeJS.Timeout | null = null;
    if (o.handshakeInterval > 0) {
      upgradeTimer = setTimeout(() => fail(zmqError("EAGAIN", "no WebSocket upgrade within handshakeInterval"), "timeout"), o.handshakeInterval + Math.max(o.connectTimeout, 0)).unref();
    }
    const fail = (err: Error & { code?: string }, why: "error" | "timeout"): void => {
      if (settled) return;
      settled = true;
      if (upgradeTimer !== null) clearTimeout(upgradeTimer);
      ws.removeAllListeners();
      ws.on("error", () => {});
      ws.terminate();
      if (this.current !== ws) return;
      this.current = null;
      if (this.stopped) return;
      if (!connected) {
        this.events.failed();
        this.scheduleRetry();
      } else this.events.refused(why === "timeout" ? { kind: "other", code: "EAGAIN", message: err.message } : refusalOf(err));
    };
    ws.once("upgrade", (res: IncomingMessage) => {
      const answer = res.headers["sec-websocket-protocol"];
      selected = offer.find((name) => name === answer) ?? null;
      delete res.headers["sec-websocket-protocol"];
      if (selected === null) fail(new ProtocolError("ZWS_SUBPROTOCOL", answer === undefined ? "the server chose no subprotocol" : `the server chose "${answer.slice(0, 200)}", not offered`), "error");
    });
    ws.on("error", (err) => fail(err, "error"));
    ws.on("close", () => fail(zmqError("EPIPE", "connection closed before the WebSocket upgrade"), "error"));
    ws.once("open", () => {
      if (settled) return;
      settled = true;
      if (upgradeTimer !== null) clearTimeout(upgradeTimer);
      ws.removeAllListeners("error");
      ws.removeAllListeners("close");
      if (this.stopped) {
        ws.terminate();
        return;
      }
      this.retries.reset();
      this.events.opened(new NodeZwsChannel(ws, selected!, raw!.remoteAddress ?? "", true));
    });
  }

  /** The connection (or its upgrade) ended: dial again later. */
  connectionLost(): void {
    this.current = null;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const wait = this.retries.schedule(() => this.attempt());
    if (wait !== null) this.events.retry(wait);
  }

  stop(): void {
    this.stopped = true;
    this.retries.cancel();
    const ws = this.current;
    this.current = null;
    if (ws !== null && ws.readyState === WebSocket.CONNECTING) ws.terminate();
  }
}

/** TLS errors Node reports by a code of OpenSSL's or its own (ERR_TLS_*, ERR_SSL_*). */
function isTlsError(code: string): boolean {
  return code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || /CERT|SELF_SIGNED|VERIFY|SIGNATURE/.test(code);
}

/** A failed upgrade after the TCP connection was made, as a refusal with its cause kept. */
function refusalOf(err: Error & { code?: string }): WsRefusal {
  const code = err.code ?? "";
  if (code === "EPIPE" || code === "ECONNRESET") return { kind: "other", code, message: err.message };
  if (code === "ZWS_SUBPROTOCOL") return { kind: "protocol", code, message: err.message, reconnect: true };
  if (isTlsError(code)) return { kind: "other", code: "EPROTO", message: `TLS: ${err.message}`, cause: err };
  return { kind: "protocol", code: "ZWS_BAD_UPGRADE", message: err.message, reconnect: true, cause: err };
}

/** tls.connect's options for a wss connect; EINVAL when the certificates and key are unusable. */
export function clientTlsOptions(tls: WsTls | null, host: string, address: string): tls.ConnectionOptions {
  const out: tls.ConnectionOptions = { rejectUnauthorized: tls?.rejectUnauthorized ?? true };
  const servername = tls?.servername ?? (/^[\d.]+$|:/.test(host) ? undefined : host);
  if (servername !== undefined) out.servername = servername;
  if (tls === null) return out;
  const context: tls.SecureContextOptions = {};
  if (tls.ca !== undefined) context.ca = nodePem(tls.ca);
  if (tls.cert !== undefined) context.cert = nodePem(tls.cert);
  if (tls.key !== undefined) context.key = nodePem(tls.key);
  if (tls.passphrase !== undefined) context.passphrase = tls.passphrase;
  out.secureContext = secureContextOf(context, address);
  return out;
}
