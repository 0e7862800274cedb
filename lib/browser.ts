/**
 * wiremq/browser: the same sockets as the main entry, for a web page — ws:// and wss:// over
 * the browser's WebSocket, and inproc://. Built into one ES module by scripts/build-browser.mjs.
 */
import "./sockets/browser-transports.js";
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
export { Observer } from "./sockets/observer.js";
export { context } from "./context.js";
export { curveKeyPair } from "./mechanisms/curve-keys.js";
// The draft types with wiremq/draft's public types (the same classes): DGRAM is udp only.
export { Server, Client, Radio, Dish, Gather, Scatter } from "./sockets/draft-api.js";
export type { ServerOptions, ServerRoutingOptions, ClientOptions, RadioOptions, RadioGroupOptions, DishOptions, DishGroupOptions, GatherOptions, ScatterOptions } from "./sockets/draft-api.js";

// The main entry's types, as in Node.
export type { MessageLike } from "./sockets/message.js";
export type { Message, Readable, Writable } from "./sockets/readable-writable.js";
export type { SocketOptions } from "./sockets/options-of.js";
export type { Event, EventOfType, EventType, EventSubscriber, EventFor, ErrnoError, AuthError, ProtoError, EventAddress, EventError, EventInterval } from "./sockets/event-types.js";
export type { RouterConnectOptions } from "./sockets/router.js";
export type { ContextOptions } from "./context.js";
export type { ReceiveOptions, SendOptions } from "./sockets/socket.js";
export type { MessageWithMeta } from "./engine/peer-meta.js";
/**
 * Loads libsodium (fetched on first use, not with the page); curveKeyPair() needs it done in a
 * browser, where there is no node:crypto to make keys. A CURVE socket waits for it by itself.
 */
export { loadSodium as curveReady } from "./mechanisms/sodium.js";
