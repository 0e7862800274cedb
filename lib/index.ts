/**
 * wiremq: ZeroMQ (ZMTP 3.1) for Node.js in pure TypeScript. The exports mirror the
 * `zeromq` package v6 so code written for it runs unchanged.
 */
export { Socket } from "./sockets/socket.js";
export type { SendOptions } from "./sockets/socket.js";
export { Push } from "./sockets/push.js";
export { Pull } from "./sockets/pull.js";
export { Pair } from "./sockets/pair.js";
export { Observer } from "./sockets/observer.js";
export type { SocketEvent } from "./sockets/observer.js";
export type { MessageLike } from "./sockets/message.js";
export { ZmqError } from "./errors.js";
export { context, Context } from "./context.js";
export { curveKeyPair, curvePublicKey } from "./mechanisms/curve-keys.js";
export { setZapHandler } from "./sockets/zap-registry.js";
export type { Authenticate, AuthenticateRequest, AuthenticateResult } from "./sockets/zap-registry.js";
export { createAuthenticator } from "./sockets/authenticator.js";
export type { AuthenticatorOptions } from "./sockets/authenticator.js";
export type { MessageWithMeta } from "./engine/stream-engine.js";
import { z85Decode, z85Encode } from "./wire/z85.js";

/** Z85 (32/Z85) text encoding of binary keys. */
export const z85 = Object.freeze({ encode: z85Encode, decode: z85Decode });

/** The libzmq version this implementation speaks for (ZMTP 3.1, as libzmq 4.3). */
export const version = "4.3.5";

/** Transports and features available, shaped as `zeromq`'s `capability`. */
export const capability: Readonly<Record<string, boolean>> = Object.freeze({
  ipc: true,
  pgm: false,
  tipc: false,
  norm: false,
  curve: true,
  gssapi: false,
  draft: false,
});
export { Publisher } from "./sockets/pub.js";
export { Subscriber } from "./sockets/sub.js";
export { XPublisher } from "./sockets/xpub.js";
export { XSubscriber } from "./sockets/xsub.js";
export { Stream } from "./sockets/stream.js";
export { Dealer } from "./sockets/dealer.js";
export { Router } from "./sockets/router.js";
export type { RouterConnectOptions } from "./sockets/router.js";
export { Request } from "./sockets/req.js";
export { Reply } from "./sockets/rep.js";
export { Proxy } from "./devices/proxy.js";
export { SteerableProxy } from "./devices/steerable-proxy.js";
export type { SteerableProxyOptions, CaptureSocket } from "./devices/steerable-proxy.js";
export { queueDevice, forwarderDevice, streamerDevice, createDevice, DEVICE_KINDS } from "./devices/device-kinds.js";
export type { DeviceKind } from "./devices/device-kinds.js";
export { BufferingDevice } from "./devices/buffering-device.js";
export type { BufferingDeviceOptions, BufferState } from "./devices/buffering-device.js";
export { openDevice, ALL_DEVICE_KINDS } from "./devices/open-device.js";
export type { AnyDeviceKind, DeviceEndpoints, OpenedDevice } from "./devices/open-device.js";
export { parseControlCommand, encodeStatistics, decodeStatistics } from "./devices/control-protocol.js";
export type { ControlCommand } from "./devices/control-protocol.js";
export type { ControlSocket, Steerable } from "./devices/control-channel.js";
export type { TrafficCounts, SideCounts } from "./devices/traffic-stats.js";
export { parseEndpointSpecs, attachEndpoints } from "./devices/endpoint-spec.js";
export type { EndpointSpec } from "./devices/endpoint-spec.js";
export { Fanout } from "./devices/fanout.js";
export type { FanoutOptions, FanoutSendOptions, FanoutReport, DestinationResult } from "./devices/fanout.js";
export { Relay } from "./devices/relay.js";
export type { RelayOptions, RelayStats } from "./devices/relay.js";
export type { RecipientHandler } from "./devices/local-recipients.js";
export { parseDestination } from "./devices/destination.js";
export type { Destination } from "./devices/destination.js";
export { RECIPIENT_STATUSES, FANOUT_VERSION } from "./devices/fanout-wire.js";
export type { RecipientStatus } from "./devices/fanout-wire.js";
export { Broker } from "./broker/broker.js";
export type { BrokerOptions } from "./broker/broker.js";
export { BrokerClient, BrokerConsumer, Delivery } from "./broker/client.js";
export type { BrokerClientOptions, PutReceipt, ConsumeOptions } from "./broker/client.js";
export type { BrokerStats, QueueStats } from "./broker/stats.js";
