import { Pull, type ReceiveOptions } from "../../lib/index.js";
import { decodeFrames, DecodeError, type Codec } from "../codec/codec.js";
import { closedError } from "../internal/closed.js";
import { drainTimedOut, drainTimeout, finishWithin, type CloseOptions } from "../internal/drain.js";
import { WiremqError } from "../../lib/public-errors.js";

/** The reason a receive waiting when intake stops is woken with (never reaches the caller). */
const INTAKE_STOPPED = new WiremqError("EINTAKE", "consumer intake stopped");

/** Options of a {@link Consumer}: the PULL socket's options, and a hook for messages its codec refuses. */
export type ConsumerOptions = NonNullable<ConstructorParameters<typeof Pull>[0]> & {
  /** Told of each message that could not be decoded (after it is counted); receiving goes on. */
  onDecodeError?: (error: DecodeError) => void;
};

/**
 * The receiving end of a typed pipeline: a PULL socket, fair-queued over its producers, that
 * yields decoded values. A message its codec refuses is never handed out: it is counted,
 * passed to `onDecodeError` as a DecodeError with the raw frames, and the next one follows.
 */
export class Consumer<T> implements AsyncIterable<T>, AsyncDisposable {
  /** The PULL socket, for options and monitor events. */
  readonly socket: Pull;
  readonly #codec: Codec<T>;
  readonly #onDecodeError: ((error: DecodeError) => void) | undefined;
  /**
   * Aborted once intake has stopped and every connection has ended, to wake a receive()
   * waiting on a queue that will stay empty.
   */
  readonly #intake = new AbortController();
  #emptied: (() => void) | null = null;
  #stopping: Promise<void> | null = null;
  #combined: { from: AbortSignal; signal: AbortSignal } | null = null;
  #decodeErrors = 0;

  constructor(codec: Codec<T>, options?: ConsumerOptions) {
    const { onDecodeError, ...socketOptions } = options ?? {};
    this.#codec = codec;
    this.#onDecodeError = onDecodeError;
    this.socket = new Pull(socketOptions);
  }

  get codec(): Codec<T> {
    return this.#codec;
  }

  /** Messages dropped because they could not be decoded. */
  get decodeErrors(): number {
    return this.#decodeErrors;
  }

  /** True once closed, or once intake has stopped and everything received has been taken. */
  get closed(): boolean {
    return this.socket.closed || (this.#intake.signal.aborted && !this.socket.readable);
  }

  get lastEndpoint(): string | null {
    return this.socket.lastEndpoint;
  }

  /** Binds the PULL socket; producers connect to it. */
  async bind(address: string): Promise<void> {
    await this.socket.bind(address);
  }

  /** Connects the PULL socket to a bound producer (and reconnects when it drops). */
  connect(address: string): void {
    this.socket.connect(address);
  }

  /**
   * Stops taking new messages: lets go of every endpoint (Socket.disconnectAll), so producers
   * send to their other consumers, while what they already sent this consumer over tcp or ipc
   * (in the network, and a wiremq producer's queue for it) still arrives. Resolves once every
   * connection has ended. Messages received stay queued here: receive() and `for await` hand
   * them out, then end as on close.
   */
  stopIntake(): Promise<void> {
    if (this.socket.closed) return Promise.resolve();
    this.#stopping ??= this.socket
      .disconnectAll()
      .catch(() => {})
      .then(() => {
        this.#intake.abort(INTAKE_STOPPED);
        this.#checkEmptied();
      });
    return this.#stopping;
  }

  /**
   * The next value that decodes; rejects as the socket's receive does (EAGAIN, EBADF, abort),
   * and with EBADF once intake has stopped and nothing received is left.
   */
  async receive(options?: ReceiveOptions): Promise<T> {
    for (;;) {
      if (this.#intake.signal.aborted && !this.socket.readable) {
        this.#checkEmptied();
        throw closedError("consumer");
      }
      let frames: Buffer[];
      try {
        frames = await this.socket.receive(this.#withIntake(options));
      } catch (err) {
        // Woken by stopIntake: go round to take what is queued, or to end.
        if (err === INTAKE_STOPPED && !this.socket.closed) continue;
        throw err;
      }
      try {
        return decodeFrames(this.#codec, frames);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        this.#decodeErrors++;
        this.#onDecodeError?.(err);
      } finally {
        if (this.#intake.signal.aborted) this.#checkEmptied();
      }
    }
  }

  /** Yields values until the consumer is closed, or drained. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, undefined, undefined> {
    while (!this.closed) {
      try {
        yield await this.receive();
      } catch (err) {
        if (this.closed) return undefined;
        throw err;
      }
    }
    return undefined;
  }

  /**
   * Closes the consumer. With `{ drain: true }` it first stops intake (see stopIntake) and waits
   * until its readers (`receive`, `for await`, a worker pool) have taken every message already
   * received; a worker pool's own `close({ drain: true })` also waits for its handlers.
   */
  close(options?: CloseOptions): Promise<void> {
    return this.#close(options?.drain === true, drainTimeout(options));
  }

  async #close(drain: boolean, timeout: number): Promise<void> {
    if (drain && !this.socket.closed) {
      const emptied = new Promise<void>((resolve) => (this.#emptied = resolve));
      // Bounded as a whole: a peer that never ends its side of a connection cannot hold it.
      if (!(await finishWithin(this.stopIntake().then(() => emptied), timeout))) {
        await this.socket.close();
        throw drainTimedOut("consumer", timeout);
      }
    }
    await this.socket.close();
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #withIntake(options: ReceiveOptions | undefined): ReceiveOptions {
    const signal = options?.signal;
    if (this.#intake.signal.aborted) return options ?? {};
    if (signal === undefined) return { ...options, signal: this.#intake.signal };
    // A worker pool passes the same signal on every receive: combine it once, not per message.
    if (this.#combined?.from !== signal) this.#combined = { from: signal, signal: AbortSignal.any([signal, this.#intake.signal]) };
    return { ...options, signal: this.#combined.signal };
  }

  #checkEmptied(): void {
    if (this.#emptied !== null && this.#intake.signal.aborted && !this.socket.readable) {
      const emptied = this.#emptied;
      this.#emptied = null;
      emptied();
    }
  }
}
