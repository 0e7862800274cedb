/**
 * Choosing a durable-queue backend is configuration: `openDurableQueues({ backend: "embedded",
 * endpoints })` for the wiremq broker on one machine, `{ backend: "jetstream", servers,
 * replicas }` for NATS JetStream, replicated. Both return the same contract.
 */
import { zmqError } from "../errors.js";
import { BrokerClient, type BrokerClientOptions } from "./client/client.js";
import { JetStreamQueues, type JetStreamQueuesOptions } from "./jetstream/client.js";
import type { DurableQueues } from "./durable-queues.js";

export type DurableQueuesConfig =
  | ({ backend: "embedded" } & BrokerClientOptions)
  | ({ backend: "jetstream" } & JetStreamQueuesOptions);

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
