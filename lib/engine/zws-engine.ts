import { ProtocolError, WiremqError } from "../errors.js";
import { isCommand, encodeCommand } from "../wire/command.js";
import { CURVE_FLAG_COMMAND, CURVE_FLAG_MORE, ENVELOPE_SLACK } from "../wire/curve-flags.js";
import { decodeZwsFrame, zwsHasHandshake, zwsPayloadLimit, ZWS_COMMAND, ZWS_HANDSHAKE_PAYLOAD_MAX, ZWS_MORE } from "../wire/zws.js";
import type { ZwsChannel, ZwsChannelEvents } from "../transports/zws-channel.js";
import type { HandshakeFailure, Mechanism, MechanismStep, ZapReply } from "../mechanisms/mechanism.js";
import { readFailure } from "../mechanisms/failure.js";
import type { Engine, EngineHost, EngineOptions } from "./engine.js";
import type { Msg, Pipe, PipeDriver } from "./pipe.js";
import { peerMetaOf, withPeerMeta, type PeerMeta } from "./peer-meta.js";
import { groupCommandOf } from "./group-command.js";
import { Heartbeat } from "./heartbeat.js";
import { MessageAssembly } from "./message-assembly.js";
import { readPeerCommand } from "./peer-command.js";

/** Bytes one flush hands the channel before it lets other work run. */
const MAX_ROUND_BYTES = 4 * 1024 * 1024;
/** Above this many bytes not yet taken by the network, the engine stops taking from the pipe. */
const BUFFERED_HIGH = 1024 * 1024;
/** Small payloads are carved out of one buffer per flush instead of one allocation each. */
const SLAB_BYTES = 64 * 1024;
const SLAB_PAYLOAD_MAX = 1024;
/** A flush's first slab comes from Buffer's pool: a round trip's one message allocates no 64 KiB. */
const FIRST_SLAB_BYTES = 2048;

/**
 * Messages a peer may send, under a mechanism that loads (CURVE), before the handshake starts:
 * a handshake needs one before it hears back (a HELLO); more is a flood, refused before it
 * can fill memory.
 */
const EARLY_MAX = 4;

const S_PREPARING = 0;
const S_HANDSHAKE = 1;
const S_ZAP = 2;
const S_READY = 3;
const S_CLOSED = 4;
/** Bare ZWS2.0: waiting for the peer's routing id message. */
const S_BARE = 5;

/**
 * One ZWS 2.0 connection (ZMTP over WebSocket, RFC 45) over an open channel: the mechanism's
 * handshake in command messages, then each frame as one binary message. It serves one pipe
 * once the handshake is done, with the tcp engine's semantics: maxMessageSize, heartbeats
 * (WebSocket ping/pong, as libzmq), receive backpressure (the channel pauses at the receive
 * high-water mark) and send backpressure (the pipe is not drained while the channel holds
 * more than BUFFERED_HIGH bytes).
 */
export class ZwsEngine implements Engine, PipeDriver, ZwsChannelEvents {
  pipe: Pipe | null = null;
  readonly mechanism: Mechanism;
  unchecked = false;
  private state = S_PREPARING;
  private readonly boxed: boolean;
  private readonly assembly: MessageAssembly;
  private readonly heartbeat: Heartbeat;
  private handshakeTimer: ReturnType<typeof setTimeout> | null = null;
  private meta: PeerMeta | null = null;
  /** Messages that arrived before the handshake started: with the upgrade, or while the mechanism loads (CURVE's libsodium). */
  private early: Array<[Uint8Array, boolean]> = [];
  /** The mechanism is loading: reading is paused until it is ready. */
  private loading = false;
  private commands: Buffer[] = [];
  /**
   * The answer to the peer's last PING, not yet written. One at most, as in libzmq and the tcp
   * engine: a peer that floods PINGs and never reads would otherwise grow a queue of PONGs.
   */
  private pendingPong: Buffer | null = null;
  private flushScheduled = false;
  private waitingWritable = false;

