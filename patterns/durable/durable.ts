import type { BrokerClient, BrokerConsumer, ConsumeOptions, Delivery, PutReceipt } from "../../lib/broker/index.js";
import { DecodeError, EncodeError, type Codec } from "../codec/codec.js";

/** Broker messages are one body: a codec here must encode each value as exactly one frame. */
function singleFrame<T>(codec: Codec<T>, value: T): Buffer {
  const frames = codec.encode(value);
  if (frames.length !== 1) throw new EncodeError(codec.name, `a broker message is one frame, the codec made ${frames.length}`);
  return frames[0]!;
}

/** Puts typed values on a named broker queue; each put resolves once the broker stored it. */
export class DurableProducer<T> {
  constructor(
    private readonly client: BrokerClient,
    private readonly queue: string,
    private readonly codec: Codec<T>,
  ) {}

  put(value: T): Promise<PutReceipt> {
    return this.client.put(this.queue, singleFrame(this.codec, value));
  }
}

/** One typed delivery: the value, and ack/nack for the message it came in. */
export interface DurableDelivery<T> {
  readonly value: T;
  readonly attempt: number;
  ack(): Promise<void>;
  nack(options?: { deadLetter?: boolean }): Promise<"requeued" | "dead-lettered">;
}

export interface DurableConsumerOptions extends ConsumeOptions {
  /**
   * Told about each message that does not decode. Such a message is dead-lettered at once
   * (retrying cannot make it decode), counted, and the consumer goes on.
   */
  onDecodeError?: (error: DecodeError) => void;
}

/** Takes typed values from a named broker queue, with a credit window, as an async iterator. */
export class DurableConsumer<T> implements AsyncIterable<DurableDelivery<T>> {
  private readonly consumer: BrokerConsumer;
  private readonly onDecodeError: ((error: DecodeError) => void) | undefined;
  /** Messages that did not decode and were dead-lettered. */
  decodeErrors = 0;

  constructor(
    client: BrokerClient,
    queue: string,
    private readonly codec: Codec<T>,
    options: DurableConsumerOptions = {},
  ) {
    const { onDecodeError, ...consume } = options;
    this.onDecodeError = onDecodeError;
    this.consumer = client.consume(queue, consume);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<DurableDelivery<T>, undefined, undefined> {
    for await (const delivery of this.consumer) {
      const value = this.decode(delivery);
      if (value === NOT_DECODED) {
        await delivery.nack({ deadLetter: true });
        continue;
      }
      yield {
        value: value as T,
        attempt: delivery.attempt,
        ack: () => delivery.ack(),
        nack: (o) => delivery.nack(o),
      };
    }
    return undefined;
  }

  private decode(delivery: Delivery): T | typeof NOT_DECODED {
    try {
      return this.codec.decode([delivery.body]);
    } catch (err) {
      this.decodeErrors++;
      const error = err instanceof DecodeError ? err : new DecodeError(this.codec.name, [delivery.body], String((err as Error).message ?? err), { cause: err });
      this.onDecodeError?.(error);
      return NOT_DECODED;
    }
  }

  close(): Promise<void> {
    return this.consumer.close();
  }
}

const NOT_DECODED: unique symbol = Symbol("not decoded");
