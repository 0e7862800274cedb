import type { Mechanism, MechanismContext } from "./mechanism.js";
import { PlainClient, PlainServer } from "./plain.js";
import { CurveClient } from "./curve-client.js";
import { CurveServer } from "./curve-server.js";

/** What createMechanism (index.ts) read from the socket's options when the engine was made. */
export type SecureChoice =
  | { kind: "curve-server"; secretKey: Uint8Array | string; publicKey?: Uint8Array | string }
  | { kind: "curve-client"; serverKey: Uint8Array | string; secretKey: Uint8Array | string; publicKey?: Uint8Array | string }
  | { kind: "plain-server" }
  | { kind: "plain-client"; username: string; password: string };

/**
 * PLAIN and CURVE: a module index.ts imports dynamically, so that their code loads with the
 * first bind or connect that asks for one of them (and libsodium with CURVE), not at import.
 */
export function createSecure(choice: SecureChoice, ctx: MechanismContext): Mechanism {
  switch (choice.kind) {
    case "curve-server":
      return new CurveServer(ctx, choice);
    case "curve-client":
      return new CurveClient(ctx, choice);
    case "plain-server":
      return new PlainServer(ctx);
    case "plain-client":
      return new PlainClient(ctx, choice);
  }
}
