import type { Socket as NetSocket } from "node:net";
import { StreamEngine } from "../engine/stream-engine.js";
import type { Engine, EngineHost } from "../engine/engine.js";
import { zmtpEngineOptions } from "./engine-host.js";

export { startAcceptedEngine, startDialedEngine } from "./engine-host.js";
import type { PeerOwner } from "./peer-owner.js";

/**
 * The ZMTP engine for a tcp or ipc connection: a module of its own, which stream-engine-loader.ts
 * imports on the first tcp or ipc bind or connect, so that the engine's code (and what only it
 * uses: greeting, write batching, read memory) is not loaded with the package. What serves an
 * accepted or dialed connection with it comes along (engine-host.ts).
 */
export function makeStreamEngine(owner: PeerOwner, sock: NetSocket, endpoint: string, host: EngineHost, peerAddress: () => string): Engine {
  return new StreamEngine(sock, host, zmtpEngineOptions(owner, endpoint, peerAddress));
}
