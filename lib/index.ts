/**
 * wiremq: ZeroMQ (ZMTP 3.1) for Node.js in pure TypeScript. This entry exports what the
 * `zeromq` package v6 exports, under the same names, so code written for it runs unchanged.
 * zeromq's other entries have theirs (wiremq/draft, wiremq/v5-compat); what wiremq adds lives
 * in subpaths named for it: wiremq/security, wiremq/devices, wiremq/broker, wiremq/errors,
 * wiremq/patterns.
 */
// tcp:// and ipc:// (the browser entry, lib/browser.ts, registers its own transports instead).
import "./sockets/node-transports.js";
export { Socket, Context, Proxy } from "./native-constructor.js";
export { Push } from "./sockets/push.js";
export { Pull } from "./sockets/pull.js";
export { Pair } from "./sockets/pair.js";
export { Publisher } from "./sockets/pub.js";
export { Subscriber } from "./sockets/sub.js";
export { XPublisher } from "./sockets/xpub.js";
export { XSubscriber } from "./sockets/xsub.js";
export { Request } from "./sockets/req.js";
export { Reply } from "./sockets/rep.js";
export { Dealer } from "./sockets/dealer.js";
export { Router } from "./sockets/router.js";
export { Stream } from "./sockets/stream.js";
export { Observer } from "./sockets/observer.js";
export { context } from "./context.js";
export { curveKeyPair } from "./mechanisms/curve-keys.js";
export { capability, version } from "./capability.js";

export type { MessageLike } from "./sockets/message.js";
export type { Message, Readable, Writable } from "./sockets/readable-writable.js";
export type { SocketOptions } from "./sockets/options-of.js";
export type { Event, EventOfType, EventType, EventSubscriber, EventFor, ErrnoError, AuthError, ProtoError, EventAddress, EventError, EventInterval } from "./sockets/event-types.js";
export type { RouterConnectOptions } from "./sockets/router.js";
export type { StreamConnectOptions } from "./sockets/stream.js";
export type { ContextOptions } from "./context.js";
// Types of what wiremq's sockets add to zeromq's API: an AbortSignal for send/receive, and the
// ZAP metadata a received message carries.
export type { ReceiveOptions, SendOptions } from "./sockets/socket.js";
export type { MessageWithMeta } from "./engine/peer-meta.js";
