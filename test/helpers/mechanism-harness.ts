/**
 * Test helpers for security mechanisms: an in-memory driver that plays a client and a server
 * mechanism against each other, and a minimal ZMTP connection (greeting + frames) over a real
 * node:net socket so a mechanism can be tried against libzmq (the `zeromq` dev dependency).
 */
import * as net from "node:net";
import { once } from "node:events";
import type { HandshakeFailure, Mechanism, MechanismContext, MechanismStep, ZapReply, ZapRequest } from "../../lib/mechanisms/mechanism.js";
import { encodeGreeting, GreetingParser } from "../../lib/wire/greeting.js";
import { encodeFrame, FLAG_COMMAND, FLAG_MORE, FrameDecoder } from "../../lib/wire/frame.js";

export function context(socketType: string, extra: Partial<MechanismContext> = {}): MechanismContext {
  return {
    properties: [["Socket-Type", Buffer.from(socketType)]],
    peerAddress: "127.0.0.1",
    routingId: Buffer.alloc(0),
    zapDomain: "",
    zapEnabled: false,
    ...extra,
  };
}

export interface SideResult {
  ready: boolean;
  error?: HandshakeFailure & { code?: string };
}

export interface DriveResult {
  client: SideResult;
  server: SideResult;
  /** Every command body in the order sent. */
  wire: Array<{ from: "client" | "server"; body: Buffer }>;
  zapRequests: ZapRequest[];
}

export type ZapAnswer = (req: ZapRequest) => ZapReply;

export function zapReply(status: number, userId = "", metadata = new Map<string, Buffer>()): ZapReply {
  return { status, statusText: status === 200 ? "OK" : "NO", userId, metadata };
}

/**
 * Runs the handshake in memory. `tamper` may rewrite (or drop, returning null) any command
 * on its way.
 */
export function drive(
  client: Mechanism,
  server: Mechanism,
  zap?: ZapAnswer,
  tamper?: (from: "client" | "server", body: Buffer, index: number) => Buffer | null,
): DriveResult {
  const result: DriveResult = { client: { ready: false }, server: { ready: false }, wire: [], zapRequests: [] };
  const queue: Array<{ to: "client" | "server"; body: Buffer }> = [];
  const sides = { client, server };
  const apply = (who: "client" | "server", step: MechanismStep): void => {
    for (const body of step.send) {
      const from = who;
      const index = result.wire.length;
      result.wire.push({ from, body });
      const b = tamper ? tamper(from, body, index) : body;
      if (b) queue.push({ to: who === "client" ? "server" : "client", body: b });
    }
    if (step.ready) result[who].ready = true;
    if (step.error) result[who].error = step.error;
    if (step.zap) {
      result.zapRequests.push(step.zap);
      if (!zap) throw new Error("mechanism asked ZAP but the test gave no handler");
      apply(who, sides[who].onZapReply(zap(step.zap)));
    }
  };
  apply("client", client.start());
  apply("server", server.start());
  while (queue.length > 0) {
    const { to, body } = queue.shift()!;
    if (result[to].error) continue; // a failed side has closed its connection
    apply(to, sides[to].onCommand(body));
  }
  return result;
}

/** What a raw ZMTP peer saw after its handshake. */
export interface RawPeer {
  /** Resolves when the handshake is complete. */
  ready: Promise<void>;
  /** Resolves with the handshake failure, or null when the socket closed without one. */
  failed: Promise<(HandshakeFailure & { code?: string }) | null>;
  /** Flags of every data-phase frame received (ZMTP frame flags, before decoding). */
  dataFrameFlags: number[];
  /** Command bodies received during the handshake. */
  handshakeCommands: Buffer[];
  /** The peer's greeting. */
  greeting: Promise<{ mechanism: string; asServer: boolean; minor: number }>;
  /** Resolves with the next complete message. */
  nextMessage(): Promise<Buffer[]>;
  /** Resolves with the next ZMTP command received after the handshake (e.g. PING, PONG). */
  nextCommand(): Promise<Buffer>;
  /** Sends a message; for CURVE every frame becomes a MESSAGE with `frameFlags` on the wire. */
  send(frames: Buffer[], frameFlags?: number): void;
  closed: Promise<void>;
  socket: net.Socket;
}

/**
 * Runs `mech` over `socket` with just enough ZMTP: greeting, handshake commands, then frames
 * (decoded with mech.decode when the mechanism boxes traffic). ZAP requests are answered by
 * `zap`.
 */
