import { ZwsEngine } from "../engine/zws-engine.js";
import type { Engine, EngineHost } from "../engine/engine.js";
import type { ZwsChannel } from "../transports/zws-channel.js";
import { zmtpEngineOptions } from "./engine-host.js";

export { acceptRefused, dialRefused, hostAccepted, hostDialed } from "./engine-host.js";
import type { PeerOwner } from "./peer-owner.js";

/**
 * The ZWS engine, for ws:// and wss:// connections. A module of its own so that Node's ws
 * transport loads the engine with the `ws` package, on the first ws bind or connect, not when
 * the package is imported (the browser entry imports it at once: ws is all a page has). What
 * serves a ws connection with it comes along (engine-host.ts).
 */
export function createZwsEngine(owner: PeerOwner, channel: ZwsChannel, endpoint: string, host: EngineHost): Engine {
  const options = zmtpEngineOptions(owner, endpoint, () => channel.peerAddress);
  return new ZwsEngine(channel, host, { ...options, subscriptionCommands: false, routingId: owner.routingIdBytes() });
}
