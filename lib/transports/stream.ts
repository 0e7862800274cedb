import type * as net from "node:net";
import { lstatSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { WiremqError, type ZmqError, zmqError } from "../errors.js";
import { formatTcp, type Endpoint } from "./endpoint.js";
import { nodeCrypto, nodeDns, nodeNet, nodeOs } from "./node-builtins.js";
import { onFirstRead, serveAccepted, withReader } from "./reader.js";
import { DialTicket } from "./dial-window.js";
import { ReconnectSchedule } from "./reconnect.js";
import { dialThroughSocks, TUNNEL_OPEN } from "./socks5.js";

/** A bound tcp or ipc endpoint. */
export interface Listener {
  /** The real endpoint (port or path resolved). */
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Queue length for connections not yet accepted. */
  backlog: number;
  /** `tcp://*` listens on `::` (IPv6 and IPv4) instead of 0.0.0.0. */
  ipv6: boolean;
}

/**
 * Binds a tcp or ipc endpoint and hands each accepted connection to `onConnection`, which must
 * give it a reader (`attachReader`) before it returns. The server and its connections do not
 * hold the event loop (see lib/sockets/lifetime.ts). Connections are half-open: a peer's end of
 * stream leaves our side to the engine, which ends it (see StreamEngine.peerEnded).
 */
export function listen(ep: Endpoint, onConnection: (sock: net.Socket) => void, options?: ListenOptions): Promise<Listener> {
  if (ep.transport === "inproc" || ep.transport === "ws") throw new WiremqError("EPROTONOSUPPORT", `${ep.transport} is not served here`);
  const server = nodeNet().createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true });
  serveAccepted(server, onConnection);
  let path: string | null = null;
  return new Promise<Listener>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => reject(listenFailure(err, ep.address)));
    if (ep.transport === "tcp") {
      const ipv6 = options?.ipv6 === true;
      const listenOn = (host: string): void => {
        server.listen({ host, port: ep.port, ipv6Only: false, exclusive: true, backlog: options?.backlog }, () => {
          // The address really bound, as libzmq reports it: a host name shows as its address.
          const addr = server.address() as net.AddressInfo;
          resolve(makeListener(server, formatTcp(addr.address, addr.port), null));
        });
      };
      if (nodeNet().isIP(ep.host) !== 0) {
        listenOn(ipv6 && ep.anyHost ? "::" : ep.host);
        return;
      }
      const device = interfaceAddress(ep.host, ipv6);
      if (device !== null) {
        listenOn(device);
        return;
      }
      // A host name binds to its IPv4 address unless ipv6 is set; libzmq answers ENODEV for none.
      nodeDns().lookup(ep.host, { family: ipv6 ? 0 : 4 }, (err, address) => {
        if (err === null) listenOn(address);
        else reject(zmqError("ENODEV", "No such device", { address: ep.address, cause: err }));
      });
    } else {
      path = ep.wildcard ? join(nodeOs().tmpdir(), `wiremq-${nodeCrypto().randomBytes(6).toString("hex")}.ipc`) : ep.path;
      const osPath = path.startsWith("@") ? "\0" + path.slice(1) : path;
      if (!path.startsWith("@")) removeStaleSocket(path);
      server.listen({ path: osPath, exclusive: true, backlog: options?.backlog }, () => {
        resolve(makeListener(server, `ipc://${path}`, path!.startsWith("@") ? null : path));
      });
    }
  });
}

/** A failed listen as libzmq reports it. */
export function listenFailure(err: NodeJS.ErrnoException, address: string): ZmqError {
  const code = err.code === "EADDRINUSE" ? "EADDRINUSE"
    : err.code === "EADDRNOTAVAIL" ? "EADDRNOTAVAIL"
    : err.code === "EACCES" ? "EACCES"
    : err.code === "ENOENT" ? "ENOENT"
    : "EINVAL";
  const message = code === "EADDRINUSE" ? "Address already in use"
    : code === "EADDRNOTAVAIL" ? "Can't assign requested address"
    : err.message;
  return zmqError(code, message, { address, cause: err });
}

/**
 * Where a connection with a `source;` part starts from: `host`, `host:port`, `[v6]`,
 * `[v6]:port` or an interface name, with `*` or 0 for any.
 */
