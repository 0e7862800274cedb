import type { Authenticate, AuthenticateRequest, AuthenticateResult } from "./zap-registry.js";

export interface AuthenticatorOptions {
  /** Only these peer addresses may connect (empty or absent: any). */
  allow?: readonly string[];
  /** These peer addresses are always refused. */
  deny?: readonly string[];
  /** PLAIN: username → password. PLAIN peers are refused without a table. */
  passwords?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** CURVE: the Z85 public keys let in, or "any" for every client that knows the server key. */
  curveKeys?: readonly string[] | "any";
  /** Only requests for this ZAP domain are judged here; others are refused (absent: all). */
  domain?: string;
}

const OK: AuthenticateResult = { status: 200, statusText: "OK" };

function refuse(reason: string): AuthenticateResult {
  return { status: 400, statusText: reason };
}

/**
 * A ready-made ZAP handler in the manner of czmq's zauth: addresses allowed or denied first,
 * then PLAIN passwords or CURVE keys. Install it with `setZapHandler(createAuthenticator(...))`.
 */
export function createAuthenticator(options: AuthenticatorOptions = {}): Authenticate {
  const allow = new Set(options.allow ?? []);
  const deny = new Set(options.deny ?? []);
  const passwords =
    options.passwords === undefined
      ? null
      : options.passwords instanceof Map
        ? (options.passwords as ReadonlyMap<string, string>)
        : new Map(Object.entries(options.passwords));
  const keys = options.curveKeys === undefined || options.curveKeys === "any" ? options.curveKeys : new Set(options.curveKeys);

  return (req: AuthenticateRequest): AuthenticateResult => {
    if (options.domain !== undefined && req.domain !== options.domain) return refuse("Unknown domain");
    if (deny.has(req.address)) return refuse("Address denied");
    if (allow.size > 0 && !allow.has(req.address)) return refuse("Address not allowed");
    switch (req.mechanism) {
      case "NULL":
        return OK;
      case "PLAIN": {
        if (passwords === null) return refuse("No passwords configured");
        const expected = passwords.get(req.username ?? "");
        if (expected === undefined || expected !== req.password) return refuse("Invalid username or password");
        return { status: 200, statusText: "OK", userId: req.username ?? "" };
      }
      case "CURVE": {
        if (keys === "any") return { status: 200, statusText: "OK", userId: req.publicKey ?? "" };
        if (keys === undefined || !keys.has(req.publicKey ?? "")) return refuse("Unknown public key");
        return { status: 200, statusText: "OK", userId: req.publicKey ?? "" };
      }
      default:
        return refuse("Unknown mechanism");
    }
  };
}
