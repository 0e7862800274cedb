/**
 * ZWS 2.0 (RFC 45): ZMTP over WebSocket. Each ZMTP frame travels as one binary WebSocket
 * message whose payload is a flags byte and the frame body; there is no greeting, the
 * mechanism is chosen by the WebSocket subprotocol, and heartbeats are WebSocket ping/pong.
 *
 * Payload-level only (the WebSocket framing itself belongs to the `ws` package in Node and to
 * the browser's WebSocket): plain `Uint8Array` in and out, no `node:` import, no `Buffer`, so
 * the browser build shares this file.
 */
import { ProtocolError } from "../errors.js";

/** The frame continues in the next message (a multi-part message's parts but the last). */
export const ZWS_MORE = 0x01;
/** The body is a ZMTP command (name length, name, data) rather than message data. */
export const ZWS_COMMAND = 0x02;
const ZWS_RESERVED = 0xfc;

export type ZwsMechanism = "NULL" | "PLAIN" | "CURVE";

/**
 * The subprotocols of RFC 45 and libzmq 4.3.5: one per mechanism ("ZWS2.0/CURVE" is libzmq's
 * extension), and bare "ZWS2.0", NULL without a handshake, where the first message is the
 * peer's routing id.
 */
export const ZWS_SUBPROTOCOL = {
  NULL: "ZWS2.0/NULL",
  PLAIN: "ZWS2.0/PLAIN",
  CURVE: "ZWS2.0/CURVE",
  BARE: "ZWS2.0",
} as const;

/**
 * wiremq's browser-safe spellings of the three mechanism names, with exactly their handshake.
 * A page's WebSocket takes only HTTP tokens as subprotocols (RFC 6455 §4.1 and RFC 7230 §3.2.6:
 * tchar has "+" but no "/"), so it cannot offer "ZWS2.0/CURVE". wiremq's listener accepts both
 * spellings and answers with the one offered; libzmq knows only the "/" names, so a page that
 * needs PLAIN or CURVE must reach a wiremq endpoint (which may proxy on to libzmq).
 */
export const ZWS_TOKEN_SUBPROTOCOL = {
  NULL: "ZWS2.0+NULL",
  PLAIN: "ZWS2.0+PLAIN",
  CURVE: "ZWS2.0+CURVE",
} as const;

export type ZwsSubprotocol =
  | (typeof ZWS_SUBPROTOCOL)[keyof typeof ZWS_SUBPROTOCOL]
  | (typeof ZWS_TOKEN_SUBPROTOCOL)[keyof typeof ZWS_TOKEN_SUBPROTOCOL];

/**
 * What a client offers in Sec-WebSocket-Protocol, in libzmq's order (it prefers the first).
 * `tokens` (a page): the browser-safe names; NULL adds bare "ZWS2.0" after its alias, so a
 * wiremq peer runs NULL's handshake (socket types checked) and libzmq, which passes over a name
 * it does not know, still takes "ZWS2.0".
 */
export function zwsOffer(mechanism: ZwsMechanism, tokens = false): ZwsSubprotocol[] {
  const names = tokens ? ZWS_TOKEN_SUBPROTOCOL : ZWS_SUBPROTOCOL;
  return mechanism === "NULL" ? [names.NULL, ZWS_SUBPROTOCOL.BARE] : [names[mechanism]];
}

/**
 * The server's choice among a client's offer, as libzmq makes it: the first offered name that
 * this socket's mechanism can speak, in either spelling, or null (the upgrade is then
 * refused). Names are matched exactly and surrounding spaces are ignored.
 */
export function zwsSelect(offered: Iterable<string>, mechanism: ZwsMechanism): ZwsSubprotocol | null {
  for (const raw of offered) {
    const name = raw.trim();
    if (mechanism === "NULL" && name === ZWS_SUBPROTOCOL.BARE) return name;
    if (name === ZWS_SUBPROTOCOL[mechanism] || name === ZWS_TOKEN_SUBPROTOCOL[mechanism]) return name;
  }
  return null;
}

