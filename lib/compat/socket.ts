import { EventEmitter } from "node:events";
import { WiremqError, zmqError } from "../errors.js";
import { Queue } from "../util/queue.js";
import type { Socket as V6Socket } from "../sockets/socket.js";
import type { Readable, Writable } from "../sockets/readable-writable.js";
import type { MessageLike } from "../sockets/message.js";
import { Pair } from "../sockets/pair.js";
import { Request } from "../sockets/req.js";
import { Reply } from "../sockets/rep.js";
import { Publisher } from "../sockets/pub.js";
import { Subscriber } from "../sockets/sub.js";
import { Dealer } from "../sockets/dealer.js";
import { Router } from "../sockets/router.js";
import { Pull } from "../sockets/pull.js";
import { Push } from "../sockets/push.js";
import { XPublisher } from "../sockets/xpub.js";
import { XSubscriber } from "../sockets/xsub.js";
import { Stream } from "../sockets/stream.js";
import { ZMQ_SNDMORE } from "./flags.js";
import { getOption, setOption, type OptionTarget } from "./option-table.js";
import { options as shortOptions, type ShortOptionName } from "./short-options.js";
import { MONITOR_ARGUMENTS_IGNORED, toMonitorEmit } from "./monitor-events.js";

/** All the socket types of zeromq 5's `zmq.socket(type)`. */
export type SocketType = "pair" | "req" | "rep" | "pub" | "sub" | "dealer" | "xreq" | "router" | "xrep" | "pull" | "push" | "xpub" | "xsub" | "stream";

type Callback = (err?: Error) => void;

/**
 * A v6 socket of a type chosen at run time: the methods of its abilities are checked here by
 * type name (a PULL's send fails as zeromq's compat layer fails), not by the compiler.
 */
type AnySocket = V6Socket & Readable & Writable;

const MAKERS: Readonly<Record<SocketType, () => V6Socket>> = {
  pair: () => new Pair(),
  req: () => new Request(),
  rep: () => new Reply(),
  pub: () => new Publisher(),
  sub: () => new Subscriber(),
  dealer: () => new Dealer(),
  xreq: () => new Dealer(),
  router: () => new Router(),
  xrep: () => new Router(),
  pull: () => new Pull(),
  push: () => new Push(),
  xpub: () => new XPublisher(),
  xsub: () => new XSubscriber(),
  stream: () => new Stream(),
};

/**
 * zeromq 5's callback socket over a wiremq socket: messages arrive as `message` events (one
 * argument per frame), `send` queues and calls back, `pause` holds both directions, and
 * monitor events are emitted on the socket itself. Timing follows zeromq's compat layer
 * (events on the next tick, send callbacks when the send is queued) so callback order is the
 * same with either library.
 */
export class Socket extends EventEmitter {
  /** The option aliases (`identity`, `linger`, ...) defined on the prototype below. */
  [key: string]: any;
  type: SocketType;
  readonly #socket: AnySocket;
  readonly #receives: boolean;
  /** Frames given with ZMQ_SNDMORE, waiting for the last one. */
  #parts: MessageLike[] = [];
  /** Messages waiting for their turn to send (a ring: a program may queue 100,000 at once). */
  readonly #outbox = new Queue<[MessageLike[], Callback | undefined]>();
  /** A message received while paused, emitted on resume. */
  #held: Buffer[][] = [];
  #paused = false;
  #receiving = false;
  #sending = false;
  #unmonitored = false;

  constructor(type: SocketType) {
    super();
    const make = Object.hasOwn(MAKERS, type) ? MAKERS[type] : undefined;
    if (make === undefined) throw new WiremqError("EINVAL", `Invalid socket type: ${type}`);
    this.type = type;
    this.#socket = make() as AnySocket;
    this.#receives = type !== "push" && type !== "pub";
    this.#pumpReceive();
  }

  /** Binds in the background; then emits `bind` and calls `cb()`, or calls `cb(err)` (without `cb`, emits `error`). */
  bind(address: string, cb?: Callback): this {
    this.#settle(this.#socket.bind(address), "bind", address, cb);
    return this;
  }