  constructor(
    readonly channel: ZwsChannel,
    private readonly host: EngineHost,
    readonly options: EngineOptions,
  ) {
    this.mechanism = options.mechanism;
    this.boxed = this.mechanism.decode !== undefined;
    this.assembly = new MessageAssembly(options.maxMessageFrames, options.maxMessageBytes);
    this.heartbeat = new Heartbeat(
      options,
      () => this.channel.ping(),
      (reason) => this.closed(new ProtocolError("ZMTP_HEARTBEAT_EXPIRED", reason)),
    );
    channel.setPayloadLimit(ZWS_HANDSHAKE_PAYLOAD_MAX);
    if (options.handshakeInterval > 0) {
      this.handshakeTimer = setTimeout(
        () => this.fail({ kind: "other", code: "EAGAIN", message: "handshake timed out" }),
        options.handshakeInterval,
      );
      (this.handshakeTimer as { unref?: () => void }).unref?.();
    }
    // After the constructor returns: the host must hold this engine before it can close.
    queueMicrotask(() => this.begin());
  }

  private begin(): void {
    if (this.state === S_CLOSED) return;
    const channel = this.channel;
    channel.attach(this);
    if (this.state === S_CLOSED) return;
    if (!zwsHasHandshake(channel.subprotocol)) {
      // Bare "ZWS2.0" (what a page offers libzmq, which knows no "ZWS2.0+NULL"):
      // no handshake, each side's first message is its routing id, as in libzmq.
      this.state = S_BARE;
      const id = this.options.routingId ?? new Uint8Array(0);
      const first = Buffer.allocUnsafe(1 + id.length);
      first[0] = 0;
      first.set(id, 1);
      this.channel.send([first]);
      return;
    }
    const preparing = this.mechanism.prepare?.() ?? null;
    if (preparing === null) {
      this.start();
      return;
    }
    // As the tcp engine does: nothing more is read until the mechanism is ready.
    this.loading = true;
    this.channel.pause();
    preparing.then(
      () => this.start(),
      () => this.fail({ kind: "other", message: "the security mechanism could not be loaded" }),
    );
  }

  get peerProperties(): Map<string, Buffer> {
    return this.mechanism.peerProperties;
  }

  private start(): void {
    if (this.state !== S_PREPARING) return;
    this.state = S_HANDSHAKE;
    this.apply(this.mechanism.start());
    const early = this.early;
    this.early = [];
    for (const [data, binary] of early) this.message(data, binary);
    if (this.loading && this.state !== S_CLOSED) this.channel.resume();
    this.loading = false;
  }

  // ---- input -------------------------------------------------------------------------------

  message(data: Uint8Array, binary: boolean): void {
    const state = this.state;
    if (state === S_CLOSED) return;
    if (state === S_PREPARING) {
      // Under a mechanism that loads (CURVE), before the handshake starts: with the upgrade or while loading.
      if (this.mechanism.prepare !== undefined && this.early.length >= EARLY_MAX) {
        this.protocolError(new ProtocolError("ZMTP_UNEXPECTED_FRAME", `more than ${EARLY_MAX} messages before the handshake could start`));
        return;
      }
      this.early.push([data, binary]);
      return;
    }
    this.heartbeat.received();
    try {
      if (!binary) throw new ProtocolError("ZWS_TEXT_FRAME", "text message on a ZWS connection");
      // A boxed frame's payload is checked once unboxed; before the handshake the channel's limit holds.
      const frame = decodeZwsFrame(data, state === S_READY && !this.boxed ? this.options.maxMessageSize : -1);
      const body = asBuffer(frame.body);
      if (state === S_READY) this.traffic(frame.more, frame.command, body);
      else if (state === S_BARE) this.bareRoutingId(frame.more, frame.command, body);
      else if (state === S_HANDSHAKE) {
        if (!frame.command) throw new ProtocolError("ZMTP_UNEXPECTED_FRAME", "data message before the handshake finished");
        this.apply(this.mechanism.onCommand(body));
      } else throw new ProtocolError("ZMTP_UNEXPECTED_FRAME", "message while waiting for authentication");
    } catch (err) {
      this.protocolError(err);
      return;
    }
    const pipe = this.pipe;
    if (pipe !== null && pipe.inboundFull && !pipe.readPaused) {
      pipe.readPaused = true;
      this.channel.pause();
    }
  }

