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

export interface Server extends Base<ServerSocket>, Readable<[Message, ServerRoutingOptions]>, Writable<MessageLike, [ServerRoutingOptions]> {}
export const Server = ServerSocket as unknown as new (options?: ServerOptions) => Server;

export interface Client extends Base<ClientSocket>, Readable<[Message]>, Writable<MessageLike> {}
export const Client = ClientSocket as unknown as new (options?: ClientOptions) => Client;

export interface Radio extends Base<RadioSocket>, Writable<MessageLike, [RadioGroupOptions]> {}
export const Radio = RadioSocket as unknown as new (options?: RadioOptions) => Radio;

export interface Dish extends Base<DishSocket>, Readable<[Message, DishGroupOptions]> {}
export const Dish = DishSocket as unknown as new (options?: DishOptions) => Dish;

export interface Gather extends Base<GatherSocket>, Readable<[Message]> {}
export const Gather = GatherSocket as unknown as new (options?: GatherOptions) => Gather;

export interface Scatter extends Base<ScatterSocket>, Writable<MessageLike> {}
export const Scatter = ScatterSocket as unknown as new (options?: ScatterOptions) => Scatter;

export interface Datagram extends Base<DatagramSocket>, Readable<[Message, Message]>, Writable<[MessageLike, MessageLike]> {}
export const Datagram = DatagramSocket as unknown as new (options?: DatagramOptions) => Datagram;
