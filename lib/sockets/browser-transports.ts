import { zmqError } from "../errors.js";
import { parseEndpoint, type WsEndpoint } from "../transports/endpoint.js";
import type { BrowserWebSocket } from "../transports/browser-ws-channel.js";
import { registerTransport, type SocketTransport } from "./transport-registry.js";
import { WebSocketConnection, type WebSocketMaker } from "./websocket-connection.js";

/**
 * ws:// and wss:// over the WHATWG WebSocket, registered by importing this file (the browser
 * entry does). Connect only: a page cannot listen.
 */
const makeWebSocket: WebSocketMaker = (url, protocols) => {
  const WebSocketClass = (globalThis as { WebSocket?: new (url: string, protocols: string[]) => BrowserWebSocket }).WebSocket;
  if (WebSocketClass === undefined) throw zmqError("EPROTONOSUPPORT", "Protocol not supported: this runtime has no WebSocket", { address: url });
  return new WebSocketClass(url, protocols);
};

const websocket: SocketTransport<WsEndpoint> = {
  parse: (address, forBind) => parseEndpoint(address, forBind) as WsEndpoint,
  connect: (owner, address, ep, routingId) => new WebSocketConnection(owner, address, ep, routingId, makeWebSocket),
};

registerTransport("ws", websocket);
registerTransport("wss", websocket);
