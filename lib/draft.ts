/**
 * wiremq/draft: the main entry plus the draft socket types, as `zeromq/draft` offers them.
 * Their public types are declared here with zeromq's shapes (a SERVER receives
 * `[message, { routingId }]`, a DISH `[message, { group }]`; a RADIO cannot receive, a DISH
 * cannot send); the classes behind them live in lib/sockets/.
 */
export * from "./index.js";
import type { MessageLike } from "./sockets/message.js";
import { Server as ServerSocket, type ServerOptions, type ServerRoutingOptions } from "./sockets/server.js";
import { Client as ClientSocket, type ClientOptions } from "./sockets/client.js";
import { Radio as RadioSocket, type RadioGroupOptions, type RadioOptions } from "./sockets/radio.js";
import { Dish as DishSocket, type DishGroupOptions, type DishOptions } from "./sockets/dish.js";
import { Gather as GatherSocket, type GatherOptions } from "./sockets/gather.js";
import { Scatter as ScatterSocket, type ScatterOptions } from "./sockets/scatter.js";
import { Datagram as DatagramSocket, type DatagramOptions } from "./sockets/datagram.js";

export type { ServerOptions, ServerRoutingOptions, ClientOptions, RadioOptions, RadioGroupOptions, DishOptions, DishGroupOptions, GatherOptions, ScatterOptions, DatagramOptions };

/** A socket class's members other than its message calls, which each type declares its own way. */
type Base<S> = Omit<S, "send" | "receive" | typeof Symbol.asyncIterator>;

interface Receiving<M> {
  receive(): Promise<M>;
  [Symbol.asyncIterator](): AsyncIterator<M, undefined>;
}

export interface Server extends Base<ServerSocket>, Receiving<[Buffer, ServerRoutingOptions]> {
  send(message: MessageLike, options: ServerRoutingOptions): Promise<void>;
}
export const Server = ServerSocket as unknown as new (options?: ServerOptions) => Server;

export interface Client extends Base<ClientSocket>, Receiving<[Buffer]> {
  send(message: MessageLike): Promise<void>;
}
export const Client = ClientSocket as unknown as new (options?: ClientOptions) => Client;

export interface Radio extends Base<RadioSocket> {
  send(message: MessageLike, options: RadioGroupOptions): Promise<void>;
}
export const Radio = RadioSocket as unknown as new (options?: RadioOptions) => Radio;

export interface Dish extends Base<DishSocket>, Receiving<[Buffer, DishGroupOptions]> {}
export const Dish = DishSocket as unknown as new (options?: DishOptions) => Dish;

export interface Gather extends Base<GatherSocket>, Receiving<[Buffer]> {}
export const Gather = GatherSocket as unknown as new (options?: GatherOptions) => Gather;

export interface Scatter extends Base<ScatterSocket> {
  send(message: MessageLike): Promise<void>;
}
export const Scatter = ScatterSocket as unknown as new (options?: ScatterOptions) => Scatter;

export interface Datagram extends Base<DatagramSocket>, Receiving<[Buffer, Buffer]> {
  send(message: [MessageLike, MessageLike]): Promise<void>;
}
export const Datagram = DatagramSocket as unknown as new (options?: DatagramOptions) => Datagram;