  /** The peer's first message under bare ZWS2.0: its routing id (empty: none). */
  private bareRoutingId(more: boolean, command: boolean, body: Buffer): void {
    if (more || command) throw new ProtocolError("ZMTP_UNEXPECTED_FRAME", "bare ZWS2.0 peer did not start with its routing id");
    if (body.length > 255) throw new ProtocolError("ZMTP_INVALID_METADATA", "routing id longer than 255 bytes");
    if (body.length > 0) this.mechanism.peerProperties.set("identity", Buffer.from(body));
    this.unchecked = true;
    this.onReady([]);
  }

  private traffic(more: boolean, command: boolean, body: Buffer): void {
    if (this.heartbeat.ttlArmed) this.heartbeat.frame();
    if (this.boxed) {
      if (!isCommand(body, "MESSAGE")) throw new ProtocolError("ZMTP_UNEXPECTED_FRAME", "message other than MESSAGE on an encrypted connection");
      const inner = this.mechanism.decode!(body);
      const max = this.options.maxMessageSize;
      if (max >= 0 && inner.body.length > max) throw new ProtocolError("ZMTP_MESSAGE_TOO_LARGE", `frame exceeds maxMessageSize ${max}`);
      if ((inner.flags & CURVE_FLAG_COMMAND) !== 0) this.onCommand(inner.body);
      else this.onMessageFrame((inner.flags & CURVE_FLAG_MORE) !== 0 || more, inner.body);
      return;
    }
    if (command) this.onCommand(body);
    else this.onMessageFrame(more, body);
  }

  private onMessageFrame(more: boolean, body: Buffer): void {
    const msg = this.assembly.push(more ? ZWS_MORE : 0, body);
    if (msg === null) return;
    this.pipe!.deliver(withPeerMeta(msg, this.meta));
  }

  /** ZMTP commands after the handshake: subscriptions, JOIN/LEAVE, ERROR; PING is answered too. */
  private onCommand(body: Buffer): void {
    const cmd = readPeerCommand(body, this.options.groupCommands);
    if (cmd.kind === "deliver") this.pipe!.deliver(cmd.msg);
    else if (cmd.kind === "ping") {
      this.pendingPong = cmd.pong;
      this.kick();
    }
  }

  pong(): void {
    if (this.state === S_CLOSED) return;
    this.heartbeat.received();
    this.heartbeat.peerPong();
  }

  writable(): void {
    if (!this.waitingWritable || this.channel.bufferedAmount > BUFFERED_HIGH) return;
    this.waitingWritable = false;
    this.flush();
  }

  closed(error: Error | null): void {
    this.lost(error);
  }

  // ---- handshake ---------------------------------------------------------------------------

