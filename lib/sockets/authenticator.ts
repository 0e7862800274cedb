import { createHash, timingSafeEqual } from "node:crypto";
import type { Authenticate, AuthenticateRequest, AuthenticateResult } from "./zap-registry.js";

/**
 * Who {@link createAuthenticator}'s ZAP handler lets in: addresses, PLAIN users, CURVE keys.
 *
 * @example
 * ```ts
 * import { curveKeyPair } from "wiremq";
 * import { createAuthenticator, setZapHandler } from "wiremq/security";
 * const client = curveKeyPair();
 * setZapHandler(createAuthenticator({ allow: ["127.0.0.1"], curveKeys: [client.publicKey] }));
 * ```
 */
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
 * An IPv4 peer of a dual-stack (`ipv6: true`) socket reaches ZAP as `::ffff:a.b.c.d`, as in
 * libzmq; lists name it as `a.b.c.d`, so both sides are compared in that form.
 */
function canonicalAddress(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped === null ? address : mapped[1]!;
}

/**
 * Equal passwords, in a time that tells nothing of where they differ or of their length. The
 * peer's bytes are compared as sent, never decoded: decoding maps many byte strings to one text.
 */
function samePassword(expected: string, given: Uint8Array): boolean {
  const a = createHash("sha256").update(Buffer.from(expected, "utf8")).digest();
  const b = createHash("sha256").update(given).digest();
  return timingSafeEqual(a, b);
}

/**
 * A ready-made ZAP handler in the manner of czmq's zauth: addresses allowed or denied first,
 * then PLAIN passwords or CURVE keys. Install it with `setZapHandler(createAuthenticator(...))`.
 */
export function createAuthenticator(options: AuthenticatorOptions = {}): Authenticate {
  const allow = new Set((options.allow ?? []).map(canonicalAddress));
  const deny = new Set((options.deny ?? []).map(canonicalAddress));
  const passwords =
    options.passwords === undefined
      ? null
      : options.passwords instanceof Map
        ? (options.passwords as ReadonlyMap<string, string>)
        : new Map(Object.entries(options.passwords));
  const keys = options.curveKeys === undefined || options.curveKeys === "any" ? options.curveKeys : new Set(options.curveKeys);

  return (req: AuthenticateRequest): AuthenticateResult => {
    if (options.domain !== undefined && req.domain !== options.domain) return refuse("Unknown domain");
    const address = canonicalAddress(req.address);
    if (deny.has(address)) return refuse("Address denied");
    if (allow.size > 0 && !allow.has(address)) return refuse("Address not allowed");
    switch (req.mechanism) {
      case "NULL":
        return OK;
      case "PLAIN": {
        if (passwords === null) return refuse("No passwords configured");
        // A username whose bytes are not UTF-8 text names no one (req.username is then absent).
        const expected = req.username === undefined ? undefined : passwords.get(req.username);
        const given = req.passwordBytes ?? Buffer.from(req.password ?? "", "utf8");
        // Hashed even for an unknown user, so the time taken does not tell which users exist.
        const ok = samePassword(expected ?? "", given) && expected !== undefined;
        if (!ok) return refuse("Invalid username or password");
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