/**
 * The largest payload (flags byte and frame body) a page sends as one WebSocket frame for
 * sure: 64 KiB, so a message part of at most 65,535 bytes. Measured in chromium (Debian's,
 * test/browser/page-large.test.ts): a larger message may go out as a first frame and
 * continuations (the first one on a connection often whole, later ones not). libzmq 4.3.5
 * then holds it until more bytes arrive on the connection (it came out just before the page's
 * next message), with no event on either side: a last message, or a request whose reply the
 * page awaits, stalls for good. A page applies the limit to a peer that chose bare "ZWS2.0"
 * (not wiremq, which would have chosen "ZWS2.0+NULL" and reassembles any size).
 */
export const ZWS_PAGE_UNFRAGMENTED_PAYLOAD = 64 * 1024;

/** The largest message a peer may send before the handshake is done (as over tcp). */
export const ZWS_HANDSHAKE_PAYLOAD_MAX = 64 * 1024;

/** True when the subprotocol runs a mechanism's handshake (all but bare "ZWS2.0"). */
export function zwsHasHandshake(subprotocol: ZwsSubprotocol): boolean {
  return subprotocol !== ZWS_SUBPROTOCOL.BARE;
}

/** One decoded ZWS frame. `body` is a view of the payload, not a copy. */
export interface ZwsFrame {
  more: boolean;
  command: boolean;
  body: Uint8Array;
}

/** The payload of one frame: the flags byte then `body` (copied). */
export function encodeZwsFrame(body: Uint8Array, more = false, command = false): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = (more ? ZWS_MORE : 0) | (command ? ZWS_COMMAND : 0);
  out.set(body, 1);
  return out;
}

/** A multi-part message as its payloads, one per part, MORE on all but the last. */
export function encodeZwsMessage(parts: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < parts.length; i++) out.push(encodeZwsFrame(parts[i]!, i < parts.length - 1));
  return out;
}

/**
 * A command's payload: flags `02`, name length, name (ASCII), data. The same body as in ZMTP
 * over tcp, so the mechanisms' commands pass through unchanged.
 */
export function encodeZwsCommand(name: string, data: Uint8Array = EMPTY): Uint8Array {
  if (name.length < 1 || name.length > 255) throw new ProtocolError("ZMTP_MALFORMED_COMMAND", `bad command name length ${name.length}`);
  const out = new Uint8Array(2 + name.length + data.length);
  out[0] = ZWS_COMMAND;
  out[1] = name.length;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0x7f) throw new ProtocolError("ZMTP_MALFORMED_COMMAND", "command name is not ASCII");
    out[2 + i] = c;
  }
  out.set(data, 2 + name.length);
  return out;
}

/**
 * The limit a transport gives its WebSocket for one incoming message, so an oversized frame is
 * refused from its header and never buffered: maxMessageSize plus the flags byte, plus `slack`
 * for what wraps a body (a CURVE box, a command's name). -1 (no limit) stays -1.
 */
export function zwsPayloadLimit(maxMessageSize: number, slack = 0): number {
  return maxMessageSize < 0 ? -1 : maxMessageSize + 1 + slack;
}

/**
 * Decodes one binary message's payload. Refuses an empty payload (no flags byte), reserved
 * flag bits, a command with MORE, and a data body over `maxMessageSize` (-1: no limit; commands
 * are bounded by the transport's payload limit instead, as their size includes a CURVE box).
 */
export function decodeZwsFrame(payload: Uint8Array, maxMessageSize = -1): ZwsFrame {
  if (payload.length === 0) throw new ProtocolError("ZWS_MALFORMED_FRAME", "ZWS message without a flags byte");
  const flags = payload[0]!;
  if ((flags & ZWS_RESERVED) !== 0) {
    throw new ProtocolError("ZWS_MALFORMED_FRAME", `ZWS flags 0x${flags.toString(16)} set reserved bits`);
  }
  const more = (flags & ZWS_MORE) !== 0;
  const command = (flags & ZWS_COMMAND) !== 0;
  if (command && more) throw new ProtocolError("ZMTP_COMMAND_MORE", "command frame has the MORE flag set");
  const size = payload.length - 1;
  if (!command && maxMessageSize >= 0 && size > maxMessageSize) {
    throw new ProtocolError("ZMTP_MESSAGE_TOO_LARGE", `frame of ${size} bytes exceeds maxMessageSize ${maxMessageSize}`);
  }
  return { more, command, body: payload.subarray(1) };
}

const EMPTY = new Uint8Array(0);
