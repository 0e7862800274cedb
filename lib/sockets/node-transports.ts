import { parseEndpoint, type Endpoint } from "../transports/endpoint.js";
import { listen } from "../transports/stream.js";
import { listenSync } from "../transports/listen-sync.js";
import { registerTransport, type SocketTransport } from "./transport-registry.js";
import { loadStreamEngine } from "./stream-engine-loader.js";
import { StreamBinding } from "./stream-binding.js";
import { StreamConnection } from "./stream-connection.js";
// ws:// and wss:// register themselves with tcp and ipc.
import "./node-ws.js";
import { registerUdp } from "./udp-registry.js";
import { UdpLinks } from "./udp-links.js";

type StreamEndpoint = Extract<Endpoint, { transport: "tcp" | "ipc" }>;

/**
 * tcp:// and ipc:// over node:net, registered by importing this file: every Node entry does
 * (lib/index.ts and its siblings), the browser entry does not.
 */
const stream: SocketTransport<StreamEndpoint> = {
  parse: (address, forBind) => parseEndpoint(address, forBind) as StreamEndpoint,
  async bind(owner, address, ep) {
    await loadStreamEngine();
    const binding = new StreamBinding(owner, address, ep);
    binding.listening(await listen(ep, binding.accept, owner.options));
    return binding;
  },
  bindSync(owner, address, ep) {
    // Connections it accepts before the engine has loaded wait for it (StreamBinding.accept).
    void loadStreamEngine();
    const binding = new StreamBinding(owner, address, ep);
    binding.listening(listenSync(ep, binding.accept, owner.options));
    return binding;
  },
  connect: (owner, address, ep, routingId) => new StreamConnection(owner, address, ep, routingId),
  namesWildcard: (ep) => (ep.transport === "tcp" ? ep.anyHost || ep.anyPort : ep.wildcard),
};

registerTransport("tcp", stream);
registerTransport("ipc", stream);
registerUdp((openPipe) => new UdpLinks(openPipe));
