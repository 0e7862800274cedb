/**
 * wiremq/draft: the draft socket types, as `zeromq/draft` offers them (only these: the rest
 * comes from the main entry).
 * Their public types are declared here with zeromq's shapes (a SERVER receives
 * `[message, { routingId }]`, a DISH `[message, { group }]`; a RADIO cannot receive, a DISH
 * cannot send); the classes behind them live in lib/sockets/.
 */
// tcp:// and ipc:// (the browser entry, lib/browser.ts, registers its own transports instead).
import "./sockets/node-transports.js";
import type { MessageLike } from "./sockets/message.js";
import type { Message, Readable, Writable } from "./sockets/readable-writable.js";
import { Server as ServerSocket, type ServerOptions, type ServerRoutingOptions } from "./sockets/server.js";
import { Client as ClientSocket, type ClientOptions } from "./sockets/client.js";
import { Radio as RadioSocket, type RadioGroupOptions, type RadioOptions } from "./sockets/radio.js";
import { Dish as DishSocket, type DishGroupOptions, type DishOptions } from "./sockets/dish.js";
import { Gather as GatherSocket, type GatherOptions } from "./sockets/gather.js";
import { Scatter as ScatterSocket, type ScatterOptions } from "./sockets/scatter.js";
import { Datagram as DatagramSocket, type DatagramOptions } from "./sockets/datagram.js";

export type { ServerOptions, ServerRoutingOptions, ClientOptions, RadioOptions, RadioGroupOptions, DishOptions, DishGroupOptions, GatherOptions, ScatterOptions, DatagramOptions };

/** A socket class's members other than its message calls, which each type declares as zeromq does. */
type Base<S> = Omit<S, "send" | "receive" | typeof Symbol.asyncIterator>;

/** SERVER (draft): receives `[message, { routingId }]` and replies to a client by its routing id; thread-safe in libzmq, single parts only. */
export interface Server extends Base<ServerSocket>, Readable<[Message, ServerRoutingOptions]>, Writable<MessageLike, [ServerRoutingOptions]> {}
/** SERVER (draft): receives `[message, { routingId }]` and replies to a client by its routing id; thread-safe in libzmq, single parts only. */
export const Server = ServerSocket as unknown as new (options?: ServerOptions) => Server;

/** CLIENT (draft): talks to SERVER sockets, load-balancing sends and fair-queueing receives; single parts only. */
export interface Client extends Base<ClientSocket>, Readable<[Message]>, Writable<MessageLike> {}
/** CLIENT (draft): talks to SERVER sockets, load-balancing sends and fair-queueing receives; single parts only. */
export const Client = ClientSocket as unknown as new (options?: ClientOptions) => Client;

/** RADIO (draft): publishes each message to a group (`send(msg, { group })`), over tcp or udp, to DISH sockets that joined it. */
export interface Radio extends Base<RadioSocket>, Writable<MessageLike, [RadioGroupOptions]> {}
/** RADIO (draft): publishes each message to a group (`send(msg, { group })`), over tcp or udp, to DISH sockets that joined it. */
export const Radio = RadioSocket as unknown as new (options?: RadioOptions) => Radio;

/** DISH (draft): receives `[message, { group }]` for the groups it joined (`join("weather")`). */
export interface Dish extends Base<DishSocket>, Readable<[Message, DishGroupOptions]> {}
/** DISH (draft): receives `[message, { group }]` for the groups it joined (`join("weather")`). */
export const Dish = DishSocket as unknown as new (options?: DishOptions) => Dish;

/** GATHER (draft): fair-queues messages from SCATTER sockets; single parts only. */
export interface Gather extends Base<GatherSocket>, Readable<[Message]> {}
/** GATHER (draft): fair-queues messages from SCATTER sockets; single parts only. */
export const Gather = GatherSocket as unknown as new (options?: GatherOptions) => Gather;

/** SCATTER (draft): load-balances messages over GATHER sockets; single parts only. */
export interface Scatter extends Base<ScatterSocket>, Writable<MessageLike> {}
/** SCATTER (draft): load-balances messages over GATHER sockets; single parts only. */
export const Scatter = ScatterSocket as unknown as new (options?: ScatterOptions) => Scatter;

/** DGRAM (draft): udp datagrams as `[address, body]` pairs, sent and received. */
export interface Datagram extends Base<DatagramSocket>, Readable<[Message, Message]>, Writable<[MessageLike, MessageLike]> {}
/** DGRAM (draft): udp datagrams as `[address, body]` pairs, sent and received. */
export const Datagram = DatagramSocket as unknown as new (options?: DatagramOptions) => Datagram;
