import type { ZapReply, ZapRequest } from "../mechanisms/mechanism.js";
import { z85Encode } from "../wire/z85.js";
import { askEndpoint, ZAP_INPROC_NAME, type ZapAsk } from "./zap-client.js";
import { isInprocBound } from "./inproc-link.js";

/** What an in-process ZAP handler is asked: one peer's credentials. */
export interface AuthenticateRequest {
  mechanism: "NULL" | "PLAIN" | "CURVE";
  domain: string;
  /** The peer's IP address (tcp) or path (ipc). */
  address: string;
  routingId: Buffer;
  /** PLAIN: the username as the peer sent it, byte for byte. */
  usernameBytes?: Buffer;
  /** PLAIN: the password as the peer sent it, byte for byte. */
  passwordBytes?: Buffer;
  /**
   * PLAIN: the username as UTF-8 text; absent when its bytes are not valid UTF-8, since
   * decoding them would make different byte strings read as one name.
   */
  username?: string;
  /** PLAIN: the password as UTF-8 text; absent when its bytes are not valid UTF-8. */
  password?: string;
  /** CURVE: the client's long-term public key, Z85. */
  publicKey?: string;
}

/** A handler's verdict: 200 lets the peer in; 300 (try later), 400 (denied), 500 (error) do not. */
export interface AuthenticateResult {
  status: number;
  statusText?: string;
  userId?: string;
  metadata?: Record<string, string | Uint8Array>;
}

/** A ZAP handler: given a peer's handshake, says whether it may in (status 200) and who it is. */
export type Authenticate = (request: AuthenticateRequest) => AuthenticateResult | Promise<AuthenticateResult>;

let handler: Authenticate | null = null;

/**
 * Installs the process-wide ZAP handler (libzmq has one per context). PLAIN and CURVE servers,
 * and NULL sockets with a `zapDomain`, ask it about every peer. Pass null to remove it; a
 * handler bound at inproc://zeromq.zap.01 is then asked instead, if there is one.
 */
export function setZapHandler(fn: Authenticate | null): void {
  handler = fn;
}

export function zapHandler(): Authenticate | null {
  return handler;
}

/**
 * The bytes as UTF-8 text, or undefined when decoding would lose them: Node decodes each
 * invalid sequence as U+FFFD, so \xff, \xfe and \xef\xbf\xbd would all read "\ufffd".
 */
function exactText(bytes: Buffer): string | undefined {
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes) ? text : undefined;
}

/** Asks the in-process handler; a throwing handler counts as status 500. */
export async function askHandler(fn: Authenticate, req: ZapRequest): Promise<ZapReply> {
  const request: AuthenticateRequest = {
    mechanism: req.mechanism,
    domain: req.domain,
    address: req.address,
    routingId: req.routingId,
  };
  if (req.mechanism === "PLAIN") {
    const username = req.credentials[0] ?? Buffer.alloc(0);
    const password = req.credentials[1] ?? Buffer.alloc(0);
    request.usernameBytes = username;
    request.passwordBytes = password;
    const usernameText = exactText(username);
    const passwordText = exactText(password);
    if (usernameText !== undefined) request.username = usernameText;
    if (passwordText !== undefined) request.password = passwordText;
  } else if (req.mechanism === "CURVE" && req.credentials[0] !== undefined) {
    request.publicKey = z85Encode(req.credentials[0]);
  }
  let result: AuthenticateResult;
  try {
    result = await fn(request);
  } catch (err) {
    return { status: 500, statusText: err instanceof Error ? err.message : "handler failed", userId: "", metadata: new Map() };
  }
  const metadata = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(result.metadata ?? {})) {
    metadata.set(k.toLowerCase(), typeof v === "string" ? Buffer.from(v) : Buffer.from(v));
  }
  return { status: result.status, statusText: result.statusText ?? "", userId: result.userId ?? "", metadata };
}

/** Whether a handshake that wants ZAP has a handler to ask: the in-process one or one bound at inproc://zeromq.zap.01. */
export function zapAvailable(): boolean {
  return handler !== null || isInprocBound(ZAP_INPROC_NAME);
}

/**
 * Asks the in-process ZAP handler, or else the one bound at inproc://zeromq.zap.01; `answer`
 * gets the reply unless the request is cancelled first (the connection ended). A handler's
 * promise cannot be stopped: cancelling only drops what it would answer.
 */
export function askZap(req: ZapRequest, answer: (reply: ZapReply) => void): ZapAsk {
  const fn = handler;
  if (fn === null) return askEndpoint(req, answer);
  let cancelled = false;
  askHandler(fn, req).then(
    (reply) => {
      if (!cancelled) answer(reply);
    },
    (err: Error) => {
      if (!cancelled) answer({ status: 500, statusText: err.message, userId: "", metadata: new Map() });
    },
  );
  return {
    cancel: () => {
      cancelled = true;
    },
  };
}
