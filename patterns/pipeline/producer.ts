import { Push, type SendOptions } from "../../lib/index.js";
import { encodeValue, type Codec } from "../codec/codec.js";

/**
 * Options of a {@link Producer}: the PUSH socket's options (`sendHighWaterMark`, `linger`,
 * security...). `sendTimeout` defaults to {@link PRODUCER_SEND_TIMEOUT} instead of -1.
 */
export type ProducerOptions = NonNullable<ConstructorParameters<typeof Push>[0]>;

/**
 * The producer's default `sendTimeout`, in ms. A PUSH socket's own default (-1) waits without
 * limit for a consumer, and a send waiting so holds nothing open: a program whose producer
 * never reached a consumer would exit with the value gone and no error.
 */
export const PRODUCER_SEND_TIMEOUT = 10_000;

/**
 * The sending end of a typed pipeline: a PUSH socket whose messages are values of one type.
 * Values go round-robin to the connected consumers that have room; `send` waits when all are
 * full, so a slow pipeline pushes back on its producer instead of growing a queue.
 */
export class Producer<T> implements AsyncDisposable {
  /** The PUSH socket, for options and monitor events. */
  readonly socket: Push;
  readonly #codec: Codec<T>;

  constructor(codec: Codec<T>, options?: ProducerOptions) {
    this.#codec = codec;
    this.socket = new Push({ sendTimeout: PRODUCER_SEND_TIMEOUT, ...options });
  }

  get codec(): Codec<T> {
    return this.#codec;
  }

  get lastEndpoint(): string | null {
    return this.socket.lastEndpoint;
  }

  /** Binds the PUSH socket; consumers connect to it. */
  bind(address: string): Promise<void> {
    return this.socket.bind(address);
  }

  /** Connects the PUSH socket to a bound consumer (and reconnects when it drops). */
  connect(address: string): void {
    this.socket.connect(address);
  }

  /**
   * Resolves once the value is queued for a consumer; rejects with EncodeError for a bad value,
   * and with EAGAIN when no consumer had room within `sendTimeout` ms (default
   * PRODUCER_SEND_TIMEOUT; -1 waits without limit), as when none is connected yet.
   */
  send(value: T, options?: SendOptions): Promise<void> {
    let frames: Buffer[];
    try {
      frames = encodeValue(this.#codec, value);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.socket.send(frames, options);
  }

  /** Closes the socket; what was sent still goes out within its `linger`. */
  close(): Promise<void> {
    return this.socket.close();
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
