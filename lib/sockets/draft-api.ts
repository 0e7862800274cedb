/**
 * The draft socket types as the entries export them (wiremq/draft in Node, wiremq/browser in a
 * page): public types with zeromq's shapes (a SERVER receives `[message, { routingId }]`, a DISH
 * `[message, { group }]`; a RADIO cannot receive, a DISH cannot send) over the classes in this
 * folder, which are exported as they are, so `instanceof` holds across entries. No transport is
 * registered here: each entry registers its own.
 */
import type { MessageLike } from "./message.js";
import type { Message, Readable, Writable } from "./readable-writable.js";
import { Server as ServerSocket, type ServerOptions, type ServerRoutingOptions } from "./server.js";
import { Client as ClientSocket, type ClientOptions } from "./client.js";
import { Radio as RadioSocket, type RadioGroupOptions, type RadioOptions } from "./radio.js";
import { Dish as DishSocket, type DishGroupOptions, type DishOptions } from "./dish.js";
import { Gather as GatherSocket, type GatherOptions } from "./gather.js";
import { Scatter as ScatterSocket, type ScatterOptions } from "./scatter.js";

export type { ServerOptions, ServerRoutingOptions, ClientOptions, RadioOptions, RadioGroupOptions, DishOptions, DishGroupOptions, GatherOptions, ScatterOptions };

/** A socket class's members other than its message calls, which each type declares as zeromq does. */
export type Base<S> = Omit<S, "send" | "receive" | typeof Symbol.asyncIterator>;

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
