/**
 * Shared helpers for the interop, distribution, garbage-peer and heartbeat tests: socket
 * tracking for afterEach, awaiting monitor events with a failure deadline, and a raw
 * node:net ZMTP peer that does the NULL handshake by hand.
 */
import * as net from "node:net";
import { once } from "node:events";
import { encodeReady, encodePong, isCommand, parseCommand, parsePing, PING } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND, FrameDecoder } from "../../lib/wire/frame.js";
import { encodeGreeting, GREETING_SIZE } from "../../lib/wire/greeting.js";

/** A socket of either library (close) or a node:net socket (destroy). */
export type Closable = { close(): unknown } | { destroy(): unknown };

/** Sockets (wiremq, zeromq or node:net) to close after each test. */
export function tracker(): { track<T extends Closable>(s: T): T; closeAll(): Promise<void> } {
  const open: Closable[] = [];
  return {
    track<T extends Closable>(s: T): T {
      open.push(s);
      return s;
    },
    async closeAll(): Promise<void> {
      for (const s of open.splice(0).reverse()) {
        try {
          if ("close" in s) await s.close();
          else s.destroy();
        } catch {
          // already closed
        }
      }
    },
  };
}

/** Anything with zeromq-shaped monitor events (wiremq's Observer or zeromq's). */
export interface HasEvents {
  events: { on(type: string, fn: (e: EventLike) => void): unknown; off(type: string, fn: (e: EventLike) => void): unknown };
}
export interface EventLike {
  type: string;
  address?: string;
  interval?: number;
  error?: Error & { code?: string };
}

/**
 * Resolves with the `count`-th event of `type` emitted from now on. The deadline only turns a
 * missing event into a clear test failure; it is never the thing being measured.
 */
export function waitEvent(s: HasEvents, type: string, count = 1, deadlineMs = 10_000): Promise<EventLike> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const fn = (e: EventLike): void => {
      if (++seen < count) return;
      clearTimeout(timer);
      s.events.off(type, fn);
      resolve(e);
    };
    const timer = setTimeout(() => {
      s.events.off(type, fn);
      reject(new Error(`no ${count}× "${type}" event within ${deadlineMs} ms (saw ${seen})`));
    }, deadlineMs);
    s.events.on(type, fn);
  });
}

/** Records every event of the given types, in order, until `stop()`. */
export function recordEvents(s: HasEvents, types: readonly string[]): { events: EventLike[]; stop(): void } {
  const events: EventLike[] = [];
  const fn = (e: EventLike): void => {
    events.push(e);
  };
  for (const t of types) s.events.on(t, fn);
  return { events, stop: () => types.forEach((t) => s.events.off(t, fn)) };
}

/** Rejects with a clear message if `p` is not settled within `ms` (a failure guard, not a proof). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** tcp://host:port → port; for building "the same endpoint" again. */
export function portOf(endpoint: string): number {
  const m = /:(\d+)$/.exec(endpoint);
  if (!m) throw new Error(`no port in ${endpoint}`);
  return Number(m[1]);
}

/** Connects a node:net socket to a tcp:// or ipc:// endpoint. */
export async function rawConnect(endpoint: string): Promise<net.Socket> {
  const sock = endpoint.startsWith("ipc://")
    ? net.connect({ path: endpoint.slice("ipc://".length) })
    : net.connect({ host: "127.0.0.1", port: portOf(endpoint) });
  sock.on("error", () => {});
  await once(sock, "connect");
  return sock;
}

/** Resolves when the raw socket is closed by either side. */
export function closedPromise(sock: net.Socket): Promise<void> {
  if (sock.closed) return Promise.resolve();
  return new Promise((resolve) => sock.once("close", () => resolve()));
}

/**
 * A raw ZMTP 3.1 NULL peer over a node:net socket: sends greeting + READY(socketType) at once,
 * decodes what the other side sends, and answers PINGs only when told to.
 */
export class RawZmtpPeer {
  private greetingHave = 0;
  private readonly decoder = new FrameDecoder(-1);
  readonly commands: Buffer[] = [];
  readonly messages: Buffer[] = [];
  /** Every frame after the greeting, with its flags, in order. */
  readonly frames: { flags: number; body: Buffer }[] = [];
  answerPings = false;
  private onCommandFn: ((name: string) => void) | null = null;

  constructor(
    readonly sock: net.Socket,
    socketType: string,
  ) {
    sock.on("error", () => {});
    sock.on("data", (chunk: Buffer) => this.onData(chunk));
    sock.write(
      Buffer.concat([
        encodeGreeting("NULL", false),
        encodeFrame(FLAG_COMMAND, encodeReady([["Socket-Type", Buffer.from(socketType)]])),
      ]),
    );
  }

  private onData(chunk: Buffer): void {
    let at = 0;
    if (this.greetingHave < GREETING_SIZE) {
      at = Math.min(GREETING_SIZE - this.greetingHave, chunk.length);
      this.greetingHave += at;
    }
    if (at < chunk.length) {
      this.decoder.push(chunk, {
        onFrame: (flags, body) => {
          this.frames.push({ flags, body: Buffer.from(body) });
          if ((flags & FLAG_COMMAND) === 0) {
            this.messages.push(Buffer.from(body));
            return;
          }
          this.commands.push(Buffer.from(body));
          if (isCommand(body, PING) && this.answerPings) {
            const ping = parsePing(parseCommand(body).data);
            this.sock.write(encodeFrame(FLAG_COMMAND, encodePong(ping.context)));
          }
          this.onCommandFn?.(parseCommand(body).name);
        },
      }, at);
    }
  }

  /** Resolves when a command named `name` has arrived (now or later). */
  waitCommand(name: string, deadlineMs = 10_000): Promise<void> {
    if (this.commands.some((c) => parseCommand(c).name === name)) return Promise.resolve();
    return within(
      new Promise<void>((resolve) => {
        const prev = this.onCommandFn;
        this.onCommandFn = (n) => {
          prev?.(n);
          if (n === name) resolve();
        };
      }),
      deadlineMs,
      `waiting for ${name} from the peer`,
    );
  }

  close(): void {
    this.sock.destroy();
  }
}

/** A node:net server (tcp on 127.0.0.1, ephemeral port) handing each connection to `onConn`. */
export async function rawServer(onConn: (sock: net.Socket) => void): Promise<{ server: net.Server; endpoint: string; close(): Promise<void> }> {
  const conns = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    conns.add(sock);
    sock.on("close", () => conns.delete(sock));
    sock.on("error", () => {});
    onConn(sock);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    endpoint: `tcp://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of conns) c.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Resolves with the first event of any of `types` emitted from now on (deadline as in waitEvent). */
export function waitAnyEvent(s: HasEvents, types: readonly string[], deadlineMs = 10_000): Promise<EventLike> {
  return new Promise((resolve, reject) => {
    const fn = (e: EventLike): void => {
      clearTimeout(timer);
      for (const t of types) s.events.off(t, fn);
      resolve(e);
    };
    const timer = setTimeout(() => {
      for (const t of types) s.events.off(t, fn);
      reject(new Error(`none of ${types.join(", ")} within ${deadlineMs} ms`));
    }, deadlineMs);
    for (const t of types) s.events.on(t, fn);
  });
}
