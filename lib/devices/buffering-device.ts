import { ZmqError } from "../errors.js";
import { Pull } from "../sockets/pull.js";
import { Router } from "../sockets/router.js";
import { ControlChannel, type ControlSocket, type Steerable } from "./control-channel.js";
import { ConsumerLedger } from "./consumer-ledger.js";
import { SerialSender } from "./serial-sender.js";
import { SpillQueue } from "./spill-queue.js";
import { messageBytes, TrafficStats, type TrafficCounts } from "./traffic-stats.js";

/**
 * Options of a {@link BufferingDevice}: memory and disk budgets, the spill file, write-ahead,
 * how long a consumer may hold a message, and a control socket. Every field is optional.
 */
export interface BufferingDeviceOptions {
  /**
   * Payload bytes kept in memory before messages spill to the file (default 64 MiB); with
   * write-ahead every message is in the file and memory holds what was read back from it.
   */
  memoryBytes?: number;
  /** Overflow file, also where the queue is saved on a clean stop and reloaded on start. */
  spillFile?: string;
  /** The most the spill file may grow to (default 1 GiB). */
  diskBytes?: number;
  /**
   * With a spill file: write every message to it as it is taken from the front, before it is
   * queued or delivered, so a killed device loses none it took (default true). False keeps
   * messages in memory until `memoryBytes` is reached, which is faster and loses what memory
   * held on a kill.
   */
  writeAhead?: boolean;
  /** How long a consumer may hold a message without asking for the next (default 30 s). */
  ackTimeout?: number;
  /** PAUSE (stops delivering, keeps absorbing), RESUME, TERMINATE, STATISTICS. */
  control?: ControlSocket;
}

/** What the device holds, and what its consumers did. */
export interface BufferState {
  memoryMessages: number;
  memoryBytes: number;
  diskMessages: number;
  diskBytes: number;
  /** Handed to a consumer and not acknowledged yet. */
  outstanding: number;
  acknowledged: number;
  redelivered: number;
}

const MiB = 1024 * 1024;

/**
 * A store-and-forward device: producers PUSH to `frontEnd` (PULL); consumers ask `backEnd`
 * (ROUTER) for messages one at a time with REQ (or DEALER + empty delimiter), and each request
 * acknowledges the message before it; a request `DONE` acknowledges without asking for more
 * and is answered with an empty message. While consumers are slow or away, messages pile up in
 * memory and then in the spill file, up to the bounds; past them the device stops reading, so
 * producers block at their high-water mark instead of anything being dropped. Consumers get
 * messages in the order they arrived; with one consumer that order is exact, including after
 * a message that was never acknowledged goes back to the front.
 *
 * `terminate()` (or TERMINATE on the control socket) is a clean stop: what already arrived at
 * the front is taken in, and everything held is kept in the spill file, to be delivered first
 * after the next start. Without a spill file a stop loses what was still queued; `run()` then
 * rejects with EAGAIN saying how much.
 *
 * A kill (SIGKILL, a crash) with a spill file and `writeAhead` (the default): every message
 * taken from the front is in the file before it can be delivered (written once per event-loop
 * turn, so a kill loses at most that turn's messages, which were as exposed in the socket's
 * queue), and each acknowledgement marks its record in the file. A restart therefore delivers
 * every message taken in and not acknowledged, and none acknowledged, except: the message each
 * consumer held, or had acknowledged in a request the device did not read yet, comes again
 * (at most one per consumer per kill). Messages still in the transport (the producer's queue,
 * socket buffers, the PULL socket's queue) are lost as in any ZeroMQ peer's death. Compaction
 * writes a new file, fsyncs it, renames it over the old one and fsyncs the directory, so a
 * kill during it neither loses nor brings back a record. Records are not fsynced as they are
 * written: a power loss may lose what the OS had not written yet. Without write-ahead, a kill
 * also loses what memory held (up to `memoryBytes`).
 *
 * A consumer that holds a message past `ackTimeout` is taken for gone and its message goes
 * back to the front of the queue; when it asks again, that request acknowledges nothing, so
 * the message is delivered a second time (to another consumer, or to it) and never lost.
 * Set `ackTimeout` above the longest a consumer works on one message.
 */
export class BufferingDevice implements Steerable {
  readonly frontEnd: Pull;
  readonly backEnd: Router;
  readonly control: ControlSocket | null;
  readonly #queue: SpillQueue;
  readonly #ledger: ConsumerLedger;
  readonly #sender: SerialSender;
  readonly #stats = new TrafficStats();
  readonly #channel: ControlChannel | null;
  readonly #abort = new AbortController();
  #roomWaiter: (() => void) | null = null;
  #paused = false;
  #terminated = false;
  #started = false;
  #flushScheduled = false;
  #failure: unknown = null;
  #saved = 0;
  #lost = 0;

