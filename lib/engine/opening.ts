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

/**
 * Greeting and first command in one frame, by the command: a mechanism that gives every
 * connection the same READY (NULL: null.ts) gets the same bytes to write each time, built once.
 * Nothing writes into a buffer after handing it to a socket, so sharing it is safe.
 */
const openings = new WeakMap<Buffer, { greeting: Buffer; bytes: Buffer }>();

/** One handshake command as a COMMAND frame, after `prefix` (a greeting) when given. */
export function commandFrame(body: Buffer, prefix?: Buffer): Buffer {
  if (prefix !== undefined) {
    const known = openings.get(body);
    if (known !== undefined && known.greeting === prefix) return known.bytes;
  }
  const at0 = prefix === undefined ? 0 : prefix.length;
  const out = Buffer.allocUnsafe(at0 + headerSize(body.length) + body.length);
  if (prefix !== undefined) prefix.copy(out, 0);
  body.copy(out, writeHeader(out, at0, FLAG_COMMAND, body.length));
  if (prefix !== undefined) openings.set(body, { greeting: prefix, bytes: out });
  return out;
}

/**
 * What a connection we dialed writes first, in one write: its greeting and, when the mechanism
 * allows (NULL without a ZAP handler to ask), its READY. RFC 23 lets a peer send the whole
 * greeting at once and NULL's READY depends on nothing the peer says, so it need not wait for
 * the peer's greeting: one write and one syscall per connection instead of two. Returns true
 * when the mechanism's first step went out, so the engine does not ask start() again.
 */
export function writeOpening(mechanism: Mechanism, sock: { write(bytes: Buffer): unknown }): boolean {
  const greeting = greetingOf(mechanism);
  const early = mechanism.startEarly?.() ?? null;
  if (early === null) {
    sock.write(greeting);
    return false;
  }
  sock.write(early.length === 1 ? commandFrame(early[0]!, greeting) : Buffer.concat([greeting, ...early.map((c) => commandFrame(c))]));
  return true;
}

/** An accepted connection whose greeting is held back (see holdOpening). */
export interface HeldOpening {
  /** Writes the held greeting now, if it is still held. */
  sendOpening(): void;
}

/** The greeting an accepted connection holds back until its peer's first bytes (holdOpening). */
export function heldGreeting(mechanism: Mechanism): Buffer {
  return greetingOf(mechanism);
}

/**
 * Accepted connections whose greeting is held: it goes out with the first command the handshake
 * writes (NULL's READY, after the peer's greeting, as libzmq's) or after the first read of the
 * peer's bytes, in one write instead of two. A peer that sends nothing until it hears from us
 * must still get our greeting: what is held when the event loop has polled once more since the
 * accept is written then. `recent` were accepted since the last turn, `polled` before it.
 */
let recent: HeldOpening[] = [];
let polled: HeldOpening[] = [];
let turnScheduled = false;

export function holdOpening(engine: HeldOpening): void {
  recent.push(engine);
  if (!turnScheduled) {
    turnScheduled = true;
    setImmediate(sendHeldOpenings);
  }
}

function sendHeldOpenings(): void {
  const due = polled;
  polled = recent;
  recent = [];
  for (const engine of due) engine.sendOpening();
  turnScheduled = polled.length > 0;
  if (turnScheduled) setImmediate(sendHeldOpenings);
}
