import type { Mechanism, MechanismContext } from "./mechanism.js";
import { NullMechanism } from "./null.js";
import { curveKeyBytes } from "./curve-keys.js";
import { createSecureMechanism, loadSecure } from "./deferred.js";
import { loadSodium } from "./sodium.js";

export interface SecurityOptions {
  plainServer: boolean;
  plainUsername: string | null;
  plainPassword: string | null;
  curveServer: boolean;
  curvePublicKey: string | null;
  curveSecretKey: string | null;
  curveServerKey: string | null;
}

/**
 * Checks the security options before any connection is made, so a wrong setting throws at
 * bind/connect (EINVAL) instead of failing each handshake later.
 */
export function checkSecurityOptions(o: SecurityOptions): void {
  if (selectsCurve(o)) {
    if (o.curveSecretKey !== null) curveKeyBytes(o.curveSecretKey, "secret key").fill(0);
    if (o.curvePublicKey !== null) curveKeyBytes(o.curvePublicKey, "public key");
    if (!o.curveServer && o.curveServerKey !== null) curveKeyBytes(o.curveServerKey, "server key");
    // Most handshakes then find libsodium loaded instead of waiting for it.
    void loadSodium();
  }
  // Likewise the mechanism's own code (see deferred.ts).
  if (mechanismName(o) !== "NULL") void loadSecure();
}

/**
 * A CURVE key option left unset is 32 zero bytes, as in libzmq: the handshake then fails with
 * ZMTP_CRYPTOGRAPHIC on the server (which zeromq reports) instead of connect() throwing.
 */
const UNSET_KEY = new Uint8Array(32);

/**
 * Any CURVE option selects CURVE, as in libzmq (each CURVE key option sets ZMQ_CURVE there): a
 * secret key set without `curveServer` or `curveServerKey` fails closed (the handshake fails)
 * instead of falling back to NULL, with no encryption and no authentication.
 */
export function selectsCurve(o: Pick<SecurityOptions, "curveServer" | "curvePublicKey" | "curveSecretKey" | "curveServerKey">): boolean {
  return o.curveServer || o.curveServerKey !== null || o.curveSecretKey !== null || o.curvePublicKey !== null;
}

/** The name of the mechanism createMechanism picks (ws:// chooses its subprotocol by it). */
export function mechanismName(o: SecurityOptions): "NULL" | "PLAIN" | "CURVE" {
  if (o.curveServer || selectsCurve(o)) return "CURVE";
  if (o.plainServer || o.plainUsername !== null || o.plainPassword !== null) return "PLAIN";
  return "NULL";
}

/**
 * Picks the mechanism the options ask for, as libzmq does: CURVE, then PLAIN, else NULL. The
 * options are read now; PLAIN's and CURVE's code may still be loading (deferred.ts).
 */
export function createMechanism(o: SecurityOptions, ctx: MechanismContext): Mechanism {
  if (o.curveServer) {
    return createSecureMechanism({ kind: "curve-server", secretKey: o.curveSecretKey ?? UNSET_KEY, ...curvePublic(o) }, ctx);
  }
  if (selectsCurve(o)) {
    return createSecureMechanism(
      { kind: "curve-client", serverKey: o.curveServerKey ?? UNSET_KEY, secretKey: o.curveSecretKey ?? UNSET_KEY, ...curvePublic(o) },
      ctx,
    );
  }
  if (o.plainServer) return createSecureMechanism({ kind: "plain-server" }, ctx);
  if (o.plainUsername !== null || o.plainPassword !== null) {
    return createSecureMechanism({ kind: "plain-client", username: o.plainUsername ?? "", password: o.plainPassword ?? "" }, ctx);
  }
  return new NullMechanism(ctx);
}

/** The public key given; derived from the secret key when only that is set; else unset. */
function curvePublic(o: SecurityOptions): { publicKey?: Uint8Array | string } {
  if (o.curvePublicKey !== null) return { publicKey: o.curvePublicKey };
  return o.curveSecretKey === null ? { publicKey: UNSET_KEY } : {};
}

export type { Mechanism, MechanismContext } from "./mechanism.js";
