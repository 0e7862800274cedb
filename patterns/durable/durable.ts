import type { ConsumeOptions, DeadLetterInfo, DurableQueues, PutOptions, PutReceipt, QueueConsumer, QueueDelivery } from "../../lib/broker/index.js";
import { DecodeError, EncodeError, type Codec } from "../codec/codec.js";
import { closedError } from "../internal/closed.js";

/** Broker messages are one body: a codec here must encode each value as exactly one frame. */
function singleFrame<T>(codec: Codec<T>, value: T): Buffer {
  const frames = codec.encode(value);
  if (frames.length !== 1) throw new EncodeError(codec.name, `a broker message is one frame, the codec made ${frames.length}`);
  return frames[0]!;
}

/**
 * Puts typed values on a named broker queue; each put resolves once the broker stored it, and
 * rejects with ETIMEDOUT when no broker confirms within its timeout (the client's `putTimeout`,
 * 30 s unless set).
 */
export class DurableProducer<T> implements AsyncDisposable {
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  constructor(
    private readonly client: DurableQueues,
    readonly queue: string,
    private readonly codec: Codec<T>,
  ) {}

  /**
   * Puts one value on the queue; resolves once stored. Throws `EENCODE` for a value its codec
   * refuses; rejects with `EBADF` after `close()`, `ETIMEDOUT` past the put timeout.
   */
  put(value: T, options?: PutOptions): Promise<PutReceipt> {
    if (this.#closed) return Promise.reject(closedError("DurableProducer"));
    const put = this.client.put(this.queue, singleFrame(this.codec, value), options);
    this.#inFlight.add(put);
    const forget = (): void => void this.#inFlight.delete(put);
    put.then(forget, forget);
    return put;
  }

  /** Takes no more puts (EBADF) and waits for those in flight to settle. The client stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** One typed delivery: the value, and ack/nack/extend for the message it came in. */
export interface DurableDelivery<T> {
  readonly value: T;
  readonly attempt: number;
  /** The lease the broker gives this delivery (ms); 0 when the broker did not say. */
  readonly leaseMs: number;
  /** From a dead-letter queue: why the message is there. */
  readonly deadLetter: DeadLetterInfo | undefined;
  /** Done with it: the queue forgets it. */
  ack(): Promise<void>;
  /** Requeues (or dead-letters); `error` is kept with the message and lands in its dead-letter entry. */
  nack(options?: { deadLetter?: boolean; error?: string | Error }): Promise<"requeued" | "dead-lettered">;
  /** Moves the end of the lease to `ms` from now (default: the lease length again); rejects with ENOENT once the lease is over. */
  extend(ms?: number): Promise<number>;
}

/** Options of a {@link DurableConsumer}: the queue's `credit` and `leaseMs`, and a hook for messages that do not decode. */
export interface DurableConsumerOptions extends ConsumeOptions {
  /**
   * Told about each message that does not decode. Such a message is dead-lettered at once
   * (retrying cannot make it decode) with the reason `decode-error`, counted, and the
   * consumer goes on.
   */
  onDecodeError?: (error: DecodeError) => void;
}

/** Takes typed values from a named broker queue, with a credit window, as an async iterator. */
export class DurableConsumer<T> implements AsyncIterable<DurableDelivery<T>>, AsyncDisposable {
  private readonly consumer: QueueConsumer;
  private readonly onDecodeError: ((error: DecodeError) => void) | undefined;
  /** Messages that did not decode and were dead-lettered. */
  decodeErrors = 0;

  constructor(
    client: DurableQueues,
    readonly queue: string,
    private readonly codec: Codec<T>,
    options: DurableConsumerOptions = {},
  ) {
    const { onDecodeError, ...consume } = options;
    this.onDecodeError = onDecodeError;
    this.consumer = client.consume(queue, consume);
  }

  get closed(): boolean {
    return this.consumer.closed;
  }

  /** The next delivery that decodes; undefined once the consumer is closed. */
  async next(): Promise<DurableDelivery<T> | undefined> {
    for (;;) {
      const delivery = await this.consumer.next();
      if (delivery === undefined) return undefined;
      const value = this.decode(delivery);
      if (value !== NOT_DECODED) return typed(delivery, value as T);
    }
  }

  /** Yields each delivery until the consumer is closed; leaving the loop closes it. */
  async *[Symbol.asyncIterator](): AsyncGenerator<DurableDelivery<T>, undefined, undefined> {
    try {
      for (;;) {
        const d = await this.next();
        if (d === undefined) return undefined;
        yield d;
      }
    } finally {
      // `break` out of for-await lands here: stop taking messages.
      await this.close();
    }
  }

  private decode(delivery: QueueDelivery): T | typeof NOT_DECODED {
    try {
      return this.codec.decode([delivery.body]);
    } catch (err) {
      this.decodeErrors++;
      const error = err instanceof DecodeError ? err : new DecodeError(this.codec.name, [delivery.body], String((err as Error).message ?? err), { cause: err });
      // Not awaited: the consumer goes on; a failed NACK leaves the message to its lease.
      delivery.nack({ deadLetter: true, undecodable: true, error: error.message }).catch(() => {});
      this.onDecodeError?.(error);
      return NOT_DECODED;
    }
  }

  /** Cancels at the broker: deliveries not yet acknowledged go back to the queue. */
  close(): Promise<void> {
    return this.consumer.close();
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function typed<T>(delivery: QueueDelivery, value: T): DurableDelivery<T> {
  return {
    value,
    attempt: delivery.attempt,
    leaseMs: delivery.leaseMs,
    deadLetter: delivery.deadLetter,
    ack: () => delivery.ack(),
    nack: (o) => delivery.nack(o),
    extend: (ms) => delivery.extend(ms),
  };
}

const NOT_DECODED: unique symbol = Symbol("not decoded");
