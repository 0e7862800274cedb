import { zmqError } from "../errors.js";

/**
 * The protocols libzmq knows as zeromq builds it, and the socket types that may use each
 * (null: every type). wiremq serves tcp, ipc, inproc, ws and (beyond zeromq's build, which has no TLS) wss; a known protocol it does not serve
 * is refused later, by parseEndpoint.
 */
const PROTOCOLS: Readonly<Record<string, readonly string[] | null>> = {
  tcp: null,
  ipc: null,
  inproc: null,
  ws: null,
  wss: null,
  tipc: null,
  udp: ["RADIO", "DISH", "DGRAM"],
};

/**
 * libzmq's first look at an endpoint, the same for bind, connect, unbind and disconnect:
 * `protocol://address` with neither part empty (EINVAL), a protocol it knows, spelled in
 * lower case (EPROTONOSUPPORT), and one this socket type may use (ENOCOMPATPROTO). Only
 * then does a disconnect or unbind look the endpoint up (ENOENT).
 */
export function checkUri(address: string, socketType: string): void {
  const separator = address.indexOf("://");
  if (separator <= 0 || separator + 3 === address.length) throw zmqError("EINVAL", "Invalid argument", { address });
  const protocol = address.slice(0, separator);
  if (!Object.hasOwn(PROTOCOLS, protocol)) throw zmqError("EPROTONOSUPPORT", "Protocol not supported", { address });
  const types = PROTOCOLS[protocol];
  if (types != null && !types.includes(socketType)) {
    throw zmqError("ENOCOMPATPROTO", "The protocol is not compatible with the socket type", { address });
  }
}
