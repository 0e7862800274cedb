import { ZmqError } from "../errors.js";
import { Dealer } from "../sockets/dealer.js";
import { Pull } from "../sockets/pull.js";
import { Push } from "../sockets/push.js";
import { Router } from "../sockets/router.js";
import { XPublisher } from "../sockets/xpub.js";
import { XSubscriber } from "../sockets/xsub.js";
import type { Socket } from "../sockets/socket.js";
import { SteerableProxy, type SteerableProxyOptions } from "./steerable-proxy.js";

/**
 * The three classic devices, each a steerable proxy over a fixed pair of socket types. The
 * sockets are new and unattached: bind or connect `frontEnd` and `backEnd`, then `run()`.
 */

/** Clients (REQ, DEALER) on the front-end, workers (REP, DEALER) on the back-end. */
export function queueDevice(options?: SteerableProxyOptions): SteerableProxy<Router, Dealer> {
  return steer(new Router(), new Dealer(), options);
}

/**
 * Publishers on the front-end, subscribers on the back-end; subscriptions travel upstream
 * through the device, so publishers only send what someone downstream wants.
 */
export function forwarderDevice(options?: SteerableProxyOptions): SteerableProxy<XSubscriber, XPublisher> {
  return steer(new XSubscriber(), new XPublisher(), options);
}

/** Producers (PUSH) on the front-end, consumers (PULL) on the back-end. */
export function streamerDevice(options?: SteerableProxyOptions): SteerableProxy<Pull, Push> {
  return steer(new Pull(), new Push(), options);
}

/** The proxy over two new sockets, which are closed again if the options are refused. */
function steer<F extends Socket, B extends Socket>(front: F, back: B, options?: SteerableProxyOptions): SteerableProxy<F, B> {
  try {
    return new SteerableProxy(front, back, options);
  } catch (err) {
    void front.close();
    void back.close();
    throw err;
  }
}

/** The names `createDevice` takes: the three classic libzmq devices. */
export const DEVICE_KINDS = ["queue", "forwarder", "streamer"] as const;
/** One of {@link DEVICE_KINDS}: `"queue"` (ROUTER/DEALER), `"forwarder"` (XSUB/XPUB) or `"streamer"` (PULL/PUSH). */
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/**
 * Makes the classic device of that name over two new sockets: `queueDevice`, `forwarderDevice`
 * or `streamerDevice` chosen at run time (the command line's `proxy` uses it). The sockets are
 * unattached: bind or connect `frontEnd` and `backEnd`, then `run()`.
 *
 * @param kind `"queue"`, `"forwarder"` or `"streamer"`.
 * @param options A capture and/or control socket.
 * @throws WiremqError `EINVAL` for another kind or options that are not an object.
 *
 * @example
 * ```ts
 * import { createDevice } from "wiremq/devices";
 * const device = createDevice("streamer");
 * await device.frontEnd.bind("tcp://127.0.0.1:5557");   // producers PUSH here
 * await device.backEnd.bind("tcp://127.0.0.1:5558");    // workers PULL from here
 * const running = device.run();                         // resolves when the device ends
 * device.terminate();
 * await running;
 * ```
 */
export function createDevice(kind: DeviceKind, options?: SteerableProxyOptions): SteerableProxy {
  switch (kind) {
    case "queue":
      return queueDevice(options);
    case "forwarder":
      return forwarderDevice(options);
    case "streamer":
      return streamerDevice(options);
    default:
      throw new ZmqError("EINVAL", `unknown device kind ${JSON.stringify(kind)}; expected ${DEVICE_KINDS.join(", ")}`);
  }
}
