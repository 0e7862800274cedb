import type { Socket as NetSocket } from "node:net";
import type { Engine, EngineHost } from "../engine/engine.js";
import type { Pipe } from "../engine/pipe.js";
import type { Observer } from "./observer.js";
import type { SocketOptionValues } from "./socket-options.js";

/**
 * The socket as the code that brings it peers sees it: endpoints, engine hosting and inproc
 * links. The socket hands one over at construction, so its internals stay private to it.
 */
export interface PeerOwner {
  readonly socketType: string;
  readonly events: Observer;
  readonly options: Readonly<SocketOptionValues>;
  readonly closed: boolean;
  /** close() is flushing for up to `linger` ms: dialed connections may still come up. */
  readonly lingering: boolean;
  readonly pipePerConnection: boolean;
  acceptsPipe(): boolean;
  newPipe(endpoint: string): Pipe;
  attachPipe(pipe: Pipe): void;
  hiccup(pipe: Pipe): void;
  /** The connection serving a connect-side pipe that outlives it has ended. */
  connectionEnded(pipe: Pipe): void;
  routingIdBytes(): Buffer;
  /** `peerAddress` is asked only if needed (a ZAP request): reading it costs a system call. */
  createEngine(sock: NetSocket, endpoint: string, host: EngineHost, peerAddress: () => string): Engine;
}
