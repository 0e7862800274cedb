/**
 * wiremq/devices: steerable proxies with capture and a control socket, a buffering device
 * that spills to disk, and fan-out of one send to a list of destinations through relays.
 */
// tcp:// and ipc:// (the browser entry, lib/browser.ts, registers its own transports instead).
import "../sockets/node-transports.js";
export { SteerableProxy } from "./steerable-proxy.js";
export type { SteerableProxyOptions, CaptureSocket } from "./steerable-proxy.js";
export { queueDevice, forwarderDevice, streamerDevice, createDevice, DEVICE_KINDS } from "./device-kinds.js";
export type { DeviceKind } from "./device-kinds.js";
export { BufferingDevice } from "./buffering-device.js";
export type { BufferingDeviceOptions, BufferState } from "./buffering-device.js";
export { openDevice, ALL_DEVICE_KINDS } from "./open-device.js";
export type { AnyDeviceKind, DeviceEndpoints, OpenedDevice } from "./open-device.js";
export { parseControlCommand, encodeStatistics, decodeStatistics } from "./control-protocol.js";
export type { ControlCommand } from "./control-protocol.js";
export type { ControlSocket, Steerable } from "./control-channel.js";
export type { TrafficCounts, SideCounts } from "./traffic-stats.js";
export { parseEndpointSpecs, attachEndpoints } from "./endpoint-spec.js";
export type { EndpointSpec } from "./endpoint-spec.js";
export { Fanout } from "./fanout.js";
export type { FanoutOptions, FanoutSendOptions, FanoutReport, DestinationResult } from "./fanout.js";
export { Relay } from "./relay.js";
export type { RelayOptions, RelayStats } from "./relay.js";
export type { RecipientHandler } from "./local-recipients.js";
export { parseDestination } from "./destination.js";
export type { Destination } from "./destination.js";
export { RECIPIENT_STATUSES, FANOUT_VERSION } from "./fanout-wire.js";
export type { RecipientStatus } from "./fanout-wire.js";
export { QueueBridge } from "./queue-bridge.js";
export type { BridgeConsumer, BridgeDelivery, BridgeQueues, QueueBridgeOptions, QueueBridgeStats } from "./queue-bridge.js";
