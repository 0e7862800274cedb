import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as tls from "node:tls";
import { lookup as dnsLookup } from "node:dns";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { zmqError } from "../errors.js";
import { zwsSelect, type ZwsMechanism, type ZwsSubprotocol } from "../wire/zws.js";
import { formatWs, type WsEndpoint } from "./endpoint.js";
import { interfaceAddress, listenFailure, type Listener, type ListenOptions } from "./stream.js";
import { adoptAccepted, readAsData } from "./reader.js";
import { NodeZwsChannel } from "./ws-channel.js";
import type { Pem, WsTls } from "./ws-tls.js";

/** Why a peer was turned away before it had a channel (shaped as a mechanism's HandshakeFailure). */
export interface WsRefusal {
  kind: "protocol" | "other";
  code: string;
  message: string;
  reconnect?: boolean;
  cause?: unknown;
}

/** What becomes of one accepted TCP connection: a ZWS channel, or a refusal. */
export interface WsPeer {
  open(channel: NodeZwsChannel): void;
  refused(why: WsRefusal): void;
}

export interface WsListenOptions extends ListenOptions {
  mechanism: ZwsMechanism;
  /** The largest message `ws` buffers before the engine sets its own limit. */
  maxPayload: number;
  /** ms a peer has to complete its upgrade (the socket's handshakeInterval; 0: no limit). */
  handshakeInterval: number;
  tls: WsTls | null;
}

const KEY = /^[+/0-9A-Za-z]{22}==$/;

/**
 * Binds a ws (or, with TLS, wss) endpoint: an HTTP server whose upgrades to a ZWS subprotocol
 * this socket's mechanism speaks become channels. `onAccept` is called for each TCP (for wss,
 * TLS) connection, as libzmq reports accept; whatever is not such an upgrade (a plain request,
 * another subprotocol, malformed HTTP, silence past handshakeInterval) is answered with an
 * HTTP error, closed and reported to it. Neither the server nor its connections hold the
 * event loop.
 */
