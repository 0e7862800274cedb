/**
 * wiremq/security: what wiremq adds to zeromq's security API — ZAP handlers in the process
 * (libzmq's `inproc://zeromq.zap.01` works too), a ready-made authenticator, the public key
 * of a secret key, and Z85 text for keys.
 */
// tcp:// and ipc:// (the browser entry, lib/browser.ts, registers its own transports instead).
import "./sockets/node-transports.js";
export { curvePublicKey } from "./mechanisms/curve-keys.js";
export { setZapHandler } from "./sockets/zap-registry.js";
export type { Authenticate, AuthenticateRequest, AuthenticateResult } from "./sockets/zap-registry.js";
export { createAuthenticator } from "./sockets/authenticator.js";
export type { AuthenticatorOptions } from "./sockets/authenticator.js";
export type { MessageWithMeta } from "./engine/peer-meta.js";
import { z85Decode, z85Encode } from "./wire/z85.js";

/** Z85 (32/Z85) text encoding of binary keys. */
export const z85 = Object.freeze({ encode: z85Encode, decode: z85Decode });
