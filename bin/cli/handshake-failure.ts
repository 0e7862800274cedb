import type { Event, EventAddress, EventError, Socket } from "../../lib/index.js";
import type { WiremqErrorCode } from "../../lib/public-errors.js";
import type { ParsedArgs } from "./args.js";
import { CliError } from "./cli-error.js";
import { EXIT } from "./exit-codes.js";

type HandshakeEvent = Event & EventAddress & EventError<Error & { code?: string; status?: number }>;

const TYPES = ["handshake", "handshake:error:auth", "handshake:error:protocol", "handshake:error:other"] as const;

/**
 * Watches a socket's handshakes. A failed one on an endpoint this command connects to ends the
 * command (exit 4) with the reason, instead of it retrying in silence until --timeout; one on
 * a bound endpoint (a stranger knocking with the wrong credentials) is only logged, since a
 * server goes on serving the peers that do get in. Register before bind/connect.
 */
export function watchHandshakes(socket: Socket, args: ParsedArgs, log: (line: string) => void): { failed: Promise<never>; stop(): void } {
  const connects = args.lists.get("connect") ?? [];
  const binds = args.lists.get("bind") ?? [];
  let reject: (err: CliError) => void = () => {};
  const failed = new Promise<never>((_, r) => (reject = r));
  // Nobody may be waiting on it yet when it fails; the command races it at its next wait.
  failed.catch(() => {});
  // A peer that hangs up mid-handshake says nothing about why; twice in a row on one address
  // (a reconnect in between) is taken as its answer rather than a passing network failure.
  const hangUps = new Map<string, number>();
  const onEvent = (event: Event): void => {
    const e = event as HandshakeEvent;
    if (e.type === "handshake") {
      hangUps.delete(e.address);
      return;
    }
    const reason = explain(socket, e);
    if (reason === null) return;
    if (reason.hangUp) {
      const n = (hangUps.get(e.address) ?? 0) + 1;
      hangUps.set(e.address, n);
      if (n < 2) return;
    }
    const fatal = connects.includes(e.address) || binds.length === 0;
    if (fatal) reject(new CliError(reason.code, `handshake with ${e.address} failed: ${reason.text}`, EXIT.HANDSHAKE));
    else log(`handshake with a peer on ${e.address} failed: ${reason.text}`);
  };
  for (const t of TYPES) socket.events.on(t, onEvent);
  return {
    failed,
    stop: () => {
      for (const t of TYPES) socket.events.off(t, onEvent);
    },
  };
}

/** The reason in words, or null for a failure that is not about security (retried as usual). */
function explain(socket: Socket, e: HandshakeEvent): { code: WiremqErrorCode; text: string; hangUp?: true } | null {
  const code = e.error?.code;
  if (e.type === "handshake:error:auth") {
    const status = e.error?.status;
    return { code: "EAUTH", text: `authentication refused (ZAP status ${status ?? "?"}: the peer's handler does not accept these credentials or this key)` };
  }
  if (e.type === "handshake:error:protocol") {
    if (code === "ERR_ZMTP_MECHANISM_MISMATCH") {
      return {
        code,
        text: `security mechanism mismatch: this side uses ${socket.securityMechanism ?? "null"}, the peer another (both sides need CURVE, PLAIN or neither)`,
      };
    }
    return { code: (code ?? "EPROTO") as WiremqErrorCode, text: `protocol error ${code ?? ""} during the handshake`.replace("  ", " ") };
  }
  if (code !== "EPIPE" && code !== "ECONNRESET") return null;
  // A CURVE server that cannot open a client's HELLO (it was boxed for another key) closes the
  // connection without a word, as libzmq does: the client sees only the connection end. So
  // does libzmq when the two sides' mechanisms differ.
  const curveClient = (socket as Socket & { curveServerKey?: unknown }).curveServerKey;
  if (typeof curveClient === "string" && curveClient !== "") {
    return {
      code,
      hangUp: true,
      text: "the server closed the connection during the CURVE handshake: curveServerKey is most likely not that server's public key",
    };
  }
  return {
    code,
    hangUp: true,
    text: `the peer closed the connection during the handshake: it most likely uses another security mechanism (this side uses ${socket.securityMechanism ?? "null"})`,
  };
}
