/**
 * wiremq/draft: the draft socket types, as `zeromq/draft` offers them (only these: the rest
 * comes from the main entry).
 * Their public types, with zeromq's shapes, are declared in lib/sockets/draft-api.ts, shared
 * with the browser entry; DGRAM (udp only) is declared here.
 */
// tcp:// and ipc:// (the browser entry, lib/browser.ts, registers its own transports instead).
import "./sockets/node-transports.js";
import type { Message, Readable, Writable } from "./sockets/readable-writable.js";
import type { MessageLike } from "./sockets/message.js";
import { Datagram as DatagramSocket, type DatagramOptions } from "./sockets/datagram.js";

export { Server, Client, Radio, Dish, Gather, Scatter } from "./sockets/draft-api.js";
export type { ServerOptions, ServerRoutingOptions, ClientOptions, RadioOptions, RadioGroupOptions, DishOptions, DishGroupOptions, GatherOptions, ScatterOptions } from "./sockets/draft-api.js";
import type { Base } from "./sockets/draft-api.js";
export type { DatagramOptions };

/** DGRAM (draft): udp datagrams as `[address, body]` pairs, sent and received. */
export interface Datagram extends Base<DatagramSocket>, Readable<[Message, Message]>, Writable<[MessageLike, MessageLike]> {}
/** DGRAM (draft): udp datagrams as `[address, body]` pairs, sent and received. */
export const Datagram = DatagramSocket as unknown as new (options?: DatagramOptions) => Datagram;