export function listenWs(ep: WsEndpoint, onAccept: (remoteAddress: string) => WsPeer, options: WsListenOptions): Promise<Listener> {
  const server = ep.secure ? https.createServer(serverTlsOptions(options.tls, ep.address)) : http.createServer();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    maxPayload: options.maxPayload,
  });
  // RFC 45's names ("ZWS2.0/NULL") are not HTTP tokens, which `ws` insists on: the choice is made
  // here, the request's header removed before `ws` parses it, and the answer's added back.
  const chosen = new WeakMap<http.IncomingMessage, ZwsSubprotocol>();
  wss.on("headers", (headers: string[], req: http.IncomingMessage) => {
    const selected = chosen.get(req);
    if (selected !== undefined) headers.push(`Sec-WebSocket-Protocol: ${selected}`);
  });
  const pending = new Map<Duplex, Pending>();

  server.on(ep.secure ? "secureConnection" : "connection", (sock: net.Socket) => {
    sock.unref();
    sock.setNoDelay(true);
    const p = new Pending(sock, onAccept(sock.remoteAddress ?? ""), options.handshakeInterval, () => pending.delete(sock));
    pending.set(sock, p);
  });
  // A failed TLS handshake never reaches secureConnection; it is an accepted peer refused, as
  // a ZMTP handshake failure over tcp is.
  server.on("tlsClientError", (err: Error, sock: Duplex & { remoteAddress?: string; authorizationError?: unknown }) => {
    onAccept(sock.remoteAddress ?? "").refused(tlsRefusal(err, sock));
  });
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(426, { Connection: "close", "Content-Type": "text/plain", Upgrade: "websocket" });
    res.end("ZeroMQ over WebSocket (ZWS 2.0): upgrade required\n");
    pending.get(req.socket)?.refuse(badUpgrade(`plain HTTP ${req.method ?? ""} request, not a WebSocket upgrade`), false);
  });
  server.on("clientError", (err: Error, sock: Duplex) => {
    const p = pending.get(sock);
    if (sock.writable) sock.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    sock.destroy();
    p?.refuse(badUpgrade(`malformed HTTP: ${err.message}`, err), true);
  });
  server.on("upgrade", (req: http.IncomingMessage, sock: Duplex, head: Buffer) => {
    const p = pending.get(sock);
    if (p === undefined) {
      sock.destroy();
      return;
    }
    const why = upgradeProblem(req);
    const selected = zwsSelect((req.headers["sec-websocket-protocol"] ?? "").split(","), options.mechanism);
    if (why !== null || selected === null) {
      sock.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      sock.destroy();
      const refusal = why !== null ? badUpgrade(why) : subprotocolRefusal(req.headers["sec-websocket-protocol"], options.mechanism);
      p.refuse(refusal, true);
      return;
    }
    chosen.set(req, selected);
    delete req.headers["sec-websocket-protocol"];
    // Past HTTP, the connection is read as the tcp engine reads (reader.ts); wss keeps TLS's reads.
    const conn = ep.secure ? sock : p.adopt(adoptAccepted(p.release()));
    if (!ep.secure) readAsData(conn as net.Socket);
    wss.handleUpgrade(req, conn, head, (ws: WebSocket) => p.upgraded(ws, selected));
  });

  return new Promise<Listener>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => reject(listenFailure(err, ep.address)));
    const listenOn = (host: string): void => {
      server.listen({ host, port: ep.port, ipv6Only: false, exclusive: true, backlog: options.backlog }, () => {
        server.unref();
        const addr = server.address() as net.AddressInfo;
        resolve({
          endpoint: formatWs(ep.secure, addr.address, addr.port, ep.path),
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              for (const p of [...pending.values()]) p.destroy();
            }),
        });
      });
    };
    if (net.isIP(ep.host) !== 0) return listenOn(options.ipv6 && ep.anyHost ? "::" : ep.host);
    const device = interfaceAddress(ep.host, options.ipv6);
    if (device !== null) return listenOn(device);
    dnsLookup(ep.host, { family: options.ipv6 ? 0 : 4 }, (err, address) => {
      if (err === null) listenOn(address);
      else reject(zmqError("ENODEV", "No such device", { address: ep.address, cause: err }));
    });
  });
}

/** A connection accepted and not yet upgraded. */
class Pending {
  private done = false;
  private readonly timer: NodeJS.Timeout | null;

  private readonly peerAddress: string;

  constructor(
    private sock: net.Socket,
    private readonly peer: WsPeer,
    handshakeInterval: number,
    private readonly forget: () => void,
  ) {
    this.peerAddress = sock.remoteAddress ?? "";
    this.timer = handshakeInterval > 0
      ? setTimeout(() => {
        this.sock.destroy();
        this.refuse({ kind: "other", code: "EAGAIN", message: "no WebSocket upgrade within handshakeInterval" }, true);
      }, handshakeInterval).unref()
      : null;
    this.watch(sock);
  }

  private readonly closedEarly = (): void => this.refuse({ kind: "other", code: "EPIPE", message: "connection closed before the WebSocket upgrade" }, true);

  private watch(sock: net.Socket): void {
    sock.on("error", () => {});
    sock.once("close", this.closedEarly);
  }

  /** The socket, no longer watched: it is about to be replaced (see adopt). */
  release(): net.Socket {
    this.sock.removeListener("close", this.closedEarly);
    return this.sock;
  }

  /** `sock` carries the connection from now on (the same handle, read by reader.ts). */
  adopt(sock: net.Socket): net.Socket {
    this.sock = sock;
    this.watch(sock);
    return sock;
  }

  upgraded(ws: WebSocket, subprotocol: ZwsSubprotocol): void {
    if (this.done) {
      ws.terminate();
      return;
    }
    this.settle();
    this.peer.open(new NodeZwsChannel(ws, subprotocol, this.peerAddress, false));
  }

  /** `final`: the connection is gone; else the HTTP response is on its way and it closes after. */
  refuse(why: WsRefusal, final: boolean): void {
    if (this.done) return;
    this.settle();
    if (!final) this.sock.once("finish", () => this.sock.destroy());
    this.peer.refused(why);
  }

