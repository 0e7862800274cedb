import type { HandshakeFailure, Mechanism, ZapReply, ZapRequest } from "../mechanisms/mechanism.js";
import type { Pipe } from "./pipe.js";

/** One connection serving one pipe: a ZMTP StreamEngine, or a RawEngine for STREAM sockets. */
export interface Engine {
  /** The peer's handshake metadata, keys lower-cased. */
  readonly peerProperties: Map<string, Buffer>;
  /** Closes at once, dropping what is queued. */
  destroy(): void;
  /** Flushes what is queued for up to `ms` (-1: no limit). */
  linger(ms: number): Promise<void>;
  /**
   * Leaves the peer without cutting off what it already sent: stops sending, ends this side
   * of the connection, and keeps reading until the peer ends its own; resolves once closed.
   * An engine without it is destroyed instead (see Endpoints.leave).
   */
  leave?(): Promise<void>;
  /** Gives the ZAP handler's answer to a pending request. */
  zapReply?(reply: ZapReply): void;
  /**
   * The peer announced no Socket-Type (bare ZWS2.0, which has no handshake): it is admitted
   * without the compatibility check, as libzmq admits it.
   */
  readonly unchecked?: boolean;
}

/** What an engine needs from the socket that owns the connection. */
export interface EngineHost {
  /** The handshake is done; returns the pipe to serve, or null to refuse the peer. */
  engineReady(engine: Engine): Pipe | null;
  /** A failed handshake (before engineReady). */
  engineHandshakeFailed(engine: Engine, failure: HandshakeFailure): void;
  /** The connection ended; `wasReady` tells whether its handshake had completed. */
  engineClosed(engine: Engine, error: Error | null, wasReady: boolean): void;
  /** Ask the ZAP handler; the answer goes to engine.zapReply. */
  zapRequest?(engine: Engine, request: ZapRequest): void;
  /**
   * The pipe ends with the connection (an accepted peer's), dropping what it still holds: when
   * the peer ends its side, write that first, since the peer may still be reading (a wiremq
   * peer leaving, Engine.leave). A dialed pipe keeps its queue for the next connection instead.
   */
  readonly writeQueueOnPeerEnd?: boolean;
  /**
   * We dialed this connection: NULL's READY may then go out with the greeting (opening.ts). An
   * accepted one waits for the peer's greeting, as libzmq does, so that a peer of a type we
   * cannot talk to sees our READY only after it sent its own and drops us, with the events
   * libzmq reports (test/engine/garbage-peer.test.ts).
   */
  readonly dialed?: boolean;
}

/** What a socket gives each StreamEngine it starts. */
export interface EngineOptions {
  mechanism: Mechanism;
  maxMessageSize: number;
  heartbeatInterval: number;
  heartbeatTimeToLive: number;
  heartbeatTimeout: number;
  handshakeInterval: number;
  /** The endpoint for events: the bound address (accepted) or the connect address. */
  endpoint: string;
  /** SUB/XSUB: send subscriptions (01/00 data frames) as SUBSCRIBE/CANCEL commands to 3.1 peers. */
  subscriptionCommands: boolean;
  /** RADIO/DISH: JOIN/LEAVE commands travel between the peer and the socket (see group-command.ts). */
  groupCommands: boolean;
  /** Our routing id, sent as the first message where there is no handshake (bare ZWS2.0). */
  routingId?: Uint8Array;
  /** Bounds on a message being gathered (see message-assembly.ts for the defaults). */
  maxMessageFrames?: number;
  maxMessageBytes?: number;
}
