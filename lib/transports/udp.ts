import type { RemoteInfo, Socket as DgramSocket } from "node:dgram";
import { zmqError } from "../errors.js";
import { nodeDgram, nodeNet } from "./node-builtins.js";

/** A udp:// endpoint: `udp://host:port`, bound with `*` as host for every interface. */
export interface UdpEndpoint {
  host: string;
  port: number;
  /** The text libzmq reports as the last endpoint: host (or `*`) and port, without the scheme. */
  display: string;
}

/**
 * Parses `udp://host:port` (`*` host to bind every interface; port `*` or 0 for any free port
 * when binding). Multicast and interface names, which libzmq also takes, are not supported.
 */
export function parseUdp(address: string, forBind: boolean): UdpEndpoint {
  const m = /^udp:\/\/(?:\[([0-9a-fA-F:.]+)\]|([^:;\s]+)):(\*|\d{1,5})$/i.exec(address);
  if (m === null) throw zmqError("EINVAL", "Invalid argument", { address });
  const host = m[1] ?? m[2]!;
  const anyPort = m[3] === "*" || m[3] === "0";
  if ((host === "*" || anyPort) && !forBind) throw zmqError("EINVAL", "Invalid argument", { address });
  if (host !== "*" && nodeNet().isIP(host) === 0 && host !== "localhost") throw zmqError("EINVAL", "Invalid argument", { address });
  const port = anyPort ? 0 : Number(m[3]);
  if (port > 65535) throw zmqError("EINVAL", "Invalid argument", { address });
  return { host, port, display: `${host}:${anyPort ? "*" : port}` };
}

/** What the udp engine needs of a datagram socket. */
export interface DatagramPort {
  send(datagram: Buffer, port: number, host: string, done: () => void): void;
  onMessage(fn: (datagram: Buffer, from: { address: string; port: number }) => void): void;
  close(): void;
}

function family(host: string): "udp4" | "udp6" {
  return nodeNet().isIP(host) === 6 ? "udp6" : "udp4";
}

function wrap(sock: DgramSocket): DatagramPort {
  sock.on("error", () => {});
  // An idle datagram socket does not keep the process alive, as an idle libzmq socket does not.
  sock.unref();
  return {
    send: (datagram, port, host, done) => sock.send(datagram, port, host, done),
    onMessage: (fn) => sock.on("message", (msg: Buffer, r: RemoteInfo) => fn(msg, r)),
    close: () => {
      try {
        sock.close();
      } catch {
        // already closed
      }
    },
  };
}

/** Binds a datagram socket; resolves with it and the port it got. */
export function bindUdp(ep: UdpEndpoint, address: string): Promise<{ port: DatagramPort; boundPort: number }> {
  const sock = nodeDgram().createSocket({ type: family(ep.host), reuseAddr: false });
  return new Promise((resolve, reject) => {
    sock.once("error", (err: NodeJS.ErrnoException) => {
      sock.close();
      reject(zmqError(err.code === "EADDRINUSE" ? "EADDRINUSE" : err.code === "EADDRNOTAVAIL" ? "EADDRNOTAVAIL" : "EINVAL", err.code === "EADDRINUSE" ? "Address already in use" : "Invalid argument", { address }));
    });
    sock.bind(ep.port, ep.host === "*" ? undefined : ep.host, () => {
      sock.removeAllListeners("error");
      resolve({ port: wrap(sock), boundPort: sock.address().port });
    });
  });
}

/** An unbound datagram socket that sends to one peer (a RADIO's connect). */
export function openUdp(ep: UdpEndpoint): DatagramPort {
  return wrap(nodeDgram().createSocket({ type: family(ep.host) }));
}
