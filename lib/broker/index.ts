/**
 * wiremq/broker: the optional broker (durable named queues and topic subscriptions kept until
 * acknowledged) and its client, which spreads queues over a cluster by consistent hashing.
 */
// tcp:// and ipc:// (the browser entry, lib/browser.ts, registers its own transports instead).
import "../sockets/node-transports.js";
export { Broker } from "./server/broker.js";
export type { BrokerOptions } from "./server/broker.js";
export { BrokerClient, BrokerConsumer, Delivery } from "./client/client.js";
export type { BrokerClientOptions, PutReceipt, PutOptions, ConsumeOptions, NackOptions } from "./client/client.js";
export { decodeDeadLetter } from "./model.js";
export type { BrokerStats, DeadLetterInfo, DeadLetterReason, QueueStats, RecoveryIssue } from "./model.js";
