import { parseEndpoint, type WsEndpoint } from "../transports/endpoint.js";
import { ZWS_HANDSHAKE_PAYLOAD_MAX } from "../wire/zws.js";
import { mechanismName } from "../mechanisms/index.js";
import { zmqError } from "../errors.js";
import { registerTransport, type SocketTransport } from "./transport-registry.js";
import { WsBinding } from "./ws-binding.js";
import { WsConnection } from "./ws-connection.js";
import { checkTlsContext } from "../transports/ws-tls.js";
import type { PeerOwner } from "./peer-owner.js";

/** STREAM speaks raw bytes, not ZMTP: there is no ZWS for it (libzmq 4.3.5 runs ZMTP under it over ws, and its STREAM socket gets no message: docs/ARCHITECTURE.md). */
function checkSocketType(owner: PeerOwner, address: string): void {
  if (owner.socketType === "STREAM") throw zmqError("ENOCOMPATPROTO", "The protocol is not compatible with the socket type", { address });
}

/**
 * ws:// and wss:// (ZWS 2.0) over the `ws` package, registered with tcp and ipc by
 * node-transports.ts. wss takes its certificates from the socket's `tls` option. The listener
 * and dialer modules (and `ws` with them) load on first use, not at import.
 */
const ws: SocketTransport<WsEndpoint> = {
  parse: (address, forBind) => parseEndpoint(address, forBind) as WsEndpoint,
  async bind(owner, address, ep) {
    checkSocketType(owner, address);
    const o = owner.options;
    // Loaded on the first ws bind, with the `ws` package (see WsConnection.start()).
    const [{ listenWs }, host] = await Promise.all([import("../transports/ws-listen.js"), import("./zws-host.js")]);
    const binding = new WsBinding(owner, address, ep, host);
    binding.listening(
      await listenWs(ep, binding.accept, {
        backlog: o.backlog,
        ipv6: o.ipv6,
        mechanism: mechanismName(o),
        maxPayload: ZWS_HANDSHAKE_PAYLOAD_MAX,
        handshakeInterval: o.handshakeInterval,
        tls: ep.secure ? o.tls : null,
      }),
    );
    return binding;
  },
  connect(owner, address, ep, routingId) {
    checkSocketType(owner, address);
    if (ep.secure) checkTlsContext(owner.options.tls, address);
    return new WsConnection(owner, address, ep, routingId, mechanismName(owner.options), ZWS_HANDSHAKE_PAYLOAD_MAX, ep.secure ? owner.options.tls : null);
  },
  namesWildcard: (ep) => ep.anyHost || ep.anyPort,
};

registerTransport("ws", ws);
registerTransport("wss", ws);
