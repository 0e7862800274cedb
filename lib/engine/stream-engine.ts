import type { Socket as NetSocket } from "node:net";
import { ProtocolError, WiremqError } from "../errors.js";
import { GreetingParser } from "../wire/greeting.js";
import { FLAG_COMMAND, FLAG_MORE, FrameDecoder, type FrameSink } from "../wire/frame.js";
import { commandFrame, heldGreeting, holdOpening, type HeldOpening, writeOpening } from "./opening.js";
import { encodePing, isCommand } from "../wire/command.js";
import { CURVE_FLAG_COMMAND } from "../wire/curve-flags.js";
import { readPeerCommand } from "./peer-command.js";
import type { HandshakeFailure, Mechanism, MechanismStep, ZapReply } from "../mechanisms/mechanism.js";
import { mechanismMismatch, readFailure } from "../mechanisms/failure.js";
import type { Msg, Pipe, PipeDriver } from "./pipe.js";
import type { Engine, EngineHost, EngineOptions } from "./engine.js";
import { Heartbeat } from "./heartbeat.js";
import { cancelDeadline, handshakeDeadline, type HandshakeDeadline, type HandshakeTimed } from "./handshake-deadline.js";
import { BatchSlabs } from "./batch-slabs.js";
import { fewBytesQueued, LARGE_QUEUE_BYTES, OutboundBatch, writtenByReference } from "./outbound-batch.js";
import { MessageAssembly } from "./message-assembly.js";
import { ReadPlan } from "./read-plan.js";
import { attachReader, type StreamReader } from "../transports/reader.js";
import { lingerWhile } from "./linger-stream.js";
import { peerMetaOf, withPeerMeta, type PeerMeta } from "./peer-meta.js";

const MAX_ROUND_BYTES = 4 * 1024 * 1024;
const ignoreError = (): void => {};

/**
 * The largest frame a peer may announce before the handshake is done. Handshake commands are
 * small (a CURVE INITIATE with its metadata is ~300 bytes plus properties); without this, an
 * unauthenticated peer could make each connection reserve up to maxMessageSize.
 */
const HANDSHAKE_FRAME_MAX = 64 * 1024;

const S_GREETING = 0;
const S_HANDSHAKE = 1;
const S_ZAP = 2;
const S_READY = 3;
const S_CLOSED = 4;
/** Greetings exchanged; the mechanism is still loading what it needs (libsodium for CURVE). */
const S_PREPARING = 5;

/**
 * One ZMTP connection over a byte stream, from greeting to traffic: handshake through the
 * mechanism, framing, write batching (one flush per event-loop turn), read backpressure and
 * heartbeats. It serves exactly one pipe once the handshake is done.
 */
export class StreamEngine implements Engine, FrameSink, PipeDriver, StreamReader, HeldOpening, HandshakeTimed {
  pipe: Pipe | null = null;
  readonly mechanism: Mechanism;
  peerMinor = 1;
  private state = S_GREETING;
  /** Bytes that followed the peer's greeting while the mechanism was preparing. */
  private afterGreeting: Buffer | null = null;
  private readonly greeting = new GreetingParser();
  private readonly decoder: FrameDecoder;
  private readonly assembly: MessageAssembly;
  private flushScheduled = false;
  private waitingDrain = false;
  private readonly heartbeat: Heartbeat;
  private handshakeTimer: HandshakeDeadline | null = null;
  /** An accepted connection's greeting, not yet written (opening.ts, holdOpening). */
  private opening: Buffer | null = null;
  private readonly slabs = new BatchSlabs();
  /** Who the peer is, when ZAP said so: attached to each message it sends. */
  private meta: PeerMeta | null = null;
  /** Commands queued by the mechanism or protocol, written ahead of messages. */
  private commands: Buffer[] = [];
  /**
   * The answer to the peer's latest PING, not yet written. One at most, as libzmq keeps: a
   * peer that floods PINGs and never reads could otherwise grow a queue without bound.
   */
  private pong: Buffer | null = null;
  private readonly reads = new ReadPlan();
  /** leave() ended our side: nothing more is written, reading goes on until the peer ends. */
  private leaving = false;
  /** The peer ended its side; our side ends once the queue is written (see peerEnded). */
  private peerGone = false;
  private started = false; // The mechanism's first step went out with our greeting.

