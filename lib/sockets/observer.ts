import { EventEmitter } from "node:events";
import { zmqError, messages } from "../errors.js";

/** One monitor event, shaped as in the `zeromq` package. */
export interface SocketEvent {
  type: string;
  address?: string;
  interval?: number;
  error?: Error & { code?: string; status?: number };
}

const MAX_BUFFERED = 1000;

/**
 * The socket's monitor: `on(type, fn)` listeners, or `receive()` / `for await` to pull events.
 * Events are dispatched on a microtask so a listener never runs inside the engine's stack.
 */
export class Observer {
  readonly emitter = new EventEmitter();
  private buffered: SocketEvent[] = [];
  private waiter: { resolve(e: SocketEvent): void; reject(e: Error): void } | null = null;
  private pulling = false;
  private isClosed = false;

  get closed(): boolean {
    return this.isClosed;
  }

  on(type: string, listener: (event: SocketEvent) => void): this {
    this.emitter.on(type, listener);
    return this;
  }

  off(type: string, listener: (event: SocketEvent) => void): this {
    this.emitter.off(type, listener);
    return this;
  }

  receive(): Promise<SocketEvent> {
    this.pulling = true;
    const next = this.buffered.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.isClosed) return Promise.reject(zmqError("EBADF", messages.EBADF));
    if (this.waiter !== null) return Promise.reject(zmqError("EBUSY", messages.EBUSY_RECEIVE));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SocketEvent> {
    while (!this.isClosed || this.buffered.length > 0) {
      try {
        yield await this.receive();
      } catch (err) {
        if (this.isClosed) return;
        throw err;
      }
    }
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    queueMicrotask(() => {
      const w = this.waiter;
      this.waiter = null;
      w?.reject(zmqError("EBADF", messages.EBADF));
    });
  }

  /** @internal */
  emit(event: SocketEvent): void {
    if (this.isClosed && event.type !== "end") return;
    queueMicrotask(() => {
      this.emitter.emit(event.type, event);
      const w = this.waiter;
      if (w !== null) {
        this.waiter = null;
        w.resolve(event);
      } else if (this.pulling && this.buffered.length < MAX_BUFFERED) {
        this.buffered.push(event);
      }
    });
  }
}
