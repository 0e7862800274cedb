/**
 * A client's link to one broker: a DEALER, the session on it (HELLO), heartbeats, and
 * requests matched to replies by id. The link is "up" between a HELLO's OK and the loss of
 * the connection, of the heartbeat, or of the session; each time it comes up it has a new
 * epoch, and deliveries from an older epoch can no longer be acknowledged.
 *
 * Each connection gets a fresh DEALER (with `immediate`), so nothing queued for a lost
 * connection is sent on the next one ahead of its HELLO; requests in flight when the link
 * goes down fail with ENOTCONN and the caller decides whether to retry (puts do).
 */
import { randomBytes } from "node:crypto";
import { Dealer, type DealerOptions } from "../../sockets/dealer.js";
import { isErrorCode } from "../../error-codes.js";
import { zmqError, type ZmqError } from "../../errors.js";
import { decodeBrokerMessage, encodeClient, okU32, type BrokerMessage } from "../protocol.js";

/** A link silent for this many heartbeat intervals is taken as down. */
const DEAD_AFTER_HEARTBEATS = 3;

export type DeliverMessage = Extract<BrokerMessage, { kind: "DELIVER" }>;

export interface LinkHandlers {
  up(link: BrokerLink): void;
  down(link: BrokerLink): void;
  deliver(link: BrokerLink, msg: DeliverMessage): void;
}

export interface LinkOptions {
  /** Heartbeat period (ms) until the broker says its own in the HELLO reply. */
  heartbeatInterval: number;
  reconnectInterval: number;
  reconnectMaxInterval: number;
  /** Passed to each DEALER (security and the like), under the link's own settings. */
  socketOptions: DealerOptions;
}

interface PendingRequest {
  resolve(args: Buffer[]): void;
  reject(err: Error): void;
}

type LinkState = "connecting" | "hello" | "up" | "closed";

export class BrokerLink {
  readonly endpoint: string;
  readonly #handlers: LinkHandlers;
  readonly #opts: LinkOptions;
  #dealer: Dealer | null = null;
  #state: LinkState = "connecting";
  #epoch = 0;
  #sessionId: Buffer | null = null;
  #brokerId = "";
  #maxMessageBytes = Infinity;
  #heartbeatMs: number;
  #lastHeard = 0;
  #timer: NodeJS.Timeout | null = null;
  #nextReqId = 1;
  readonly #pending = new Map<number, PendingRequest>();
  #outbox: Buffer[][] = [];
  #pumping = false;

  constructor(endpoint: string, opts: LinkOptions, handlers: LinkHandlers) {
    this.endpoint = endpoint;
    this.#opts = opts;
    this.#heartbeatMs = opts.heartbeatInterval;
    this.#handlers = handlers;
  }

  get isUp(): boolean {
    return this.#state === "up";
  }

  /** Increments each time the link comes up: a delivery is acknowledged only in its own epoch. */
  get epoch(): number {
    return this.#epoch;
  }

  get brokerId(): string {
    return this.#brokerId;
  }

  /** The largest body the broker takes, as its HELLO reply said. */
  get maxMessageBytes(): number {
    return this.#maxMessageBytes;
  }

  start(): void {
    this.#connect();
    this.#timer = setInterval(() => this.#heartbeat(), Math.max(10, Math.floor(this.#heartbeatMs / 2)));
    this.#timer.unref();
  }