  /** Unbinds in the background; then emits `unbind` and calls `cb()`, or calls `cb(err)` (without `cb`, emits `error`). */
  unbind(address: string, cb?: Callback): this {
    this.#settle(this.#socket.unbind(address), "unbind", address, cb);
    return this;
  }

  /** Binds before returning; throws what binding fails with (`EADDRINUSE`, `EINVAL`, ...). */
  bindSync(address: string): void {
    this.#socket.bindSync(address);
  }

  /** Unbinds before returning; throws what unbinding fails with. */
  unbindSync(address: string): void {
    this.#socket.unbindSync(address);
  }

  /** Connects (and reconnects) to a peer in the background; a bad address throws at once. */
  connect(address: string): this {
    this.#socket.connect(address);
    return this;
  }

  /** Stops connecting to an endpoint given to `connect`; one never connected fails with `ENOENT`. */
  disconnect(address: string): this {
    this.#socket.disconnect(address);
    return this;
  }

  /** Queues a frame; the message goes out with the first call without ZMQ_SNDMORE in `flags`. */
  send(message: MessageLike[] | MessageLike, flags: number | undefined | null = 0, cb: Callback | undefined = undefined): this {
    this.#parts = this.#parts.concat(message);
    if (((flags ?? 0) & ZMQ_SNDMORE) === 0) {
      this.#outbox.push([this.#parts, cb]);
      this.#parts = [];
      if (!this.#paused) this.#pumpSend();
    }
    return this;
  }

  /** Removed in zeromq's compat mode, as here: throws `ENOTSUP`; listen for `message` instead. */
  read(): void {
    throw new WiremqError("ENOTSUP", "read() has been removed from compatibility mode; use on('message', ...) instead.");
  }

  /** Stops emitting `message` and sending queued messages until `resume()`; what arrives meanwhile is held. */
  pause(): void {
    this.#paused = true;
  }

  /** Emits what arrived while paused, then goes on receiving and sending. */
  resume(): void {
    this.#paused = false;
    this.#pumpReceive();
    this.#pumpSend();
  }

  /** Closes the socket; queued messages still go out within its `linger`. */
  close(): this {
    void this.#socket.close();
    return this;
  }

  get closed(): boolean {
    return this.#socket.closed;
  }

  /**
   * What util.inspect shows, even with showHidden: the option accessors on the prototype would
   * otherwise be listed with their values, a password among them.
   */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Socket { type: '${this.type}', closed: ${this.#socket.closed} }`;
  }

  /**
   * Emits the socket's monitor events under zeromq 5's names (`connect`, `accept`,
   * `disconnect`, ...), each with its value and endpoint. Both arguments are ignored, with a
   * warning. Throws `ENOTSOCK` on a closed socket.
   */
  monitor(interval?: number, num?: number): this {
    if (interval || num) process.emitWarning(MONITOR_ARGUMENTS_IGNORED);
    // zeromq cannot make the monitor of a closed socket, and says so at once.
    if (this.#socket.closed) throw notSocket();
    void this.#readEvents();
    return this;
  }

  /** Stops the monitor events `monitor()` started. */
  unmonitor(): this {
    this.#unmonitored = true;
    this.#socket.events.close();
    return this;
  }

  /** Subscribes a `sub` socket to messages whose first frame starts with `filter`; other types fail with `ENOTSUP`. */
  subscribe(filter: string): this {
    this.#subscriber().subscribe(filter);
    return this;
  }

  /** Removes a subscription `subscribe` made; other types than `sub` fail with `ENOTSUP`. */
  unsubscribe(filter: string): this {
    this.#subscriber().unsubscribe(filter);
    return this;
  }

  /**
   * Sets an option by its libzmq number (`ZMQ_*`) or zeromq 5 short name; strings given to a
   * byte option are sent as UTF-8. Throws `EINVAL` for an unknown or read-only option, and what
   * the v6 property throws for a bad value.
   *
   * @example
   * ```ts
   * import * as zmq from "wiremq/v5-compat";
   * const sock = zmq.socket("dealer");
   * sock.setsockopt(zmq.ZMQ_IDENTITY, Buffer.from("worker-1"));
   * sock.setsockopt("linger", 0);
   * sock.close();
   * ```
   */
  setsockopt(option: number | ShortOptionName, value: any): this {
    setOption(this.#socket as unknown as OptionTarget, typeof option === "number" ? option : shortOptions[option], value);
    return this;
  }

  /** Reads an option by its libzmq number or short name; throws `EINVAL` for an unknown or write-only option. */
  getsockopt(option: number | ShortOptionName): string | number | boolean | null {
    return getOption(this.#socket as unknown as OptionTarget, typeof option === "number" ? option : shortOptions[option]) as string | number | boolean | null;
  }

  #subscriber(): Subscriber {
    if (this.#socket instanceof Subscriber) return this.#socket;
    throw new WiremqError("ENOTSUP", "Subscriber socket required");
  }

  /** bind/unbind outcome: the event and callback on the next tick, or the error to the callback or as `error`. */
  #settle(done: Promise<void>, event: string, address: string, cb: Callback | undefined): void {
    done
      .then(() => {
        process.nextTick(() => {
          this.emit(event, address);
          if (cb) cb();
        });
      })
      .catch((err: Error) => {
        process.nextTick(() => {
          if (cb) cb(err);
          else this.emit("error", err);
        });
      });
  }

  #pumpReceive(): void {
    if (!this.#receives || this.#receiving || this.#socket.closed) return;
    void this.#drainReceive();
  }

  async #drainReceive(): Promise<void> {
    this.#receiving = true;
    while (!this.#socket.closed && !this.#paused) await this.#receiveOne();
    this.#receiving = false;
  }

  async #receiveOne(): Promise<void> {
    try {
      const held = this.#held.shift();
      if (held !== undefined) process.nextTick(() => this.emit("message", ...held));
      const msg = await this.#socket.receive();
      if (this.#paused) this.#held.push(msg);
      else process.nextTick(() => this.emit("message", ...msg));
    } catch (err) {
      if (!this.#socket.closed && (err as { code?: string }).code !== "EBUSY") {
        process.nextTick(() => this.emit("error", err));
      }
    }
  }

  #pumpSend(): void {
    if (this.#sending || this.#socket.closed) return;
    // Left unhandled on purpose: zeromq's compat layer rejects the same way (an unhandled
    // rejection, "Cannot send on this socket type.") when a PULL or SUB is given a message.
    void this.#drainSend();
  }

  async #drainSend(): Promise<void> {
    this.#sending = true;
    while (!this.#socket.closed && !this.#paused && this.#outbox.length > 0) await this.#sendOne();
    this.#sending = false;
  }

  async #sendOne(): Promise<void> {
    if (this.type === "pull" || this.type === "sub") throw new WiremqError("ENOTSUP", "Cannot send on this socket type.");
    const [msg, cb] = this.#outbox.shift()!;
    try {
      await this.#socket.send(msg);
      if (cb) cb();
    } catch (err) {
      if (cb) cb(err as Error);
      else this.emit("error", err);
    }
  }

  async #readEvents(): Promise<void> {
    const events = this.#socket.events;
    while (!events.closed) {
      try {
        const event = await events.receive();
        if (event.type === "end") return;
        const v5 = toMonitorEmit(event);
        if (v5 !== null) this.emit(v5.name, v5.value, "address" in event ? event.address : undefined, v5.error);
      } catch (err) {
        // zeromq's monitor read fails with ENOTSOCK when unmonitor() closes it, and its
        // compat layer passes that on as an error event.
        if (!this.#socket.closed) this.emit("error", this.#unmonitored ? notSocket() : err);
      }
    }
  }
}

function notSocket(): Error {
  return zmqError("ENOTSOCK", "Socket operation on non-socket");
}

// zeromq 5's option properties: reading one is getsockopt, and setting one is setsockopt with
// a string given as its UTF-8 bytes.
for (const [name, option] of Object.entries(shortOptions)) {
  Object.defineProperty(Socket.prototype, name, {
    get(this: Socket) {
      return this.getsockopt(option);
    },
    set(this: Socket, value: unknown) {
      this.setsockopt(option, typeof value === "string" ? Buffer.from(value, "utf8") : value);
    },
  });
}
