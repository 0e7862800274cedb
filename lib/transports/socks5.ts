import type * as net from "node:net";
import { WiremqError, zmqError } from "../errors.js";
import { nodeNet } from "./node-builtins.js";

/**
 * tcp connects through a SOCKS5 proxy (RFC 1928), as libzmq's `ZMQ_SOCKS_PROXY` (zeromq's
 * `socksProxy`): no authentication, a CONNECT to the endpoint's host and port, the host sent as
 * the proxy is to resolve it unless it is an IP literal (libzmq forwards names unresolved).
 */

/** Emitted on the socket once the proxy has opened the tunnel: from then on it carries ZMTP. */
export const TUNNEL_OPEN = "wiremq:socks-tunnel-open";

const VERSION = 5;
const NO_AUTHENTICATION = 0;
const NO_ACCEPTABLE_METHOD = 0xff;
const CONNECT = 1;
const ATYP_IPV4 = 1;
const ATYP_DOMAIN = 3;
const ATYP_IPV6 = 4;

/** The greeting: version 5, one method offered, "no authentication". */
export function socksGreeting(): Buffer {
  return Buffer.from([VERSION, 1, NO_AUTHENTICATION]);
}

/** A CONNECT request for `host:port`. */
export function socksConnectRequest(host: string, port: number): Buffer {
  let address: Buffer;
  if (nodeNet().isIPv4(host)) address = Buffer.from([ATYP_IPV4, ...host.split(".").map(Number)]);
  else if (nodeNet().isIPv6(host)) address = Buffer.concat([Buffer.from([ATYP_IPV6]), ipv6Bytes(host)]);
  else {
    const name = Buffer.from(host, "utf8");
    if (name.length === 0 || name.length > 255) throw zmqError("EINVAL", "Invalid argument", { address: host });
    address = Buffer.concat([Buffer.from([ATYP_DOMAIN, name.length]), name]);
  }
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port);
  return Buffer.concat([Buffer.from([VERSION, CONNECT, 0]), address, portBytes]);
}

function ipv6Bytes(host: string): Buffer {
  const [head = "", tail] = host.split("::") as [string, string?];
  const groups = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups.
  const expand = (list: string[]): number[] =>
    list.flatMap((g) => (g.includes(".") ? ((b) => [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!])(g.split(".").map(Number)) : [parseInt(g, 16)]));
  const front = expand(h);
  const back = expand(t);
  const all = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** What the proxy's reply codes mean (RFC 1928 §6). */
const REPLIES: Record<number, string> = {
  1: "general SOCKS server failure",
  2: "connection not allowed by ruleset",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused",
  6: "TTL expired",
  7: "command not supported",
  8: "address type not supported",
};

export type ReplyParse = { complete: false } | { complete: true; consumed: number };

/** The method-selection answer (2 bytes), checked. */
export function parseMethodChoice(buf: Buffer): ReplyParse {
  if (buf.length < 2) return { complete: false };
  if (buf[0] !== VERSION) throw new WiremqError("EPROTO", `SOCKS proxy answered version ${buf[0]}, not 5`);
  if (buf[1] === NO_ACCEPTABLE_METHOD) throw new WiremqError("ECONNREFUSED", "SOCKS proxy requires authentication");
  if (buf[1] !== NO_AUTHENTICATION) throw new WiremqError("EPROTO", `SOCKS proxy chose method ${buf[1]}, which was not offered`);
  return { complete: true, consumed: 2 };
}

/** The CONNECT reply, checked; `consumed` covers its bound address, whatever its type. */
export function parseConnectReply(buf: Buffer): ReplyParse {
  if (buf.length < 5) return { complete: false };
  if (buf[0] !== VERSION) throw new WiremqError("EPROTO", `SOCKS proxy answered version ${buf[0]}, not 5`);
  const code = buf[1]!;
  if (code !== 0) throw new WiremqError("ECONNREFUSED", `SOCKS proxy refused the connection: ${REPLIES[code] ?? `reply ${code}`}`);
  const atyp = buf[3];
  const addressLength = atyp === ATYP_IPV4 ? 4 : atyp === ATYP_IPV6 ? 16 : atyp === ATYP_DOMAIN ? 1 + buf[4]! : -1;
  if (addressLength < 0) throw new WiremqError("EPROTO", `SOCKS proxy answered address type ${atyp}`);
  const total = 4 + addressLength + 2;
  return buf.length < total ? { complete: false } : { complete: true, consumed: total };
}

/** `host:port` or `[v6]:port`, as libzmq takes ZMQ_SOCKS_PROXY. */
export function parseProxyAddress(proxy: string): { host: string; port: number } {
  const colon = proxy.lastIndexOf(":");
  const host = proxy.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(proxy.slice(colon + 1));
  if (colon <= 0 || host === "" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw zmqError("EINVAL", `socksProxy must be host:port, not ${JSON.stringify(proxy)}`);
  }
  return { host, port };
}

/**
 * Connects to `proxy` and asks it for a tunnel to `host:port`. The socket emits TUNNEL_OPEN when
 * the tunnel is up (bytes that came after the proxy's reply are put back to be read first), or
 * 'error' if the proxy refuses or answers out of protocol. Reads use 'data' events, so the
 * engine attaches its reader by them.
 */
export function dialThroughSocks(proxy: string, host: string, port: number): net.Socket {
  const { host: proxyHost, port: proxyPort } = parseProxyAddress(proxy);
  const request = socksConnectRequest(host, port);
  const sock = nodeNet().connect({ host: proxyHost, port: proxyPort, noDelay: true }).unref();
  let pending: Buffer = Buffer.alloc(0);
  let stage: "method" | "connect" = "method";
  const onData = (chunk: Buffer): void => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    try {
      if (stage === "method") {
        const choice = parseMethodChoice(pending);
        if (!choice.complete) return;
        pending = pending.subarray(choice.consumed);
        stage = "connect";
        sock.write(request);
      }
      const reply = parseConnectReply(pending);
      if (!reply.complete) return;
      const rest = pending.subarray(reply.consumed);
      sock.removeListener("data", onData);
      sock.pause();
      if (rest.length > 0) sock.unshift(rest);
      sock.emit(TUNNEL_OPEN);
    } catch (err) {
      sock.removeListener("data", onData);
      sock.destroy(err as Error);
    }
  };
  sock.once("connect", () => {
    sock.on("data", onData);
    sock.write(socksGreeting());
  });
  return sock;
}
