import { encodeGreeting } from "../wire/greeting.js";
import { FLAG_COMMAND, headerSize, writeHeader } from "../wire/frame.js";
import type { Mechanism } from "../mechanisms/mechanism.js";

/** A greeting depends only on the mechanism's name and as-server bit: each is built once. */
const greetings = new Map<string, Buffer>();

function greetingOf(mechanism: Mechanism): Buffer {
  const key = mechanism.asServer ? `${mechanism.name}/S` : mechanism.name;
  let g = greetings.get(key);
  if (g === undefined) {
    g = encodeGreeting(mechanism.name, mechanism.asServer, 1);
    greetings.set(key, g);
  }
  return g;
}

/** One handshake command as a COMMAND frame, after `prefix` (a greeting) when given. */
export function commandFrame(body: Buffer, prefix?: Buffer): Buffer {
  const at0 = prefix === undefined ? 0 : prefix.length;
  const out = Buffer.allocUnsafe(at0 + headerSize(body.length) + body.length);
  if (prefix !== undefined) prefix.copy(out, 0);
  body.copy(out, writeHeader(out, at0, FLAG_COMMAND, body.length));
  return out;
}

/**
 * What a connection writes first, in one write: its greeting and, on a connection we dialed
 * when the mechanism allows (NULL without a ZAP handler to ask), its READY. RFC 23 lets a peer send the whole greeting at
 * once and NULL's READY depends on nothing the peer says, so it need not wait for the peer's
 * greeting: one write and one syscall per connection instead of two. Returns true when the
 * mechanism's first step went out, so the engine does not ask start() again.
 */
export function writeOpening(mechanism: Mechanism, sock: { write(bytes: Buffer): unknown }, dialed: boolean): boolean {
  const greeting = greetingOf(mechanism);
  const early = dialed ? (mechanism.startEarly?.() ?? null) : null;
  if (early === null) {
    sock.write(greeting);
    return false;
  }
  sock.write(early.length === 1 ? commandFrame(early[0]!, greeting) : Buffer.concat([greeting, ...early.map((c) => commandFrame(c))]));
  return true;
}