  destroy(): void {
    this.sock.destroy();
  }

  private settle(): void {
    this.done = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.forget();
  }
}

/** What makes an upgrade request unusable before its subprotocol is looked at, or null. */
function upgradeProblem(req: http.IncomingMessage): string | null {
  if (req.method !== "GET") return `upgrade by ${req.method ?? "?"}, not GET`;
  if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket") return "Upgrade is not websocket";
  if (!KEY.test(req.headers["sec-websocket-key"] ?? "")) return "missing or invalid Sec-WebSocket-Key";
  const version = req.headers["sec-websocket-version"];
  if (version !== "13" && version !== "8") return "unsupported Sec-WebSocket-Version";
  return null;
}

function badUpgrade(message: string, cause?: unknown): WsRefusal {
  return { kind: "protocol", code: "ZWS_BAD_UPGRADE", message, reconnect: true, ...(cause === undefined ? {} : { cause }) };
}

function subprotocolRefusal(offered: string | undefined, mechanism: ZwsMechanism): WsRefusal {
  const what = offered === undefined ? "no subprotocol" : `subprotocols "${offered.slice(0, 200)}"`;
  return { kind: "protocol", code: "ZWS_SUBPROTOCOL", message: `${what} offered; this ${mechanism} socket speaks ZWS2.0/${mechanism} (or ZWS2.0+${mechanism})`, reconnect: true };
}

/** The https server's options for a wss bind; EINVAL without a certificate and its key. */
export function serverTlsOptions(tls: WsTls | null, address: string): https.ServerOptions {
  if (tls === null || tls.cert === undefined || tls.key === undefined) {
    throw zmqError("EINVAL", "wss:// bind needs the tls option with cert and key", { address });
  }
  const out: https.ServerOptions = { cert: nodePem(tls.cert), key: nodePem(tls.key) };
  if (tls.ca !== undefined) out.ca = nodePem(tls.ca);
  if (tls.passphrase !== undefined) out.passphrase = tls.passphrase;
  secureContextOf(out, address);
  if (tls.requestCert !== undefined) out.requestCert = tls.requestCert;
  if (tls.rejectUnauthorized !== undefined) out.rejectUnauthorized = tls.rejectUnauthorized;
  return out;
}

/**
 * A TLS handshake the server refused or could not finish (no client certificate, one its CA
 * did not sign, not TLS at all), shaped as the dialer's TLS refusal, with OpenSSL's reason in
 * the cause (Node's errors name no key or passphrase). A certificate that does not verify is
 * refused by Node after OpenSSL's handshake, with no alert and no error of its own: the reason
 * is then the socket's authorizationError.
 */
function tlsRefusal(err: Error, sock: { authorizationError?: unknown }): WsRefusal {
  const why = sock.authorizationError;
  const cause = typeof why === "string" && why !== "" ? zmqError("EPROTO", `the client's certificate was refused: ${why}`, { cause: err }) : err;
  return { kind: "other", code: "EPROTO", message: `TLS: ${cause.message}`, cause };
}

/**
 * The certificates and key made into one TLS context, or EINVAL at bind or connect when they
 * cannot be (a wrong passphrase, a key that is not PEM, a key that does not match its
 * certificate): a mistake of this side's own, which no redial would mend. The message is
 * OpenSSL's reason, which quotes neither the key nor the passphrase.
 */
export function secureContextOf(options: tls.SecureContextOptions, address: string): tls.SecureContext {
  try {
    return tls.createSecureContext(options);
  } catch (err) {
    throw zmqError("EINVAL", `tls: ${(err as Error).message}`, { address, cause: err });
  }
}

type NodePem = string | Buffer | Array<string | Buffer>;

/** PEM as Node's TLS options take it: bytes as a Buffer over the same memory. */
export function nodePem(pem: Pem): NodePem {
  const one = (x: string | Uint8Array): string | Buffer => (typeof x === "string" || Buffer.isBuffer(x) ? x : Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  return Array.isArray(pem) ? pem.map(one) : one(pem);
}