  constructor(
    readonly sock: NetSocket,
    private readonly host: EngineHost,
    readonly options: EngineOptions,
  ) {
    this.mechanism = options.mechanism;
    this.assembly = new MessageAssembly(options.maxMessageFrames, options.maxMessageBytes);
    this.heartbeat = new Heartbeat(
      options,
      (ttl) => this.queueCommand(encodePing(ttl)),
      (reason) => this.closed(new ProtocolError("ZMTP_HEARTBEAT_EXPIRED", reason)),
    );
    // A boxed frame's payload is checked again once unboxed.
    this.decoder = this.reads.decoder(options.maxMessageSize, this.mechanism.decode !== undefined);
    this.decoder.handshakeLimit = HANDSHAKE_FRAME_MAX;
    sock.on("drain", () => {
      this.waitingDrain = false;
      this.flush();
    });
    sock.on("error", ignoreError); // "close" follows any error and is handled there.
    sock.on("end", () => this.peerEnded());
    sock.on("close", () => this.lost());
    if (host.dialed === true) this.started = writeOpening(this.mechanism, sock);
    else {
      this.opening = heldGreeting(this.mechanism);
      holdOpening(this);
    }
    if (options.handshakeInterval > 0) this.handshakeTimer = handshakeDeadline(options.handshakeInterval, this);
    attachReader(sock, this); // last: early bytes may end the handshake, which needs the above
  }

  handshakeExpired(): void {
    // libzmq reports a handshake timeout as handshake_failed_no_detail (EAGAIN): :other.
    this.fail({ kind: "other", code: "EAGAIN", message: "handshake timed out" });
  }

  sendOpening(): void {
    if (this.opening !== null && this.sock.writable) this.sock.write(this.opening);
    this.opening = null;
  }

  get peerProperties(): Map<string, Buffer> {
    return this.mechanism.peerProperties;
  }

  // ---- input -------------------------------------------------------------------------------

  readBuffer(): Buffer | null {
    return this.reads.next(this.decoder, this.state !== S_CLOSED);
  }

  onRead(buf: Buffer, n: number): void {
    if (!this.reads.readInPlace(buf, n)) {
      this.onData(this.reads.take(buf, n));
      this.reads.sawFrame(this.decoder.bodyMissing);
      return;
    }
    if (this.state === S_CLOSED) return;
    this.heartbeat.received();
    try {
      this.decoder.bodyWritten(n, this);
    } catch (err) {
      this.protocolError(err);
      return;
    }
    this.pauseIfFull();
  }

  private onData(chunk: Buffer): void {
    if (this.state === S_CLOSED) return;
    this.heartbeat.received();
    try {
      let offset = 0;
      if (this.state === S_GREETING) {
        offset = this.greeting.feed(chunk, 0);
        if (!this.greeting.done) return;
        this.onGreeting();
        if ((this.state as number) === S_CLOSED) return;
        if ((this.state as number) === S_PREPARING) {
          // The read buffer is reused: keep a copy of what followed the greeting.
          this.afterGreeting = Buffer.from(chunk.subarray(offset));
          return;
        }
      }
      if (offset < chunk.length) this.decoder.push(chunk, this, offset);
    } catch (err) {
      this.protocolError(err);
      return;
    } finally {
      // A held greeting went out with what the handshake wrote in answer, or goes now, alone.
      if (this.opening !== null) this.sendOpening();
    }
    this.pauseIfFull();
  }

  private pauseIfFull(): void {
    const pipe = this.pipe;
    if (pipe !== null && pipe.inboundFull && !pipe.readPaused) {
      pipe.readPaused = true;
      this.sock.pause();
    }
  }