  private apply(step: MechanismStep): void {
    if (step.ready === true && step.error === undefined && step.zap === undefined) {
      this.onReady(step.send);
      return;
    }
    this.sendCommandsNow(step.send);
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
    }
  }

  zapReply(reply: ZapReply): void {
    if (this.state !== S_ZAP) return;
    this.state = S_HANDSHAKE;
    this.apply(this.mechanism.onZapReply(reply));
  }

  private onReady(lastCommands: Buffer[]): void {
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    const pipe = this.host.engineReady(this);
    if (this.state === S_CLOSED) return;
    if (pipe === null) {
      this.destroy();
      return;
    }
    this.sendCommandsNow(lastCommands);
    this.state = S_READY;
    const mech = this.mechanism;
    this.meta = peerMetaOf(mech);
    this.pipe = pipe;
    pipe.driver = this;
    const max = this.options.maxMessageSize;
    // Commands and boxes wrap a frame: they may pass maxMessageSize by the envelope.
    this.channel.setPayloadLimit(max < 0 ? 0 : zwsPayloadLimit(max, ENVELOPE_SLACK));
    if (this.options.heartbeatInterval > 0) this.heartbeat.start();
    if (pipe.out.length > 0 || this.commands.length > 0 || this.pendingPong !== null) this.kick();
  }

  private sendCommandsNow(bodies: Buffer[]): void {
    if (bodies.length > 0) this.channel.send(bodies.map((b) => commandPayload(b)));
  }

  // ---- output ------------------------------------------------------------------------------

  queueCommand(body: Buffer): void {
    if (this.state === S_CLOSED) return;
    this.commands.push(body);
    this.kick();
  }

  kick(): void {
    if (this.flushScheduled || this.waitingWritable || this.state !== S_READY) return;
    this.flushScheduled = true;
    setImmediate(this.flushTick);
  }

  flushNow(): void {
    if (this.state === S_READY && !this.waitingWritable) this.flush();
  }

  private readonly flushTick = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  resumeReading(): void {
    if (this.state !== S_CLOSED) this.channel.resume();
  }

  private flush(): void {
    if (this.state !== S_READY) return;
    const pipe = this.pipe!;
    const channel = this.channel;
    const out = new PayloadBatch(this.boxed ? this.mechanism : null);
    for (const c of this.commands) out.command(c);
    this.commands = [];
    if (this.pendingPong !== null) {
      out.command(this.pendingPong);
      this.pendingPong = null;
    }
    const limit = channel.sendPayloadLimit;
    while (out.bytes < MAX_ROUND_BYTES && channel.bufferedAmount + out.bytes < BUFFERED_HIGH) {
      const msg = pipe.out.shift();
      if (msg === undefined) break;
      const over = limit > 0 ? partOver(msg, limit - 1) : -1;
      if (over >= 0) {
        // Loudly, not lost in silence: what went before is sent, this message is dropped (the
        // peer would never have delivered it) and the connection ends with the reason, as a
        // `disconnect` event's error; the dialer then redials.
        channel.send(out.payloads);
        pipe.drained();
        this.closed(new ProtocolError(
          "ZMTP_MESSAGE_TOO_LARGE",
          `message part of ${over} bytes not sent: over ${limit - 1}, a page's WebSocket may fragment it, and this peer (bare ZWS2.0, not wiremq) may not reassemble it`,
        ));
        return;
      }
      const group = this.options.groupCommands ? groupCommandOf(msg) : undefined;
      // Subscriptions stay 3.0 data frames (01/00 + topic): libzmq's ZWS engine reads no
      // SUBSCRIBE command, and a wiremq peer takes either.
      if (group !== undefined) out.command(encodeCommand(group, msg[0]!));
      else out.message(msg);
    }
    channel.send(out.payloads);
    pipe.drained();
    if (pipe.out.length === 0 && this.commands.length === 0 && this.pendingPong === null) return;
    if (channel.bufferedAmount >= BUFFERED_HIGH) this.waitingWritable = true;
    else this.kick();
  }

  // ---- teardown ----------------------------------------------------------------------------

  private protocolError(err: unknown): void {
    const e = err instanceof Error ? err : new WiremqError("EPROTO", String(err));
    if (this.state === S_READY) this.closed(e);
    else this.fail(readFailure(e));
  }

  private fail(failure: HandshakeFailure): void {
    if (this.state === S_CLOSED) return;
    this.host.engineHandshakeFailed(this, failure);
    this.end(null, true);
  }

  /** The channel ended under us: a clean close, a network error, or bytes `ws` refused. */
  private lost(error: Error | null): void {
    if (this.state === S_CLOSED) return;
    if (this.state !== S_READY) {
      const code = (error as { code?: string } | null)?.code;
      if (error instanceof ProtocolError) this.host.engineHandshakeFailed(this, { kind: "protocol", message: error.message, code, reconnect: true });
      else this.host.engineHandshakeFailed(this, { kind: "other", code: "EPIPE", message: "connection closed during the handshake" });
      this.end(null, true);
      return;
    }
    this.end(error instanceof ProtocolError ? error : null, true);
  }

  destroy(): void {
    this.end(null, true);
  }

  /** Flushes what is queued; resolves when the network took it all or after `ms` (-1: no limit). */
  async linger(ms: number): Promise<void> {
    if (this.state !== S_READY || ms === 0) return;
    const deadline = ms < 0 ? Infinity : Date.now() + ms;
    while (this.state === S_READY && (this.pipe!.out.length > 0 || this.flushScheduled || this.channel.bufferedAmount > 0)) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      // The channel reports progress per batch only: look again shortly.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 10));
        (t as { unref?: () => void }).unref?.();
      });
    }
  }

  private end(error: Error | null, destroy: boolean): void {
    if (this.state === S_CLOSED) return;
    const wasReady = this.state === S_READY;
    this.state = S_CLOSED;
    this.early = [];
    this.heartbeat.stop();
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    if (destroy) this.channel.destroy();
    else this.channel.close();
    const pipe = this.pipe;
    if (pipe !== null) {
      if (pipe.driver === this) pipe.driver = null;
      pipe.readPaused = false;
    }
    this.assembly.reset();
    this.mechanism.dispose?.();
    this.host.engineClosed(this, error, wasReady);
  }
}

