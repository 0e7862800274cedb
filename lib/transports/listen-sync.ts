import type * as net from "node:net";
import { join } from "node:path";
import { WiremqError, zmqError } from "../errors.js";
import { formatTcp, type Endpoint } from "./endpoint.js";
import { nodeCrypto, nodeDiagnostics, nodeNet, nodeOs } from "./node-builtins.js";
import { serveAccepted } from "./reader.js";
import { interfaceAddress, listenFailure, makeListener, removeStaleSocket, type Listener, type ListenOptions } from "./stream.js";

/** Node publishes a failed listen here before it defers the server's 'error' event. */
const LISTEN_ERROR_CHANNEL = "tracing:net.server.listen:error";

/** The part of net.Server that binds at once: `listen()` defers a host through dns.lookup. */
interface ImmediateListen {
  _listen2(address: string, port: number, addressType: number, backlog: number, fd: undefined, flags: number): void;
}

/**
 * Binds a tcp or ipc endpoint before returning, as libzmq's zmq_bind does (zeromq's
 * `bindSync`, which v5 programs call and then read `last_endpoint`). Throws what `listen`
 * would reject with. A host name is refused: Node has no synchronous resolver.
 */
export function listenSync(ep: Endpoint, onConnection: (sock: net.Socket) => void, options?: ListenOptions): Listener {
  if (ep.transport === "inproc" || ep.transport === "ws") throw new WiremqError("EPROTONOSUPPORT", `${ep.transport} is not served here`);
  const server = nodeNet().createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true });
  serveAccepted(server, onConnection);
  // The failure was already reported synchronously; this only keeps the deferred copy quiet.
  server.on("error", () => {});
  const backlog = options?.backlog ?? 511;
  if (ep.transport === "tcp") {
    const ipv6 = options?.ipv6 === true;
    const host = immediateHost(ep, ipv6);
    bindNow(server, ep.address, () => (server as unknown as ImmediateListen)._listen2(host, ep.port, nodeNet().isIP(host), backlog, undefined, 0));
    const addr = server.address() as net.AddressInfo;
    return makeListener(server, formatTcp(addr.address, addr.port), null);
  }
  const path = ep.wildcard ? join(nodeOs().tmpdir(), `wiremq-${nodeCrypto().randomBytes(6).toString("hex")}.ipc`) : ep.path;
  const abstract = path.startsWith("@");
  if (!abstract) removeStaleSocket(path);
  // A path needs no lookup, so listen() binds before it returns.
  bindNow(server, ep.address, () => server.listen({ path: abstract ? "\0" + path.slice(1) : path, exclusive: true, backlog }));
  return makeListener(server, `ipc://${path}`, abstract ? null : path);
}

function bindNow(server: net.Server, address: string, listen: () => void): void {
  let failure: NodeJS.ErrnoException | null = null;
  const onError = (message: unknown): void => {
    const m = message as { server?: net.Server; error?: NodeJS.ErrnoException };
    if (m.server === server && m.error !== undefined) failure = m.error;
  };
  nodeDiagnostics().subscribe(LISTEN_ERROR_CHANNEL, onError);
  try {
    listen();
  } finally {
    nodeDiagnostics().unsubscribe(LISTEN_ERROR_CHANNEL, onError);
  }
  if (server.listening) return;
  const err: NodeJS.ErrnoException = failure ?? new WiremqError("EINVAL", "listen failed");
  throw listenFailure(err, address);
}

function immediateHost(ep: Extract<Endpoint, { transport: "tcp" }>, ipv6: boolean): string {
  if (nodeNet().isIP(ep.host) !== 0) return ipv6 && ep.anyHost ? "::" : ep.host;
  const device = interfaceAddress(ep.host, ipv6);
  if (device !== null) return device;
  if (ep.host === "localhost") return "127.0.0.1";
  throw zmqError("ENOTSUP", "A host name cannot be resolved synchronously; bind to an address or use bind()", { address: ep.address });
}
