import type { Msg, Pipe } from "../engine/pipe.js";
import { Queue } from "../util/queue.js";
import { Publisher, type PublisherOptions } from "./pub.js";
import { checkBoolean } from "./socket-options.js";
import { toFrames, type MessageLike } from "./message.js";
import type { Message, Readable } from "./readable-writable.js";
import type { ReceiveOptions } from "./socket.js";
import { registerSocketClass } from "./socket-registry.js";
import { WiremqTypeError } from "../errors.js";
import { sealAs } from "./seal.js";

export type XPublisherOptions = PublisherOptions & {
  verbose?: boolean;
  verboser?: boolean;
  verbosity?: null | "allSubs" | "allSubsUnsubs";
  manual?: boolean;
  welcomeMessage?: string | Buffer | null;
};

/**
 * XPUB: a publisher whose user also receives the subscriptions (`01`/`00` + topic), so it can
 * forward them upstream. Duplicates are suppressed unless `verbose` (subscribes) /
 * `verboser` (also cancels); `manual` leaves applying them to the user's subscribe().
 */
export class XPublisher extends Publisher implements Readable {
  private readonly received = new Queue<Msg>();
  private verboseSubs = false;
  private verboseCancels = false;
  private manualMode = false;
  private welcome: Buffer | null = null;
  /** The pipe the last subscription came from (manual mode applies to it). */
  private lastPipe: Pipe | null = null;

  constructor(options?: XPublisherOptions) {
    super(undefined, "XPUB");
    this.applyOptions(options);
    sealAs(this, new.target, XPublisher);
  }

  override receive(options?: ReceiveOptions): Promise<Message[]> {
    return super.receive(options);
  }

  [Symbol.asyncIterator](): AsyncIterator<Message[], undefined> {
    return this.messages();
  }

  get verbose(): boolean { void this.live; return this.verboseSubs; }
  set verbose(v: boolean) { void this.live; this.verboseSubs = checkBoolean(v); }
  get verboser(): boolean { void this.live; return this.verboseCancels; }
  set verboser(v: boolean) {
    void this.live;
    this.verboseCancels = checkBoolean(v);
    if (v) this.verboseSubs = true;
  }
  get manual(): boolean { void this.live; return this.manualMode; }
  set manual(v: boolean) { void this.live; this.manualMode = checkBoolean(v); }
  /** zeromq's name for verbose/verboser: null, "allSubs" or "allSubsUnsubs". */
  get verbosity(): null | "allSubs" | "allSubsUnsubs" {
    void this.live;
    return this.verboseCancels ? "allSubsUnsubs" : this.verboseSubs ? "allSubs" : null;
  }
  set verbosity(v: null | "allSubs" | "allSubsUnsubs") {
    void this.live;
    if (v !== null && v !== "allSubs" && v !== "allSubsUnsubs") throw new WiremqTypeError("EINVAL", 'verbosity must be null, "allSubs" or "allSubsUnsubs"');
    this.verboseSubs = v !== null;
    this.verboseCancels = v === "allSubsUnsubs";
  }
  get welcomeMessage(): string | null {
    void this.live;
    return this.welcome === null ? null : this.welcome.toString();
  }
  set welcomeMessage(v: string | Buffer | null) {
    void this.live;
    this.welcome = v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(String(v));
  }

  /** Manual mode: applies a subscription on behalf of the subscriber that last sent one. */
  subscribe(...prefixes: MessageLike[]): void {
    this.manualApply(true, prefixes);
  }

  /** Manual mode: removes a subscription of the subscriber that last sent one. */
  unsubscribe(...prefixes: MessageLike[]): void {
    this.manualApply(false, prefixes);
  }

  private manualApply(subscribe: boolean, prefixes: MessageLike[]): void {
    const pipe = this.lastPipe;
    if (pipe === null || pipe.terminated) return;
    for (const topic of prefixes.length === 0 ? [Buffer.alloc(0)] : toFrames(prefixes)) {
      super.applySubscription(pipe, subscribe, topic, topic);
    }
  }

  protected override attach(pipe: Pipe): void {
    super.attach(pipe);
    if (this.welcome !== null) pipe.write([this.welcome]);
  }

  protected override topicGone(topic: Buffer): void {
    if (this.manualMode) return;
    const msg = Buffer.allocUnsafe(topic.length + 1);
    msg[0] = 0;
    topic.copy(msg, 1);
    this.received.push([msg]);
    this.wakeReceiver();
  }

  protected override upstream(pipe: Pipe, msg: Msg): void {
    const frame = msg[0]!;
    const isSub = msg.length === 1 && frame.length > 0 && frame[0]! <= 1;
    if (!isSub) {
      // Anything else from a subscriber is passed on as is.
      this.received.push(msg);
      return;
    }
    const subscribe = frame[0] === 1;
    this.lastPipe = pipe;
    if (this.manualMode) {
      this.received.push(msg);
      return;
    }
    const changed = this.applySubscription(pipe, subscribe, frame.subarray(1), frame);
    const verbose = subscribe ? this.verboseSubs : this.verboseCancels;
    if (changed || verbose) this.received.push(msg);
  }

  protected override xrecv(): Msg | undefined {
    return this.received.shift();
  }

  protected override get canReceive(): boolean {
    return this.received.length > 0;
  }
}

registerSocketClass("XPUB", XPublisher);
