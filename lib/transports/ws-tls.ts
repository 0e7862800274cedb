import { isObject } from "../util/arguments.js";
import { invalidArgument, zmqError } from "../errors.js";
import { nodeBuiltin } from "../util/builtin.js";

/** PEM text or its bytes (a Buffer in Node), or several. */
export type Pem = string | Uint8Array | Array<string | Uint8Array>;

/**
 * No `node:` import here: the socket options hold a WsTls, and the browser build's graph has
 * them. TLS for wss://, as a socket's `tls` option, with Node's names and meanings (tls.connect,
 * https.createServer). A binding needs `cert` and `key`, and with `requestCert` requires each
 * client's certificate, checked against `ca`; a connecting socket checks the server's
 * certificate against `ca` (else Node's root certificates) unless `rejectUnauthorized` is
 * false, names the server by `servername` (SNI and the name checked; default: the endpoint's
 * host), and shows its own `cert` when the server asks.
 */
export interface WsTlsOptions {
  /** Certificate authorities to trust (PEM), in place of Node's root certificates. */
  ca?: Pem;
  /** This side's certificate chain (PEM): a server's, or a client's own. */
  cert?: Pem;
  /** The private key of `cert` (PEM). Never shown by inspect or JSON. */
  key?: Pem;
  /** Decrypts `key`. Never shown by inspect or JSON. */
  passphrase?: string;
  /**
   * A client refuses a server whose certificate does not verify (default true); a server with
   * `requestCert` refuses a client without a certificate that `ca` verifies (default true).
   */
  rejectUnauthorized?: boolean;
  /** A server asks each client for its certificate (mutual TLS), checked against `ca`. */
  requestCert?: boolean;
  /** The server name for SNI and the certificate check (client side). */
  servername?: string;
}

const NAMES: ReadonlySet<string> = new Set(["ca", "cert", "key", "passphrase", "rejectUnauthorized", "requestCert", "servername"]);
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * A socket's TLS settings, checked and frozen when set. Reading them gives the values back;
 * printing them (console.log, util.inspect, JSON.stringify) shows which are set, never the
 * key or the passphrase.
 */
export class WsTls implements Readonly<WsTlsOptions> {
  readonly #o: WsTlsOptions;

  private constructor(o: WsTlsOptions) {
    this.#o = o;
    Object.freeze(this);
  }

  /** Checks a `tls` option value: an object of the names above with values of their types. */
  static from(value: unknown): WsTls {
    if (value instanceof WsTls) return value;
    if (!isObject(value)) throw invalidArgument("tls", "must be an object of TLS options");
    const o: WsTlsOptions = {};
    for (const [name, v] of Object.entries(value)) {
      if (!NAMES.has(name)) throw invalidArgument("tls", `unknown TLS option ${name}`);
      if (v === undefined) continue;
      if (name === "rejectUnauthorized" || name === "requestCert") {
        if (typeof v !== "boolean") throw invalidArgument("tls", `${name} must be a boolean`);
        o[name] = v;
      } else if (name === "passphrase" || name === "servername") {
        if (typeof v !== "string") throw invalidArgument("tls", `${name} must be a string`);
        o[name] = v;
      } else {
        o[name as "ca" | "cert" | "key"] = checkPem(name, v);
      }
    }
    return new WsTls(o);
  }

  get ca(): Pem | undefined { return this.#o.ca; }
  get cert(): Pem | undefined { return this.#o.cert; }
  get key(): Pem | undefined { return this.#o.key; }
  get passphrase(): string | undefined { return this.#o.passphrase; }
  get rejectUnauthorized(): boolean | undefined { return this.#o.rejectUnauthorized; }
  get requestCert(): boolean | undefined { return this.#o.requestCert; }
  get servername(): string | undefined { return this.#o.servername; }

  /** What is safe to show: the certificate settings, and whether a key and passphrase are set. */
  toJSON(): Record<string, unknown> {
    const o = this.#o;
    const out: Record<string, unknown> = {};
    if (o.ca !== undefined) out.ca = "[set]";
    if (o.cert !== undefined) out.cert = "[set]";
    if (o.key !== undefined) out.key = "[hidden]";
    if (o.passphrase !== undefined) out.passphrase = "[hidden]";
    if (o.rejectUnauthorized !== undefined) out.rejectUnauthorized = o.rejectUnauthorized;
    if (o.requestCert !== undefined) out.requestCert = o.requestCert;
    if (o.servername !== undefined) out.servername = o.servername;
    return out;
  }

  [INSPECT](): string {
    return `WsTls ${JSON.stringify(this.toJSON())}`;
  }

  toString(): string {
    return this[INSPECT]();
  }
}

function checkPem(name: string, v: unknown): Pem {
  const one = (x: unknown): boolean => typeof x === "string" || x instanceof Uint8Array;
  if (one(v)) return v as string | Uint8Array;
  if (Array.isArray(v) && v.every(one)) return [...(v as Array<string | Uint8Array>)];
  throw invalidArgument("tls", `${name} must be PEM text, a Buffer, or an array of them`);
}

/**
 * Throws EINVAL when this side's certificates and key cannot be made into a TLS context (a key
 * its passphrase does not open, a key that is not PEM, a key that does not match its
 * certificate): a mistake of this side's own, which no redial would mend, so connect() throws
 * it at once although the dialer (with node:tls) loads later. The message is OpenSSL's reason,
 * which quotes neither the key nor the passphrase. Where the runtime cannot lend node:tls
 * synchronously, nothing is checked here (the dialer then reports it when it loads).
 */
export function checkTlsContext(tls: WsTls | null, address: string): void {
  if (tls === null || (tls.ca === undefined && tls.cert === undefined && tls.key === undefined)) return;
  const nodeTls = nodeBuiltin<{ createSecureContext(options: object): unknown }>("node:tls");
  if (nodeTls === undefined) return;
  const bytes = (x: string | Uint8Array): string | Uint8Array => (typeof x === "string" || Buffer.isBuffer(x) ? x : Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  const pem = (p: Pem | undefined): unknown => (p === undefined ? undefined : Array.isArray(p) ? p.map(bytes) : bytes(p));
  try {
    nodeTls.createSecureContext({ ca: pem(tls.ca), cert: pem(tls.cert), key: pem(tls.key), passphrase: tls.passphrase });
  } catch (err) {
    throw zmqError("EINVAL", `tls: ${(err as Error).message}`, { address, cause: err });
  }
}