  /**
   * Sends a request built with a fresh id; resolves with the OK's arguments, rejects with the
   * broker's ERROR code, or with ENOTCONN when the link is not up or goes down first.
   */
  request(build: (reqId: number) => Buffer[]): Promise<Buffer[]> {
    if (this.#state !== "up") return Promise.reject(notConnected(this.endpoint));
    return this.#send(build);
  }

  /** Ends the session (BYE) and the connection. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    const wasUp = this.#state === "up";
    this.#state = "closed";
    if (this.#timer !== null) clearInterval(this.#timer);
    const dealer = this.#dealer;
    this.#dealer = null;
    this.#failPending(zmqError("ETERM", "client closed"));
    if (dealer !== null) {
      if (wasUp) {
        // BYE returns our unacknowledged deliveries at once instead of after the timeout.
        dealer.linger = 200;
        await dealer.send(encodeClient.bye()).catch(() => {});
      }
      await dealer.close();
    }
  }

  // ---- connection -----------------------------------------------------------------------------

  #connect(): void {
    const dealer = new Dealer({
      ...this.#opts.socketOptions,
      // A new id for each connection: the broker ends a session when its connection closes,
      // and under load that could be read after the HELLO of a next connection with the same id.
      routingId: `wmq-${randomBytes(8).toString("hex")}`,
      immediate: true,
      linger: 0,
      reconnectInterval: this.#opts.reconnectInterval,
      reconnectMaxInterval: this.#opts.reconnectMaxInterval,
    });
    this.#dealer = dealer;
    dealer.events.on("handshake", () => {
      if (this.#dealer === dealer && this.#state === "connecting") this.#hello();
    });
    dealer.events.on("disconnect", () => {
      if (this.#dealer === dealer) this.#lost();
    });
    dealer.connect(this.endpoint);
    void this.#readLoop(dealer);
  }

  #hello(): void {
    this.#state = "hello";
    this.#lastHeard = Date.now();
    this.#send((id) => encodeClient.hello(id)).then(
      (args) => {
        if (this.#state !== "hello") return;
        this.#sessionId = args[0] ?? null;
        this.#heartbeatMs = okU32(args, 1);
        this.#brokerId = args[2]?.toString() ?? "";
        // Brokers before this field said nothing: their limit is found by the ERROR reply.
        this.#maxMessageBytes = args[3] === undefined ? Infinity : okU32(args, 3);
        this.#restartTimer();
        this.#state = "up";
        this.#epoch++;
        this.#handlers.up(this);
      },
      () => {
        // Refused (version) or lost: a new connection will try again.
        if (this.#state === "hello") this.#lost();
      },
    );
  }

  /** The connection, its heartbeat or its session is gone: start over on a new DEALER. */
  #lost(): void {
    if (this.#state === "closed") return;
    const wasUp = this.#state === "up";
    this.#state = "connecting";
    this.#sessionId = null;
    this.#outbox = [];
    const old = this.#dealer;
    this.#dealer = null;
    this.#failPending(notConnected(this.endpoint));
    void old?.close();
    if (wasUp) this.#handlers.down(this);
    if (this.#state === "connecting") this.#connect();
  }

  #restartTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = setInterval(() => this.#heartbeat(), Math.max(10, Math.floor(this.#heartbeatMs / 2)));
    this.#timer.unref();
  }

  #heartbeat(): void {
    if (this.#state !== "up" && this.#state !== "hello") return;
    if (Date.now() - this.#lastHeard > DEAD_AFTER_HEARTBEATS * this.#heartbeatMs) {
      this.#lost();
      return;
    }
    this.#write(encodeClient.ping());
  }

  async #readLoop(dealer: Dealer): Promise<void> {
    try {
      for await (const frames of dealer) {
        if (this.#dealer !== dealer) return;
        this.#lastHeard = Date.now();
        let msg: BrokerMessage;
        try {
          msg = decodeBrokerMessage(frames);
        } catch {
          continue; // Not our protocol; nothing to answer it with.
        }
        this.#onMessage(msg);
      }
    } catch {
      // Closed under a pending receive.
    }
  }

  #onMessage(msg: BrokerMessage): void {
    switch (msg.kind) {
      case "OK":
      case "ERROR": {
        const p = this.#pending.get(msg.reqId);
        if (p === undefined) return;
        this.#pending.delete(msg.reqId);
        if (msg.kind === "OK") p.resolve(msg.args);
        // A code outside the protocol's list is itself a protocol violation by the broker.
        else p.reject(zmqError(isErrorCode(msg.code) ? msg.code : "EPROTO", msg.message, { address: this.endpoint }));
        return;
      }
      case "PONG":
        // The broker holds another session (or none) for us: it restarted or timed us out.
        if (this.#state === "up" && (this.#sessionId === null || !msg.sessionId.equals(this.#sessionId))) this.#lost();
        return;
      case "DELIVER":
        if (this.#state === "up") this.#handlers.deliver(this, msg);
        return;
    }
  }

  // ---- sending --------------------------------------------------------------------------------

  #send(build: (reqId: number) => Buffer[]): Promise<Buffer[]> {
    const reqId = this.#nextReqId;
    this.#nextReqId = this.#nextReqId === 0xffff_ffff ? 1 : this.#nextReqId + 1;
    return new Promise<Buffer[]>((resolve, reject) => {
      this.#pending.set(reqId, { resolve, reject });
      this.#write(build(reqId));
    });
  }

  #failPending(err: ZmqError): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(err);
  }

  /** One send in flight at a time (a socket allows no more); the rest wait in order. */
  #write(frames: Buffer[]): void {
    this.#outbox.push(frames);
    if (!this.#pumping) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#outbox.length > 0) {
        const dealer = this.#dealer;
        if (dealer === null) return;
        const frames = this.#outbox.shift()!;
        if (dealer.writable) {
          dealer.send(frames).catch(() => {});
          continue;
        }
        try {
          await dealer.send(frames);
        } catch {
          // The connection was lost; #lost() cleared the outbox.
        }
      }
    } finally {
      this.#pumping = false;
    }
  }
}

function notConnected(endpoint: string): ZmqError {
  return zmqError("ENOTCONN", `not connected to broker ${endpoint}`, { address: endpoint });
}
