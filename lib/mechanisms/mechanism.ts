import type { Properties } from "../wire/command.js";

/**
 * A security mechanism as a pure state machine: the engine feeds it the peer's handshake
 * commands and sends what it returns. It never touches a socket or a timer.
 */
export interface Mechanism {
  readonly name: "NULL" | "PLAIN" | "CURVE";
  /** The as-server bit this side puts in its greeting. */
  readonly asServer: boolean;
  /**
   * A promise when the mechanism must load something before start() (CURVE: libsodium), null
   * when it is ready. The engine waits for it once greetings are exchanged.
   */
  prepare?(): Promise<void> | null;
  /** Command bodies (name + data, see wire/command.ts) to send once greetings are exchanged. */
  start(): MechanismStep;
  /**
   * The command bodies start() would send, when they may go out with our greeting before the
   * peer's (NULL's READY); null when start() must wait for the peer's greeting.
   */
  startEarly?(): Buffer[] | null;
  /** Feeds one handshake command body from the peer. */
  onCommand(body: Buffer): MechanismStep;
  /** Feeds the ZAP handler's answer to the request this mechanism asked for. */
  onZapReply(reply: ZapReply): MechanismStep;
  /** The peer's metadata, keys lower-cased; complete once the step says `ready`. */
  readonly peerProperties: Map<string, Buffer>;
  /** The user id the ZAP handler gave this peer ("" if none). */
  readonly userId: string;
  /** Properties the ZAP handler attached to this peer. */
  readonly zapProperties: Map<string, Buffer>;
  /** For mechanisms that box traffic (CURVE): wraps one frame as a command body. */
  encode?(flags: number, body: Uint8Array): Buffer;
  /** The length of encode()'s output for a frame of `length` bytes. */
  encodedSize?(length: number): number;
  /** encode() written into `out` at `at`, sparing an allocation; returns the offset after it. */
  encodeInto?(out: Buffer, at: number, flags: number, body: Uint8Array): number;
  /** For mechanisms that box traffic (CURVE): unwraps a MESSAGE command body into a frame. */
  decode?(commandBody: Buffer): { flags: number; body: Buffer };
  /**
   * True when decode() may return a view of its input and overwrite it: the input must then be
   * memory of its own, not a buffer reused for the next frame.
   */
  decodeTakesInput?(): boolean;
  /**
   * Overwrites every secret the mechanism still holds (keys, a PLAIN password). The engine
   * calls it when the connection ends, handshake done or abandoned; the mechanism is not used
   * after.
   */
  dispose?(): void;
}

export interface MechanismStep {
  /** Command bodies to send now, in order. */
  send: Buffer[];
  /** The handshake is complete: traffic may flow. */
  ready?: boolean;
  /** The handshake failed; the engine sends `send` (for example an ERROR) then closes. */
  error?: HandshakeFailure;
  /** The mechanism waits for a ZAP decision before going on. */
  zap?: ZapRequest;
}

export interface HandshakeFailure {
  /** Maps to the monitor events handshake:error:protocol / :auth / :other. */
  kind: "protocol" | "auth" | "other";
  message: string;
  /** ZAP status code for auth failures (300, 400, 500). */
  status?: number;
  /**
   * What went wrong: for "other" the errno libzmq reports (EAGAIN, EPIPE, EFAULT); for
   * "protocol" a ZMTP_* or ZAP_* name, libzmq's ZMQ_PROTOCOL_ERROR_* where one fits.
   */
  code?: string;
  /**
   * libzmq reports no handshake event for it (an ERROR whose reason is not a ZAP status):
   * the connection just ends.
   */
  quiet?: boolean;
  /**
   * The peer may be worth trying again: it sent bytes that are not ZMTP at all (libzmq stops
   * reconnecting after a mechanism's failure, a refusal or an ERROR received).
   */
  reconnect?: boolean;
  /** What the failure came from (a TLS error for wss), kept on the event's error. */
  cause?: unknown;
}

export interface ZapRequest {
  domain: string;
  address: string;
  routingId: Buffer;
  mechanism: "NULL" | "PLAIN" | "CURVE";
  /** PLAIN: [username, password]; CURVE: [32-byte client public key]; NULL: []. */
  credentials: Buffer[];
}

export interface ZapReply {
  /** 0 when the reply could not be used at all (see `error`). */
  status: number;
  /** A reply that breaks ZAP (libzmq's ZMQ_PROTOCOL_ERROR_ZAP_*): the ZAP_* code. */
  error?: string;
  statusText: string;
  userId: string;
  metadata: Map<string, Buffer>;
}

/** What every mechanism needs to know about its side of the connection. */
export interface MechanismContext {
  /** Properties for READY / INITIATE (Socket-Type, Identity, ...). */
  properties: Properties;
  /** Peer address for ZAP, as "ip" or a path. */
  peerAddress: string;
  /** Our routing id, for ZAP requests. */
  routingId: Buffer;
  /** Non-empty when ZAP should be consulted (NULL only asks ZAP when a domain is set). */
  zapDomain: string;
  /** True when a ZAP handler is present; PLAIN/CURVE servers then must ask it. */
  zapEnabled: boolean;
  /**
   * libzmq's ZMQ_ZAP_ENFORCE_DOMAIN: ZAP is asked only when a domain is set, and then a missing
   * handler refuses the peer (NULL and CURVE servers) instead of letting it in.
   */
  zapEnforceDomain?: boolean;
}
