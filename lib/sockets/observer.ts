import type { EventEmitter } from "node:events";
import { nodeBuiltin } from "../util/builtin.js";
import { Listeners } from "../util/listeners.js";
import { WiremqError, zmqError } from "../errors.js";
import { holdProcess, releaseProcess } from "./lifetime.js";
import type { Event, EventOfType, EventSubscriber, EventType } from "./event-types.js";

/** One monitor event, shaped as in the `zeromq` package. */
export interface SocketEvent {
  type: string;
  address?: string;
  interval?: number;
  error?: Error & { code?: string; status?: number; errno?: number };
}

/** libzmq's monitor pipe keeps about this many events for a reader that is behind. */
const MAX_BUFFERED = 1000;

/**
 * zeromq's `events.emitter` is Node's EventEmitter; where there is none (the browser build),
 * the Listeners that do what the monitor needs of it.
 */
const Emitter: new () => EventEmitter =
  nodeBuiltin<typeof import("node:events")>("node:events")?.EventEmitter ?? (Listeners as unknown as new () => EventEmitter);

const EMITTER_MODE =
  "Observer is in event emitter mode. After a call to events.on() it is not possible to read events with events.receive().";
const BUSY = "Observer is busy reading; only one receive operation may be in progress at any time";

/**
 * The socket's monitor, as zeromq's Observer: events are kept from the moment the socket's
 * `events` is first read, and read either with `receive()` / `for await`, or, once `on()` is
 * called, by listeners only (receive then throws, as in zeromq). The "end" event, sent when
 * the socket closes, is the last; the observer is closed once it is delivered. As zeromq's
 * (a socket being read), a pending receive holds the process alive, and so does emitter
 * mode, until the observer closes.
 */
export class Observer {
  private buffered: SocketEvent[] = [];
  private waiter: { resolve(e: SocketEvent): void; reject(e: Error): void } | null = null;
  private listeners: EventEmitter | null = null;
  private watching = false;
  private isClosed = false;
  private dispatchQueued = false;
  /** Emitter mode holds the process until close. */
  private holding = false;

  get closed(): boolean {
    return this.isClosed;
  }

  /** The EventEmitter behind on()/off(); reading it switches to event emitter mode. */
  get emitter(): EventEmitter {
    if (this.listeners === null) {
      this.listeners = new Emitter();
      if (!this.isClosed) {
        this.holding = true;
        holdProcess();
      }
      // Events kept so far go to the listeners, after the caller has attached them.
      if (this.buffered.length > 0) this.#queueDispatch();
    }
    return this.listeners;
  }

  on<E extends EventType>(type: E, listener: (event: EventOfType<E>) => void): EventSubscriber {
    return this.emitter.on(type, listener) as EventSubscriber;
  }

  off<E extends EventType>(type: E, listener: (event: EventOfType<E>) => void): EventSubscriber {
    return this.emitter.off(type, listener) as EventSubscriber;
  }

  /** The library's events are SocketEvents; they have the shapes `Event` types. */
  receive(): Promise<Event> {
    if (this.listeners !== null) throw new WiremqError("EFSM", EMITTER_MODE);
    if (this.isClosed) throw zmqError("EBADF", "Socket is closed");
    if (this.waiter !== null) throw zmqError("EBUSY", BUSY);
    const next = this.buffered.shift();
    if (next !== undefined) {
      this.#delivered(next);
      return Promise.resolve(next as Event);
    }
    holdProcess();
    const waiting = new Promise<SocketEvent>((resolve, reject) => {
      this.waiter = {
        resolve: (event) => {
          releaseProcess();
          resolve(event);
        },
        reject: (err) => {
          releaseProcess();
          reject(err);
        },
      };
    });
    return waiting as Promise<Event>;
  }

  /** As zeromq's: ends when the observer is closed; an error from receive() is thrown. */
  [Symbol.asyncIterator](): AsyncIterator<Event, undefined> {
    return {
      next: async (): Promise<IteratorResult<Event, undefined>> => {
        if (this.isClosed) return { done: true, value: undefined };
        return { value: await this.receive(), done: false };
      },
    };
  }

  /** Stops the monitor: kept events are dropped; a waiting receive() fails as zeromq's does. */
  close(): void {
    this.isClosed = true;
    if (this.holding) {
      this.holding = false;
      releaseProcess();
    }
    this.buffered = [];
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(zmqError("ENOTSOCK", "Socket operation on non-socket"));
  }

  /** @internal Starts keeping events: the socket's `events` was read. */
  watch(): this {
    this.watching = true;
    return this;
  }

  /** @internal */
  emit(event: SocketEvent): void {
    if (!this.watching || this.isClosed) {
      if (event.type === "end") this.isClosed = true;
      return;
    }
    if (this.buffered.length >= MAX_BUFFERED && event.type !== "end") return;
    this.buffered.push(event);
    this.#queueDispatch();
  }

  /** Hands kept events over on a microtask, so neither a listener nor a reader runs inside the engine. */
  #queueDispatch(): void {
    if (this.dispatchQueued) return;
    this.dispatchQueued = true;
    queueMicrotask(() => {
      this.dispatchQueued = false;
      this.#dispatch();
    });
  }

  #dispatch(): void {
    const listeners = this.listeners;
    if (listeners !== null) {
      let event;
      while (!this.isClosed && (event = this.buffered.shift()) !== undefined) {
        this.#delivered(event);
        listeners.emit(event.type, event);
      }
      return;
    }
    const waiter = this.waiter;
    if (waiter === null) return;
    const event = this.buffered.shift();
    if (event === undefined) return;
    this.waiter = null;
    this.#delivered(event);
    waiter.resolve(event);
  }

  #delivered(event: SocketEvent): void {
    if (event.type === "end") this.close();
  }
}
