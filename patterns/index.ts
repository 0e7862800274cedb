/**
 * wiremq/patterns: the socket types made type-safe and put to work. Codecs fix the type of
 * each message; on top of them sit a pipeline (PUSH/PULL with a worker pool), pub/sub with
 * topics and content filters sent upstream, RPC with retries across servers, and a
 * load-balancing broker with heartbeating workers. Built only on wiremq's public API.
 */
export { DecodeError, EncodeError } from "./codec/codec.js";
export type { Codec, CodecValue } from "./codec/codec.js";
export { raw } from "./codec/raw.js";
export { string } from "./codec/string.js";
export { json } from "./codec/json.js";
export type { JsonCodecOptions, JsonValue } from "./codec/json.js";
export { protobuf } from "./codec/protobuf.js";
export type { ProtobufCodecOptions, StaticMessageClass } from "./codec/protobuf.js";
export type { ProtoConversion, ProtoEnum, ProtoField, ProtoRoot, ProtoType } from "./codec/protobuf-schema.js";

export { Producer, PRODUCER_SEND_TIMEOUT } from "./pipeline/producer.js";
export type { ProducerOptions } from "./pipeline/producer.js";
export { Consumer } from "./pipeline/consumer.js";
export type { ConsumerOptions } from "./pipeline/consumer.js";
export { runWorkers, WorkerPool } from "./pipeline/worker-pool.js";
export type { ValueSource, WorkerPoolOptions } from "./pipeline/worker-pool.js";
export type { CloseOptions } from "./internal/drain.js";

export { TopicPublisher } from "./pubsub/publisher.js";
export type { SubscriptionChange, TopicPublisherOptions } from "./pubsub/publisher.js";
export { FILTER_ACK_TIMEOUT, TopicSubscriber } from "./pubsub/subscriber.js";
export { FilteringForwarder } from "./pubsub/forwarder.js";
export type { FilteringForwarderOptions, FilteringForwarderStats } from "./pubsub/forwarder.js";
export type { SubscribeOptions, Subscription, TopicSubscriberOptions } from "./pubsub/subscriber.js";
export type { TopicMessage, TopicName, Topics, TopicValue } from "./pubsub/topics.js";
export { compileWhere, FILTER_LIMITS, FilterError, where } from "./pubsub/where.js";
export type { AudienceState, WaitForSubscribersOptions } from "./pubsub/audience.js";
export type { ReadyOptions } from "./pubsub/readiness.js";
export type { FieldPath, FieldTest, FieldValue, Scalar, Where } from "./pubsub/where.js";

export { rpc } from "./rpc/rpc.js";
export { defineService } from "./rpc/service.js";
export type { CallContext, Handlers, MethodName, MethodSpec, ReplyOf, RequestOf, ServiceSpec } from "./rpc/service.js";
export { RpcServer } from "./rpc/server.js";
export type { CloseOptions as RpcServerCloseOptions, RpcServerOptions, RpcServerStats } from "./rpc/server.js";
export { RpcClient } from "./rpc/client.js";
export type { CallOptions, RetryOptions, RpcClientOptions, RpcClientStats } from "./rpc/client.js";
export type { DealerOptions } from "./rpc/server-link.js";
export { RemoteError, RpcError } from "./rpc/errors.js";

export { TypedFanout, typedFanout, typedRecipient } from "./fanout/typed-fanout.js";
export type { Recipient } from "./fanout/typed-fanout.js";

export { LoadBalancingBroker } from "./service/broker.js";
export type { BrokerOptions, BrokerStats, WorkerEvent } from "./service/broker.js";
export { ServiceWorker } from "./service/worker.js";
export type { ServiceWorkerOptions, ServiceWorkerStats } from "./service/worker.js";

export { DurableProducer, DurableConsumer } from "./durable/durable.js";
export type { DurableDelivery, DurableConsumerOptions } from "./durable/durable.js";
export { DurableQueue, durableQueue } from "./durable/queue.js";
export { DurableWorkers, runDurableWorkers } from "./durable/workers.js";
export type { DurableWorkersOptions } from "./durable/workers.js";