export function runRawPeer(socket: net.Socket, mech: Mechanism, zap?: ZapAnswer): RawPeer {
  const parser = new GreetingParser();
  const decoder = new FrameDecoder();
  const handshakeCommands: Buffer[] = [];
  const dataFrameFlags: number[] = [];
  const messages: Buffer[][] = [];
  const waiters: Array<(m: Buffer[]) => void> = [];
  const commands: Buffer[] = [];
  const commandWaiters: Array<(c: Buffer) => void> = [];
  let partial: Buffer[] = [];
  let isReady = false;
  let resolveReady!: () => void;
  let resolveFailed!: (e: (HandshakeFailure & { code?: string }) | null) => void;
  let resolveGreeting!: (g: { mechanism: string; asServer: boolean; minor: number }) => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  const failed = new Promise<(HandshakeFailure & { code?: string }) | null>((r) => (resolveFailed = r));
  const greeting = new Promise<{ mechanism: string; asServer: boolean; minor: number }>((r) => (resolveGreeting = r));
  const closed = once(socket, "close").then(() => undefined);
  socket.on("close", () => resolveFailed(null));
  socket.on("error", () => undefined);

  const writeCommand = (body: Buffer): void => {
    socket.write(encodeFrame(FLAG_COMMAND, body));
  };
  const apply = (step: MechanismStep): void => {
    for (const body of step.send) writeCommand(body);
    if (step.error) {
      resolveFailed(step.error);
      socket.end();
      return;
    }
    if (step.zap) {
      if (!zap) throw new Error("mechanism asked ZAP but the test gave no handler");
      apply(mech.onZapReply(zap(step.zap)));
      return;
    }
    if (step.ready && !isReady) {
      isReady = true;
      resolveReady();
    }
  };
  const deliver = (flags: number, body: Buffer): void => {
    if ((flags & FLAG_COMMAND) !== 0) {
      const w = commandWaiters.shift();
      if (w) w(Buffer.from(body));
      else commands.push(Buffer.from(body));
      return;
    }
    partial.push(Buffer.from(body));
    if ((flags & FLAG_MORE) === 0) {
      const msg = partial;
      partial = [];
      const w = waiters.shift();
      if (w) w(msg);
      else messages.push(msg);
    }
  };
  const sink = {
    onFrame: (flags: number, body: Buffer): void => {
      if (!isReady) {
        if ((flags & FLAG_COMMAND) === 0) {
          resolveFailed({ kind: "protocol", message: "data frame during the handshake" });
          socket.destroy();
          return;
        }
        handshakeCommands.push(Buffer.from(body));
        apply(mech.onCommand(body));
        return;
      }
      dataFrameFlags.push(flags);
      if (mech.decode) {
        try {
          // Inside a CURVE box: 0x01 MORE, 0x02 COMMAND; map to frame flags for deliver().
          const out = mech.decode(body);
          deliver((out.flags & 0x01 ? FLAG_MORE : 0) | (out.flags & 0x02 ? FLAG_COMMAND : 0), out.body);
        } catch (err) {
          resolveFailed({ kind: "protocol", message: String(err) });
          socket.destroy();
        }
      } else {
        deliver(flags, body);
      }
    },
  };

  socket.write(encodeGreeting(mech.name, mech.asServer));
  let started = false;
  socket.on("data", (chunk: Buffer) => {
    let offset = 0;
    if (!parser.done) {
      offset = parser.feed(chunk);
      if (!parser.done) return;
      const g = parser.result!;
      resolveGreeting({ mechanism: g.mechanism, asServer: g.asServer, minor: g.minor });
    }
    if (!started) {
      started = true;
      apply(mech.start());
    }
    if (offset < chunk.length) decoder.push(chunk, sink, offset);
  });

  return {
    ready,
    failed,
    dataFrameFlags,
    handshakeCommands,
    greeting,
    closed,
    socket,
    nextMessage: () => {
      const m = messages.shift();
      if (m) return Promise.resolve(m);
      return new Promise((r) => waiters.push(r));
    },
    nextCommand: () => {
      const c = commands.shift();
      if (c) return Promise.resolve(c);
      return new Promise((r) => commandWaiters.push(r));
    },
    send: (frames: Buffer[], frameFlags = 0) => {
      frames.forEach((f, i) => {
        const more = i < frames.length - 1 ? FLAG_MORE : 0;
        if (mech.encode) socket.write(encodeFrame(frameFlags, mech.encode(more, f)));
        else socket.write(encodeFrame(more, f));
      });
    },
  };
}

/** A TCP listener on 127.0.0.1 with an ephemeral port; resolves each accepted socket in turn. */
export async function listen(): Promise<{ port: number; accept(): Promise<net.Socket>; close(): Promise<void> }> {
  const pending: net.Socket[] = [];
  const waiters: Array<(s: net.Socket) => void> = [];
  const server = net.createServer((s) => {
    const w = waiters.shift();
    if (w) w(s);
    else pending.push(s);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    accept: () => {
      const s = pending.shift();
      return s ? Promise.resolve(s) : new Promise((r) => waiters.push(r));
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of pending) s.destroy();
        server.close(() => r());
      }),
  };
}

export async function dial(port: number): Promise<net.Socket> {
  const s = net.connect(port, "127.0.0.1");
  await once(s, "connect");
  return s;
}

/**
 * zeromq 6 sometimes rejects the first receive() of a socket whose handshake went through a
 * ZAP handler with EAGAIN at once (no timeout is set); an immediate second call works.
 */
export async function receiveFrom(socket: { receive(): Promise<Buffer[]> }): Promise<Buffer[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await socket.receive();
    } catch (err) {
      if ((err as { code?: string }).code !== "EAGAIN" || attempt >= 5) throw err;
    }
  }
}