/** A Uint8Array view as a Buffer over the same memory (the pipe's messages are Buffers). */
function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function commandPayload(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(1 + body.length);
  out[0] = ZWS_COMMAND;
  out.set(body, 1);
  return out;
}

/** The payloads of one flush: small ones carved from a shared buffer, CURVE boxes encoded in place. */
class PayloadBatch {
  readonly payloads: Buffer[] = [];
  bytes = 0;
  private slab: Buffer | null = null;
  private pos = 0;

  constructor(private readonly mech: Mechanism | null) {}

  command(body: Buffer): void {
    if (this.mech !== null) this.boxed(CURVE_FLAG_COMMAND, body);
    else this.plain(ZWS_COMMAND, body);
  }

  message(msg: Msg): void {
    const last = msg.length - 1;
    for (let i = 0; i <= last; i++) {
      const more = i < last;
      if (this.mech !== null) this.boxed(more ? CURVE_FLAG_MORE : 0, msg[i]!);
      else this.plain(more ? ZWS_MORE : 0, msg[i]!);
    }
  }

  private take(n: number): Buffer {
    this.bytes += n;
    if (n > SLAB_PAYLOAD_MAX) return Buffer.allocUnsafe(n);
    if (this.slab === null || this.slab.length - this.pos < n) {
      this.slab = Buffer.allocUnsafe(this.slab === null ? FIRST_SLAB_BYTES : SLAB_BYTES);
      this.pos = 0;
    }
    const out = this.slab.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private plain(flags: number, body: Buffer): void {
    const out = this.take(1 + body.length);
    out[0] = flags;
    if (body.length <= 32) for (let j = 0; j < body.length; j++) out[1 + j] = body[j]!;
    else body.copy(out, 1);
    this.payloads.push(out);
  }

  /** A CURVE MESSAGE travels as a data frame (flags 00), as libzmq sends it; its flags are boxed. */
  private boxed(innerFlags: number, body: Buffer): void {
    const mech = this.mech!;
    const out = this.take(1 + mech.encodedSize!(body.length));
    out[0] = 0;
    mech.encodeInto!(out, 1, innerFlags, body);
    this.payloads.push(out);
  }
}

/** The length of the first part longer than `max` bytes, or -1. */
function partOver(msg: Msg, max: number): number {
  for (const part of msg) if (part.length > max) return part.length;
  return -1;
}
