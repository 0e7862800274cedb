import type { Socket } from "./socket.js";
import { WiremqError } from "../errors.js";

/**
 * zeromq 5's `zmq.proxy(frontend, backend, capture)`: relays messages between two compat
 * sockets through their `message` events. With ROUTER/DEALER, the capture socket gets the
 * replies without their routing envelope (the first two frames).
 */
export function proxy(frontend: Socket, backend: Socket, capture?: Socket): void {
  let envelope: number;
  switch (`${frontend.type}/${backend.type}`) {
    case "push/pull":
    case "pull/push":
    case "xpub/xsub":
      envelope = 0;
      break;
    case "router/dealer":
    case "xrep/xreq":
      envelope = 2;
      break;
    default:
      throw new WiremqError("ENOTSUP", "This socket type order is not supported in compatibility mode");
  }
  frontend.on("message", (...frames: Buffer[]) => {
    backend.send(frames);
  });
  backend.on("message", (...frames: Buffer[]) => {
    frontend.send(frames);
    if (capture) capture.send(envelope === 0 ? frames : frames.slice(envelope));
  });
}
