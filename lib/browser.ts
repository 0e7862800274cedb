/**
 * wiremq/browser: the same sockets as the main entry, for a web page — ws:// and wss:// over
 * the browser's WebSocket, and inproc://. Built into one ES module by scripts/build-browser.mjs.
 */
import "./sockets/browser-transports.js";
import { Radio as RadioSocket, type RadioOptions } from "./sockets/radio.js";
import { Dish as DishSocket, type DishOptions } from "./sockets/dish.js";
import type { Radio as RadioType, Dish as DishType } from "./draft.js";
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
export { Server } from "./sockets/server.js";
export { Client } from "./sockets/client.js";
export { Gather } from "./sockets/gather.js";
export { Scatter } from "./sockets/scatter.js";
/** RADIO and DISH (draft) over ws:// and wss:// (udp:// is Node's only), with zeromq/draft's shapes. */
export const Radio = RadioSocket as unknown as new (options?: RadioOptions) => RadioType;
export type Radio = RadioType;
/** DISH (draft): receives the RADIO messages of the groups it joined, over ws:// and wss:// in a page. */
export const Dish = DishSocket as unknown as new (options?: DishOptions) => DishType;
export type Dish = DishType;
/**
 * Loads libsodium (fetched on first use, not with the page); curveKeyPair() needs it done in a
 * browser, where there is no node:crypto to make keys. A CURVE socket waits for it by itself.
 */
export { loadSodium as curveReady } from "./mechanisms/sodium.js";