  private onGreeting(): void {
    const g = this.greeting.result!;
    this.peerMinor = g.major > 3 ? 1 : Math.min(1, g.minor);
    if (g.mechanism !== this.mechanism.name) {
      this.fail(mechanismMismatch(this.mechanism.name, g.mechanism));
      return;
    }
    // The as-server byte is not checked: libzmq sends 0 even from PLAIN and CURVE servers.
    const preparing = this.mechanism.prepare?.() ?? null;
    if (preparing !== null) {
      this.state = S_PREPARING;
      this.sock.pause();
      preparing.then(
        () => this.prepared(),
        () => this.fail({ kind: "other", message: "the security mechanism could not be loaded" }),
      );
      return;
    }
    this.state = S_HANDSHAKE;
    if (!this.started) this.apply(this.mechanism.start());
  }

  /** The mechanism has loaded: the handshake starts with what the peer sent meanwhile. */
  private prepared(): void {
    if (this.state !== S_PREPARING) return;
    this.state = S_HANDSHAKE;
    this.apply(this.mechanism.start());
    const rest = this.afterGreeting;
    this.afterGreeting = null;
    if ((this.state as number) === S_CLOSED) return;
    this.sock.resume();
    if (rest !== null && rest.length > 0) this.onData(rest);
  }

  onFrame(flags: number, body: Buffer): void {
    this.reads.sawFrame(body.length);
    const state = this.state;
    if (state === S_READY) {
      if (this.heartbeat.ttlArmed) this.heartbeat.frame();
      const mech = this.mechanism;
      if (mech.decode !== undefined) {
        // libzmq sends MESSAGE in frames without the COMMAND bit; every frame must be one.
        if (!isCommand(body, "MESSAGE")) {
          throw new ProtocolError("ZMTP_UNEXPECTED_FRAME", "frame other than MESSAGE on an encrypted connection");
        }
        const inner = mech.decode(body);
        if (this.options.maxMessageSize >= 0 && inner.body.length > this.options.maxMessageSize) {
          throw new ProtocolError("ZMTP_MESSAGE_TOO_LARGE", `frame exceeds maxMessageSize ${this.options.maxMessageSize}`);
        }
        // libzmq 4.3.5 ORs the wire flags into the unboxed frame: a MESSAGE in a COMMAND frame
        // is taken for a command (and an unknown one ignored), one with MORE joins the next.
        const wire = ((flags & FLAG_COMMAND) !== 0 ? CURVE_FLAG_COMMAND : 0) | (flags & FLAG_MORE);
        this.onTraffic(inner.flags | wire, inner.body);
        return;
      }
      if ((flags & FLAG_COMMAND) !== 0) this.onCommand(body);
      else this.onMessageFrame(flags, body);
      return;
    }
    if (state === S_HANDSHAKE) {
      if ((flags & FLAG_COMMAND) === 0) {
        throw new ProtocolError("ZMTP_UNEXPECTED_FRAME", "data frame before the handshake finished");
      }
      this.apply(this.mechanism.onCommand(body));
      return;
    }
    if (state === S_ZAP) {
      throw new ProtocolError("ZMTP_UNEXPECTED_FRAME", "frame while waiting for authentication");
    }
  }

  /** A frame unwrapped from a CURVE MESSAGE: bit 0 MORE, bit 1 COMMAND. */
  private onTraffic(innerFlags: number, body: Buffer): void {
    if ((innerFlags & CURVE_FLAG_COMMAND) !== 0) this.onCommand(body);
    else this.onMessageFrame(innerFlags & FLAG_MORE, body);
  }

  private onMessageFrame(flags: number, body: Buffer): void {
    const msg = this.assembly.push(flags, body);
    if (msg === null) return;
    this.pipe!.deliver(withPeerMeta(msg, this.meta));
  }

  private onCommand(body: Buffer): void {
    const cmd = readPeerCommand(body, this.options.groupCommands);
    switch (cmd.kind) {
      case "ping":
        this.pong = cmd.pong;
        this.kick();
        this.heartbeat.peerPing(cmd.ttl);
        return;
      case "pong":
        this.heartbeat.peerPong();
        return;
      case "deliver":
        this.pipe!.deliver(cmd.msg);
        return;
    }
  }

