/**
 * zeromq 5's callback API, as the `zeromq` package v6 offers it in `zeromq/v5-compat`: a
 * program written for that module runs unchanged when it imports `wiremq/v5-compat`. The
 * names and kinds are zeromq's; `import zmq from` gets the module (the package's ESM entry
 * is built over the CommonJS one, as importing zeromq's CommonJS module does).
 */
// tcp:// and ipc:// (the browser entry, lib/browser.ts, registers its own transports instead).
import "./sockets/node-transports.js";
import { curveKeyPair } from "./mechanisms/curve-keys.js";
import { Socket, type SocketType } from "./compat/socket.js";

export { Socket } from "./compat/socket.js";
export type { SocketType } from "./compat/socket.js";
export { Context } from "./compat/context.js";
export { proxy } from "./compat/proxy.js";
export { options } from "./compat/short-options.js";
export * from "./compat/option-numbers.js";
export * from "./compat/socket-types.js";
export * from "./compat/flags.js";

/** The libzmq version spoken (ZMTP 3.1, as libzmq 4.3.5). */
export const version = "4.3.5";

/** Makes a socket of a zeromq 5 type name and sets the options given by their short names. */
export function createSocket(type: SocketType, options: { [key: string]: any } = {}): Socket {
  const sock = new Socket(type);
  for (const key in options) {
    if (Object.hasOwn(options, key)) sock[key] = options[key];
  }
  return sock;
}

export { createSocket as socket };

/** A new CURVE key pair as zeromq 5 gave it: Z85 text under `public` and `secret`. */
export function curveKeypair(): { public: string; secret: string } {
  const { publicKey, secretKey } = curveKeyPair();
  return { public: publicKey, secret: secretKey };
}