  constructor(options: BufferingDeviceOptions = {}) {
    if (typeof options !== "object" || options === null) throw new ZmqError("EINVAL", "options must be an object");
    const ackTimeout = options.ackTimeout ?? 30_000;
    if (!Number.isFinite(ackTimeout) || ackTimeout <= 0) throw new ZmqError("EINVAL", "ackTimeout must be a positive number of ms");
    const writeAhead = options.writeAhead ?? options.spillFile !== undefined;
    if (typeof writeAhead !== "boolean") throw new ZmqError("EINVAL", "writeAhead must be a boolean");
    this.#queue = new SpillQueue({
      memoryBytes: options.memoryBytes ?? 64 * MiB,
      diskBytes: options.diskBytes ?? 1024 * MiB,
      writeAhead,
      ...(options.spillFile === undefined ? {} : { spillFile: options.spillFile }),
    });
    this.#ledger = new ConsumerLedger(ackTimeout, {
      requeue: (msg) => {
        this.#queue.unshift(msg);
        this.#dispatch();
      },
      acknowledged: (msg) => {
        this.#queue.acknowledge(msg);
        this.#scheduleFlush();
      },
    });
    this.frontEnd = new Pull();
    // mandatory: a send to a consumer that has gone fails at once, so its message is taken back at once.
    this.backEnd = new Router({ mandatory: true });
    this.#sender = new SerialSender(this.backEnd);
    this.control = options.control ?? null;
    this.#channel = this.control === null ? null : new ControlChannel(this.control, this);
  }

  /** Messages written to the spill file by the stop. */
  get saved(): number {
    return this.#saved;
  }

  /** Messages still queued that the stop dropped, for want of a spill file. */
  get lost(): number {
    return this.#lost;
  }

  get state(): BufferState {
    const held = this.#queue.usage;
    return {
      ...held,
      outstanding: this.#ledger.outstanding,
      acknowledged: this.#ledger.acknowledged,
      redelivered: this.#ledger.redelivered,
    };
  }

  /** Messages and bytes taken in from the front and handed out at the back since the device started. */
  statistics(): TrafficCounts {
    return this.#stats.snapshot();
  }

  /** Stops handing messages to consumers; producers are still taken in. */
  pause(): void {
    this.#paused = true;
  }

  /** Hands messages to consumers again after `pause()`. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#dispatch();
  }

  /** A clean stop: `run()` saves what is held, closes the sockets and resolves. */
  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#abort.abort();
    this.#wakeRoomWaiter();
  }

  /** Moves messages until `terminate()`. What a previous run saved is already queued, from the constructor. */
  async run(): Promise<void> {
    if (this.#started) throw new ZmqError("EBUSY", "device is already running");
    this.#started = true;
    const serving = this.#channel?.serve().catch((err: unknown) => this.#fail(err));
    try {
      await Promise.all([this.#takeIn().catch((e: unknown) => this.#fail(e)), this.#serveConsumers().catch((e: unknown) => this.#fail(e))]);
      await this.#drainFront();
      await this.#sender.settled();
      // With a file, messages handed out but not acknowledged are kept too (delivered again
      // after a restart: at least once); without one they were delivered and are let go.
      const outstanding = this.#ledger.takeOutstanding();
      const kept = this.#queue.close(this.#queue.persistent ? outstanding : []);
      if (kept < 0) this.#lost = -kept;
      else this.#saved = kept;
    } finally {
      await Promise.all([this.frontEnd.close(), this.backEnd.close(), this.control?.close()]);
      await serving;
    }
    if (this.#failure !== null) throw this.#failure;
    if (this.#lost > 0) throw new ZmqError("EAGAIN", `stopped without a spill file: ${this.#lost} buffered message(s) lost`);
  }

  #fail(err: unknown): void {
    if (this.#failure === null) this.#failure = err;
    this.terminate();
  }

  async #takeIn(): Promise<void> {
    const front = this.frontEnd;
    while (!this.#terminated) {
      if (!this.#queue.hasRoom) {
        await new Promise<void>((resolve) => (this.#roomWaiter = resolve));
        continue;
      }
      let msg: Buffer[];
      try {
        msg = await front.receive({ signal: this.#abort.signal });
      } catch (err) {
        if (this.#terminated || front.closed) return;
        throw err;
      }
      this.#accept(msg);
    }
  }

  #accept(msg: Buffer[]): void {
    this.#stats.received(messageBytes(msg), true);
    this.#queue.push(msg);
    this.#scheduleFlush();
    this.#dispatch();
  }

  /**
   * Writes what was taken in this turn of the event loop in one write. Until then those
   * messages are where the socket's receive queue was, equally lost on a kill; none is
   * delivered before it is written (reading back flushes first).
   */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      try {
        this.#queue.flush();
      } catch (err) {
        this.#fail(err);
      }
    });
  }

  /** Takes in, without waiting, what already reached the front before a stop. */
  async #drainFront(): Promise<void> {
    const front = this.frontEnd;
    if (front.closed) return;
    front.receiveTimeout = 0;
    while (this.#queue.hasRoom) {
      try {
        this.#accept(await front.receive());
      } catch {
        return;
      }
    }
  }

  async #serveConsumers(): Promise<void> {
    const back = this.backEnd;
    while (!this.#terminated) {
      let msg: Buffer[];
      try {
        msg = await back.receive({ signal: this.#abort.signal });
      } catch (err) {
        if (this.#terminated || back.closed) return;
        throw err;
      }
      this.#stats.received(messageBytes(msg), false);
      const answer = this.#ledger.request(msg);
      if (answer !== null) this.#sendToConsumer(answer);
      this.#dispatch();
    }
  }

  #dispatch(): void {
    while (!this.#paused && !this.#terminated && this.#ledger.waiting > 0 && this.#queue.length > 0) {
      const msg = this.#queue.shift()!;
      this.#sendToConsumer(this.#ledger.assign(msg)!);
    }
    if (this.#roomWaiter !== null && this.#queue.hasRoom) this.#wakeRoomWaiter();
  }

  #sendToConsumer(frames: Buffer[]): void {
    this.#stats.sent(messageBytes(frames), false);
    this.#sender.send(frames).catch((err: unknown) => {
      if ((err as ZmqError).code === "EHOSTUNREACH") this.#ledger.unreachable(frames);
      else if (!this.backEnd.closed) this.#fail(err);
    });
  }

  #wakeRoomWaiter(): void {
    const wake = this.#roomWaiter;
    this.#roomWaiter = null;
    wake?.();
  }
}