  private apply(step: MechanismStep): void {
    if (step.ready === true && step.error === undefined && step.zap === undefined) {
      // This step's commands (a server's READY) wait for the host to admit the peer: libzmq
      // refuses an incompatible Socket-Type while reading its metadata, before any READY.
      this.onReady(step.send);
      return;
    }
    for (const cmd of step.send) this.writeCommandNow(cmd);
    if (step.error !== undefined) {
      this.fail(step.error);
      return;
    }
    if (step.zap !== undefined) {
      if (this.host.zapRequest === undefined) {
        this.fail({ kind: "other", code: "EFAULT", message: "authentication required but no ZAP handler" });
        return;
      }
      this.state = S_ZAP;
      this.host.zapRequest(this, step.zap);
      return;
    }
  }

  zapReply(reply: ZapReply): void {
    if (this.state !== S_ZAP) return;
    this.state = S_HANDSHAKE;
    this.apply(this.mechanism.onZapReply(reply));
  }

  private onReady(lastCommands: Buffer[]): void {
    this.handshakeTimer = cancelDeadline(this.handshakeTimer);
    const pipe = this.host.engineReady(this);
    if (this.state === S_CLOSED) return;
    if (pipe === null) {
      this.destroy();
      return;
    }
    for (const cmd of lastCommands) this.writeCommandNow(cmd);
    this.state = S_READY;
    const mech = this.mechanism;
    this.meta = peerMetaOf(mech);
    this.pipe = pipe;
    pipe.driver = this;
    // Each MESSAGE box is opened inside onFrame; unless it opens in place (its body a view of
    // the frame), its plaintext is copied out there and the frame's memory may be reused.
    this.decoder.handshakeLimit = -1;
    if (mech.decode !== undefined && mech.decodeTakesInput?.() !== true) this.decoder.transientBodies = true;
    if (this.options.heartbeatInterval > 0 && this.peerMinor >= 1) this.heartbeat.start();
    if (pipe.out.length > 0 || this.commands.length > 0 || this.pong !== null) this.kick();
  }

  // ---- output ------------------------------------------------------------------------------

  /** Handshake commands go out at once, unbatched: there are only a few. */
  private writeCommandNow(body: Buffer): void {
    const greeting = this.opening;
    this.opening = null;
    this.sock.write(commandFrame(body, greeting ?? undefined));
  }

  /** Queues a command for the next flush (after the handshake). */
  queueCommand(body: Buffer): void {
    if (this.state === S_CLOSED) return;
    this.commands.push(body);
    this.kick();
  }

  kick(): void {
    if (this.flushScheduled || this.waitingDrain || this.state !== S_READY || this.leaving) return;
    this.flushScheduled = true;
    setImmediate(this.flushTick);
  }

  flushNow(): void {
    if (this.state === S_READY && !this.waitingDrain && !this.leaving) this.flush();
  }

  private readonly flushTick = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  resumeReading(): void {
    if (this.state === S_CLOSED) return;
    this.sock.resume();
  }

  /** Writes queued commands and messages in batches until done or the socket pushes back. */
  private flush(): void {
    if (this.state !== S_READY || this.leaving) return;
    const pipe = this.pipe!;
    const sock = this.sock;
    const mech = this.mechanism;
    const subscriptionCommands = this.options.subscriptionCommands && this.peerMinor >= 1;
    let roundBytes = 0;
    if (this.pong !== null && !this.waitingDrain) {
      this.commands.push(this.pong);
      this.pong = null;
    }
    while ((pipe.out.length > 0 || this.commands.length > 0) && roundBytes < MAX_ROUND_BYTES) {
      const roomForLarge = sock.writableLength < LARGE_QUEUE_BYTES && this.commands.length === 0 && writtenByReference(pipe.out.peek(), mech.encodeInto !== undefined);
      if (sock.writableNeedDrain && !roomForLarge) {
        this.waitingDrain = true;
        break;
      }
      // Little to send (a handshake, an idle peer's rare message): a small buffer, not a batch
      // buffer per connection, which for 10,000 cost more than the accept (fewBytesQueued).
      const batch = new OutboundBatch(this.slabs.take(sock, fewBytesQueued(pipe.out, this.commands)), mech);
      const commands = this.commands;
      if (commands.length > 0) this.commands = [];
      batch.fill(commands, pipe.out, subscriptionCommands, this.options.groupCommands);
      roundBytes += batch.bytes;
      this.slabs.written(batch.slab, batch.writeTo(sock), sock);
    }
    if (pipe.out.length === 0 && this.commands.length === 0) this.slabs.idle(sock);
    pipe.drained();
    if (!this.waitingDrain && (pipe.out.length > 0 || this.commands.length > 0 || this.pong !== null)) {
      if (sock.writableNeedDrain) this.waitingDrain = true;
      else this.kick();
    } else if (this.peerGone && pipe.out.length === 0 && this.commands.length === 0) {
      sock.end();
    }
  }

