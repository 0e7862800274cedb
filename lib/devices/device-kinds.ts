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

export const DEVICE_KINDS = ["queue", "forwarder", "streamer"] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

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
