import { Pull, type ReceiveOptions } from "../../lib/index.js";
import { decodeFrames, DecodeError, type Codec } from "../codec/codec.js";

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

  get closed(): boolean {
    return this.socket.closed;
  }

  get lastEndpoint(): string | null {
    return this.socket.lastEndpoint;
  }

  bind(address: string): Promise<void> {
    return this.socket.bind(address);
  }

  connect(address: string): void {
    this.socket.connect(address);
  }

  /** The next value that decodes; rejects as the socket's receive does (EAGAIN, EBADF, abort). */
  async receive(options?: ReceiveOptions): Promise<T> {
    for (;;) {
      const frames = await this.socket.receive(options);
      try {
        return decodeFrames(this.#codec, frames);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        this.#decodeErrors++;
        this.#onDecodeError?.(err);
      }
    }
  }

  /** Yields values until the consumer is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, undefined, undefined> {
    while (!this.socket.closed) {
      try {
        yield await this.receive();
      } catch (err) {
        if (this.socket.closed) return undefined;
        throw err;
      }
    }
    return undefined;
  }

  close(): Promise<void> {
    return this.socket.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
