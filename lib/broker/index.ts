/**
 * wiremq/broker: durable queues behind one contract (`DurableQueues`) with two backends: the
 * embedded broker (server, client, store; one machine) and NATS JetStream (replicated; its
 * client packages are optional peers, loaded on first use). `openDurableQueues` picks one by
 * configuration.
 */
// tcp:// and ipc:// (the browser entry, lib/browser.ts, registers its own transports instead).
import "../sockets/node-transports.js";
export { Broker } from "./server/broker.js";
export type { BrokerOptions } from "./server/broker.js";
export type { SyncOption } from "./server/store/sync-policy.js";
export { BrokerClient, BrokerConsumer, Delivery } from "./client/client.js";
export type { BrokerClientOptions } from "./client/client.js";
export { decodeDeadLetter } from "./model.js";
export type { BrokerStats, DeadLetterInfo, DeadLetterReason, QueueStats, RecoveryIssue } from "./model.js";
export type { ConsumeOptions, DurableQueues, NackOptions, PutOptions, PutReceipt, QueueConsumer, QueueDelivery, QueueDepth } from "./durable-queues.js";
export { JetStreamQueues } from "./jetstream/client.js";
export type { JetStreamQueuesOptions } from "./jetstream/client.js";
export { JetStreamConsumer, JetStreamDelivery } from "./jetstream/consumer.js";
export { openDurableQueues } from "./open.js";
export type { DurableQueuesConfig } from "./open.js";
