import type { DurableQueues } from "../../lib/broker/index.js";
import type { Codec } from "../codec/codec.js";
import { DurableConsumer, DurableProducer, type DurableConsumerOptions } from "./durable.js";

/**
 * A broker queue with its name and codec held together, so producers, consumers and workers of
 * it agree on the type: `const orders = durableQueue(client, "orders", json<Order>())`.
 */
export class DurableQueue<T, Name extends string = string> {
  constructor(
    readonly client: DurableQueues,
    readonly name: Name,
    readonly codec: Codec<T>,
  ) {}

  /** A producer of typed values for this queue. */
  producer(): DurableProducer<T> {
    return new DurableProducer(this.client, this.name, this.codec);
  }

  /** A consumer of this queue's typed values. */
  consumer(options?: DurableConsumerOptions): DurableConsumer<T> {
    return new DurableConsumer(this.client, this.name, this.codec, options);
  }

  /** The queue's dead-letter queue, of the same type (each delivery's `deadLetter` says why). */
  deadLetters(): DurableQueue<T, `${Name}.dlq`> {
    return new DurableQueue(this.client, `${this.name}.dlq` as const, this.codec);
  }
}

/**
 * Names a durable queue with its codec, so every producer, consumer and worker of it agrees on
 * its type: the same as `new DurableQueue(client, name, codec)`. The client is any
 * `DurableQueues` (the embedded broker or JetStream); nothing is sent until a put or consume.
 *
 * @example
 * ```ts
 * import { openDurableQueues } from "wiremq/broker";
 * import { durableQueue, json, runDurableWorkers } from "wiremq/patterns";
 * interface Order { id: number; total: number }
 * const client = openDurableQueues({ backend: "embedded", endpoints: "tcp://127.0.0.1:5570" });
 * const orders = durableQueue(client, "orders", json<Order>());
 * await orders.producer().put({ id: 1, total: 9.5 });
 * const workers = runDurableWorkers(orders, async (order) => {
 *   console.log("order", order.id);   // resolve: acked; throw: nacked and retried
 * }, { concurrency: 4 });
 * // later:
 * await workers.close();
 * await client.close();
 * ```
 */
export function durableQueue<T, Name extends string>(client: DurableQueues, name: Name, codec: Codec<T>): DurableQueue<T, Name> {
  return new DurableQueue(client, name, codec);
}
