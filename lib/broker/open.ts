/**
 * Choosing a durable-queue backend is configuration: `openDurableQueues({ backend: "embedded",
 * endpoints })` for the wiremq broker on one machine, `{ backend: "jetstream", servers,
 * replicas }` for NATS JetStream, replicated. Both return the same contract.
 */
import { zmqError } from "../errors.js";
import { BrokerClient, type BrokerClientOptions } from "./client/client.js";
import { JetStreamQueues, type JetStreamQueuesOptions } from "./jetstream/client.js";
import type { DurableQueues } from "./durable-queues.js";

/**
 * What `openDurableQueues` takes: `backend: "embedded"` with {@link BrokerClientOptions}, or
 * `backend: "jetstream"` with {@link JetStreamQueuesOptions}.
 */
export type DurableQueuesConfig =
  | ({ backend: "embedded" } & BrokerClientOptions)
  | ({ backend: "jetstream" } & JetStreamQueuesOptions);

/**
 * Opens the durable-queue backend a configuration names, as {@link DurableQueues}: a
 * `BrokerClient` for `"embedded"`, `JetStreamQueues` for `"jetstream"`. It returns at once,
 * without waiting for a connection; `ready()` waits for one.
 *
 * @throws WiremqError `EINVAL` for another backend or bad options.
 *
 * @example
 * ```ts
 * import { openDurableQueues, type DurableQueuesConfig } from "wiremq/broker";
 * const config: DurableQueuesConfig = process.env.NATS_URL
 *   ? { backend: "jetstream", servers: process.env.NATS_URL }
 *   : { backend: "embedded", endpoints: "tcp://127.0.0.1:5570" };
 * const queues = openDurableQueues(config);
 * await queues.ready();
 * ```
 */
export function openDurableQueues(config: DurableQueuesConfig): DurableQueues {
  if (config?.backend === "embedded") {
    const { backend: _, ...options } = config;
    return new BrokerClient(options);
  }
  if (config?.backend === "jetstream") {
    const { backend: _, ...options } = config;
    return new JetStreamQueues(options);
  }
  throw zmqError("EINVAL", `backend must be "embedded" or "jetstream", not ${JSON.stringify((config as { backend?: unknown } | undefined)?.backend)}`);
}
