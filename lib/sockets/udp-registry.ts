import { zmqError } from "../errors.js";
import type { Pipe } from "../engine/pipe.js";
import type { UdpRole } from "../engine/udp-engine.js";

/** The udp:// endpoints of one RADIO, DISH or DGRAM socket (udp-links.ts in Node). */
export interface UdpEndpoints {
  /** The last udp endpoint bound, as libzmq reports it ("host:port", no scheme). */
  lastBound: string | null;
  bind(address: string, role: UdpRole): Promise<void>;
  connect(address: string): void;
  close(): void;
}

type UdpMaker = (openPipe: (endpoint: string) => Pipe) => UdpEndpoints;

let maker: UdpMaker | null = null;

/**
 * udp:// as the transports are: registered by the Node entries (node-transports.ts), absent
 * from the browser's, so RADIO and DISH (whose other transports a page has) carry no
 * node:dgram into its graph. Where none is registered, udp:// is EPROTONOSUPPORT.
 */
export function registerUdp(make: UdpMaker): void {
  maker = make;
}

export function udpEndpoints(openPipe: (endpoint: string) => Pipe): UdpEndpoints {
  return maker?.(openPipe) ?? NO_UDP;
}

/** libzmq takes protocol names in lower case only; other spellings are refused by the generic checks. */
export function isUdpAddress(address: unknown): address is string {
  return typeof address === "string" && address.startsWith("udp://");
}

/** libzmq's answer when a socket type cannot use a transport that way. */
export function incompatibleProtocol(address: string): Error {
  return zmqError("ENOCOMPATPROTO", "The protocol is not compatible with the socket type", { address });
}

function unsupported(address: string): Error {
  return zmqError("EPROTONOSUPPORT", "Protocol not supported", { address });
}

const NO_UDP: UdpEndpoints = {
  lastBound: null,
  bind: (address) => Promise.reject(unsupported(address)),
  connect: (address) => {
    throw unsupported(address);
  },
  close: () => {},
};