function sourceOf(source: string, ipv6: boolean): { localAddress?: string; localPort?: number } {
  let host = source;
  let port = "";
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(source);
  if (bracketed !== null) {
    host = bracketed[1]!;
    port = bracketed[2] ?? "";
  } else if (source.indexOf(":") === source.lastIndexOf(":") && source.includes(":")) {
    host = source.slice(0, source.indexOf(":"));
    port = source.slice(source.indexOf(":") + 1);
  }
  const out: { localAddress?: string; localPort?: number } = {};
  if (host !== "" && host !== "*") out.localAddress = nodeNet().isIP(host) !== 0 ? host : (interfaceAddress(host, ipv6) ?? host);
  if (/^\d+$/.test(port) && Number(port) > 0) out.localPort = Number(port);
  return out;
}

/**
 * The address of a network interface named in a bind (`tcp://lo:*`), as libzmq resolves
 * interface names before host names: its IPv4 address, or with ipv6 its IPv6 one (not
 * link-local) when it has one. null when there is no such interface.
 */
export function interfaceAddress(name: string, ipv6: boolean): string | null {
  const addresses = nodeOs().networkInterfaces()[name];
  if (addresses === undefined) return null;
  const v4 = addresses.find((a) => a.family === "IPv4");
  const v6 = addresses.find((a) => a.family === "IPv6" && !a.address.startsWith("fe80"));
  const pick = ipv6 ? (v6 ?? v4) : v4;
  return pick?.address ?? null;
}

export function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // absent: nothing to remove
  }
}

export function makeListener(server: net.Server, endpoint: string, file: string | null): Listener {
  server.unref();
  return {
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (file !== null) {
          try {
            unlinkSync(file);
          } catch {
            // already gone
          }
        }
      }),
  };
}

/**
 * Opens one outgoing tcp or ipc connection (no retry; see Dialer); give it a reader on connect.
 * Without `ipv6`, a host name resolves to IPv4 only, as in libzmq. The connection does not
 * hold the event loop (only the OS's connect request does, until it completes). Half-open, as
 * listen()'s connections.
 */
export function dial(ep: Endpoint, ipv6 = false): net.Socket {
  if (ep.transport === "tcp") {
    return withReader((onread) => {
      const opts: net.TcpNetConnectOpts = { host: ep.host, port: ep.port, noDelay: true, allowHalfOpen: true };
      if (onread !== undefined) opts.onread = onread;
      if (!ipv6 && nodeNet().isIP(ep.host) === 0) opts.family = 4;
      if (ep.source !== undefined) Object.assign(opts, sourceOf(ep.source, ipv6));
      return nodeNet().connect(opts).unref();
    });
  }
  if (ep.transport === "ipc") {
    const path = ep.path.startsWith("@") ? "\0" + ep.path.slice(1) : ep.path;
    return withReader((onread) => nodeNet().connect(onread === undefined ? { path, allowHalfOpen: true } : { path, onread, allowHalfOpen: true }).unref());
  }
  throw new WiremqError("EPROTONOSUPPORT", "inproc is not a stream transport");
}

export interface DialerOptions {
  reconnectInterval: number;
  reconnectMaxInterval: number;
  /** ms a connect may take before it counts as failed; 0 leaves it to the OS. */
  connectTimeout: number;
  ipv6: boolean;
  /** A SOCKS5 proxy (`host:port`) that tcp connects go through, or null. */
  socksProxy?: string | null;
}

export interface DialerEvents {
  /** A connection is established; the dialer waits until `connectionLost()` to redial. */
  connected(sock: net.Socket): void;
  /** A redial is scheduled after `interval` ms. */
  retry(interval: number): void;
  /** An attempt is under way (libzmq's connect:delay, reported for each attempt). */
  delayed(): void;
  /** An attempt failed and its socket is closed (libzmq's close for the connecter). */
  failed(): void;
}

/**
 * Keeps one outgoing connection up: dials, and after a failure or a lost connection dials
 * again after reconnectInterval (plus jitter), doubling up to reconnectMaxInterval if set.
 */
