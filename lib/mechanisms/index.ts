import { zmqError } from "../errors.js";
import type { Mechanism, MechanismContext } from "./mechanism.js";
import { NullMechanism } from "./null.js";

export interface SecurityOptions {
  plainServer: boolean;
  plainUsername: string | null;
  plainPassword: string | null;
  curveServer: boolean;
  curvePublicKey: string | null;
  curveSecretKey: string | null;
  curveServerKey: string | null;
}

/** Picks the mechanism the options ask for, as libzmq does: CURVE, then PLAIN, else NULL. */
export function createMechanism(options: SecurityOptions, ctx: MechanismContext): Mechanism {
  if (options.curveServer || options.curveServerKey !== null) {
    throw zmqError("ENOTSUP", "CURVE is not available in this build");
  }
  if (options.plainServer || options.plainUsername !== null) {
    throw zmqError("ENOTSUP", "PLAIN is not available in this build");
  }
  return new NullMechanism(ctx);
}

export type { Mechanism, MechanismContext } from "./mechanism.js";