  // ---- teardown ----------------------------------------------------------------------------

  private protocolError(err: unknown): void {
    const e = err instanceof Error ? err : new WiremqError("EPROTO", String(err));
    if (this.state === S_READY) this.closed(e);
    else this.fail(readFailure(e));
  }

  private fail(failure: HandshakeFailure): void {
    if (this.state === S_CLOSED) return;
    // Nothing is written to the peer here: the mechanism's step already sent what libzmq
    // sends (ERROR "400"/"500" on a ZAP refusal, else nothing); the detail stays local.
    if (this.state === S_GREETING || this.state === S_HANDSHAKE || this.state === S_ZAP) {
      this.host.engineHandshakeFailed(this, failure);
    }
    this.closed(null, true);
  }

  /**
   * The peer ended its side (sockets are half-open): ours ends now, or once the pipe's queue is
   * written when the pipe ends with the connection (EngineHost.writeQueueOnPeerEnd).
   */
  private peerEnded(): void {
    const pipe = this.pipe;
    if (this.state !== S_READY || this.leaving || pipe === null || this.host.writeQueueOnPeerEnd !== true || this.peerGone) {
      this.sendOpening();
      this.sock.end();
      return;
    }
    this.peerGone = pipe.ending = true;
    this.heartbeat.stop();
    if (!this.waitingDrain) this.flush();
  }

  /** The connection ended under us (peer hung up, reset, network error). */
  private lost(): void {
    if (this.state === S_GREETING || this.state === S_HANDSHAKE || this.state === S_ZAP) {
      // As libzmq (stream_engine_base_t::error): a connection lost before the handshake is
      // done is a failed handshake without detail, reported before the disconnect.
      this.host.engineHandshakeFailed(this, { kind: "other", code: "EPIPE", message: "connection closed during the handshake" });
    }
    this.closed(null);
  }

  /**
   * Ends our side (FIN) and reads on until the peer ends its own: libzmq closes at once on end
   * of stream, a wiremq peer first writes what it had queued for us (peerEnded).
   */
  leave(): Promise<void> {
    if (this.state === S_CLOSED) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.sock.once("close", () => resolve()));
    if (this.state !== S_READY) {
      this.destroy();
      return closed;
    }
    this.leaving = true;
    this.heartbeat.stop();
    this.sock.end();
    return closed;
  }

  /** Closes without lingering. */
  destroy(): void {
    this.closed(null, true);
  }

  /** Flushes what is queued, then ends the connection; resolves when done or after `ms`. */
  async linger(ms: number): Promise<void> {
    if (this.state !== S_READY || ms === 0) return;
    await lingerWhile(this.sock, () => this.state === S_READY && (this.pipe!.out.length > 0 || this.flushScheduled || this.sock.writableLength > 0), ms);
  }

  private closed(error: Error | null, destroy = false): void {
    if (this.state === S_CLOSED) return;
    const wasReady = this.state === S_READY;
    // A peer we drop before our greeting went out still gets it first, as when it was written
    // at once: it then tells a mismatch from a lost connection as it did.
    this.sendOpening();
    this.state = S_CLOSED;
    this.heartbeat.stop();
    this.handshakeTimer = cancelDeadline(this.handshakeTimer);
    if (destroy || error !== null) this.sock.destroy();
    else this.sock.end();
    const pipe = this.pipe;
    if (pipe !== null) {
      if (pipe.driver === this) pipe.driver = null;
      pipe.readPaused = false;
    }
    this.assembly.reset();
    // Everything this connection will send is encoded by now: its keys are no longer needed.
    this.mechanism.dispose?.();
    this.host.engineClosed(this, error, wasReady);
  }
}