export class Dialer {
  private readonly retries: ReconnectSchedule;
  private connectTimer: NodeJS.Timeout | null = null;
  private current: net.Socket | null = null;
  /** Whether `current` reached the engine (through a proxy, connected is not yet ours). */
  private handedOver = false;
  /** The pending attempt's failure handler, taken off its socket when the dialer stops. */
  private onFailure: (() => void) | null = null;
  private stopped = false;
  /** This attempt's place among the connections dialing the same listener (dial-window.ts). */
  private ticket: DialTicket | null = null;

  constructor(
    private readonly ep: Endpoint,
    private readonly options: DialerOptions,
    private readonly events: DialerEvents,
  ) {
    this.retries = new ReconnectSchedule(options);
  }

  start(): void {
    this.attempt();
  }

  private attempt(): void {
    if (this.stopped) return;
    const ticket = new DialTicket(windowKey(this.ep), () => this.dial(ticket));
    this.ticket = ticket;
    ticket.enter();
  }

  private dial(ticket: DialTicket): void {
    const ep = this.ep;
    const proxy = ep.transport === "tcp" ? (this.options.socksProxy ?? null) : null;
    let sock: net.Socket;
    try {
      sock = proxy === null || ep.transport !== "tcp" ? dial(ep, this.options.ipv6) : dialThroughSocks(proxy, ep.host, ep.port);
    } catch {
      // A proxy address that does not parse: a failed attempt, retried as any other.
      ticket.release();
      this.events.failed();
      this.scheduleRetry();
      return;
    }
    // Through a proxy the connection is ours once the proxy has opened the tunnel.
    const ready = proxy === null ? "connect" : TUNNEL_OPEN;
    // The listener's first bytes (its greeting) say it has accepted the connection. A proxy's
    // replies come first, so a tunnel frees its place once open.
    if (proxy === null) onFirstRead(sock, () => ticket.release());
    this.current = sock;
    this.handedOver = false;
    this.events.delayed();
    const onError = (): void => {
      sock.destroy();
      // A later "close" of an attempt already failed must not touch the next one's timer.
      if (this.current !== sock) return;
      this.clearConnectTimer();
      this.current = null;
      this.onFailure = null;
      ticket.release();
      this.events.failed();
      this.scheduleRetry();
    };
    this.onFailure = onError;
    const timeout = this.options.connectTimeout;
    // connectTimeout: a connect still pending then counts as failed (libzmq's ZMQ_CONNECT_TIMEOUT).
    if (timeout > 0) this.connectTimer = setTimeout(onError, timeout).unref();
    sock.once("error", onError);
    // A SOCKS proxy may hang up mid-negotiation without an error: that attempt failed too.
    sock.once("close", onError);
    sock.once(ready, () => {
      this.handedOver = true;
      this.clearConnectTimer();
      sock.removeListener("error", onError);
      sock.removeListener("close", onError);
      this.onFailure = null;
      if (this.stopped) {
        sock.destroy();
        return;
      }
      this.retries.reset();
      if (proxy !== null) ticket.release();
      this.events.connected(sock);
    });
  }

  /** The connection's handshake is done: another connection to the same listener may start. */
  handshakeDone(): void {
    this.ticket?.release();
    this.ticket = null;
  }

  /** The established connection ended: dial again later. */
  connectionLost(): void {
    this.handshakeDone();
    this.current = null;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const wait = this.retries.schedule(() => this.attempt());
    if (wait !== null) this.events.retry(wait);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  stop(): void {
    this.stopped = true;
    this.handshakeDone();
    this.clearConnectTimer();
    this.retries.cancel();
    const sock = this.current;
    this.current = null;
    if (sock !== null && !this.handedOver) {
      // The handle outlives destroy() by a turn; our listeners on it would keep this dialer,
      // its socket and their context reachable until then.
      sock.removeAllListeners("connect");
      sock.removeAllListeners(TUNNEL_OPEN);
      sock.removeAllListeners("error");
      if (this.onFailure !== null) sock.removeListener("close", this.onFailure);
      sock.on("error", ignoreError);
      sock.destroy();
    }
  }
}

function ignoreError(): void {}

/** The listener an endpoint names, as the dial window counts them. */
function windowKey(ep: Endpoint): string {
  return ep.transport === "tcp" ? `tcp:${ep.host}:${ep.port}` : ep.transport === "ipc" ? `ipc:${ep.path}` : `${ep.transport}:${ep.address}`;
}
