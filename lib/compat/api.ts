/** The named exports of `wiremq/v5-compat`: the same names and kinds as `zeromq/v5-compat`'s. */
import { curveKeyPair } from "../mechanisms/curve-keys.js";
import { Socket, type SocketType } from "./socket.js";

export { Socket } from "./socket.js";
export type { SocketType } from "./socket.js";
export { Context } from "./context.js";
export { proxy } from "./proxy.js";
export { options } from "./short-options.js";
export * from "./option-numbers.js";
export * from "./socket-types.js";
export * from "./flags.js";

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
