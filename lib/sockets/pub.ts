import type { Msg, Pipe } from "../engine/pipe.js";
import { Socket } from "./socket.js";
import { checkBoolean, checkNumber, type SocketOptionsInit } from "./socket-options.js";
import { zmqError } from "../errors.js";
import { SubscriptionTrie } from "./routing/subscription-trie.js";
import type { Writable } from "./readable-writable.js";
import type { SendOptions } from "./socket.js";
import type { MessageLike } from "./message.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

/**
 * A subscriber's topics are listed on its pipe up to this many, so that one leaving removes
 * just its own; past it the list is dropped and the leaving subscriber is walked out of the
 * whole trie (as libzmq always does), so a flood of subscriptions costs one trie entry each
 * and nothing per pipe.
 */
const LISTED_TOPICS = 64;

/** Per-pipe state of a publisher. */
interface SubscriberState {
  /** Distinct topics this subscriber holds. */
  topics: number;
  /** Those topics (latin1), while there are at most LISTED_TOPICS; null beyond, for good. */
  listed: Set<string> | null;
  /** Marks the pipe as already served for the message being distributed. */
  stamp: number;
}

export type PublisherOptions = SocketOptionsInit & { invertMatching?: boolean; noDrop?: boolean; maxSubscriptions?: number };

/**
 * PUB: sends each message to every subscriber whose prefix matches frame 0; a subscriber
 * whose queue is full misses the message (PUB never blocks). Subscriptions arrive from
 * peers as `01`/`00` + topic messages (the engine turns SUBSCRIBE/CANCEL commands into those).
 */
export class Publisher extends Socket implements Writable {
  protected readonly subscriptions = new SubscriptionTrie<Pipe>();
  protected readonly subscribers: Pipe[] = [];
  private stamp = 0;
  private sending: Msg | null = null;
  private allRoom = true;
  protected invert = false;
  protected dropWhenFull = true;
  private subscriptionLimit = -1;

  constructor(options?: PublisherOptions, socketType = "PUB") {
    super(socketType);
    this.applyOptions(options);
    sealAs(this, new.target, Publisher);
  }

  override send(message: MessageLike | MessageLike[], options?: SendOptions): Promise<void> {
    return super.send(message, options);
  }

  get invertMatching(): boolean {
    void this.live;
    return this.invert;
  }
  set invertMatching(v: boolean) {
    void this.live;
    this.invert = checkBoolean(v);
  }

  /** With a subscriber full, send waits (or fails with EAGAIN) instead of dropping (ZMQ_XPUB_NODROP). */
  get noDrop(): boolean {
    void this.live;
    return !this.dropWhenFull;
  }
  set noDrop(v: boolean) {
    void this.live;
    this.dropWhenFull = !checkBoolean(v);
  }

  /**
   * The most distinct topics one subscriber may hold (-1: no limit, as libzmq). A subscriber
   * asking for more is disconnected: for services exposed to peers that cannot be trusted to
   * keep their subscriptions, and so their memory, in bounds. A wiremq option; libzmq has none.
   */
  get maxSubscriptions(): number {
    void this.live;
    return this.subscriptionLimit;
  }
  set maxSubscriptions(v: number) {
    void this.live;
    const n = checkNumber(v);
    if (!Number.isInteger(n) || n < -1) throw zmqError("EINVAL", "maxSubscriptions must be -1 (no limit) or a count");
    this.subscriptionLimit = n;
  }

  protected attach(pipe: Pipe): void {
    pipe.slot = { topics: 0, listed: new Set(), stamp: 0 } satisfies SubscriberState;
    this.subscribers.push(pipe);
  }

  protected detach(pipe: Pipe): void {
    const i = this.subscribers.indexOf(pipe);
    if (i >= 0) this.subscribers.splice(i, 1);
    this.forget(pipe);
  }

  protected override xhiccup(pipe: Pipe): void {
    // The new connection's subscriber will send its subscriptions afresh.
    this.forget(pipe);
  }

  private forget(pipe: Pipe): void {
    const state = pipe.slot as SubscriberState | undefined;
    if (state === undefined || state.topics === 0) return;
    if (state.listed !== null) {
      for (const key of state.listed) {
        const topic = Buffer.from(key, "latin1");
        if (this.subscriptions.remove(topic, pipe, true) === "last") this.topicGone(topic);
      }
      state.listed.clear();
    } else {
      this.subscriptions.removeKey(pipe, this.onTopicGone, state.topics);
    }
    state.topics = 0;
  }

  private readonly onTopicGone = (topic: Buffer): void => this.topicGone(topic);

  /** A topic lost its last subscriber (XPUB tells its user). */
  protected topicGone(_topic: Buffer): void {}

  protected override xreadable(pipe: Pipe): void {
    let msg: Msg | undefined;
    while ((msg = pipe.read()) !== undefined) this.upstream(pipe, msg);
  }

  /** A message from a subscriber: a subscription or cancel, or (XPUB) anything else. */
  protected upstream(pipe: Pipe, msg: Msg): void {
    const frame = msg[0]!;
    if (msg.length !== 1 || frame.length === 0 || frame[0]! > 1) return;
    this.applySubscription(pipe, frame[0] === 1, frame.subarray(1), frame);
  }

  /** Records a subscription of `pipe`; returns whether the topic's overall state changed. */
  protected applySubscription(pipe: Pipe, subscribe: boolean, topic: Buffer, _raw: Buffer): boolean {
    const state = pipe.slot as SubscriberState;
    if (pipe.terminated) return false;
    if (subscribe) {
      if (this.subscriptionLimit >= 0 && state.topics >= this.subscriptionLimit && !this.subscriptions.has(topic, pipe)) {
        dropPeer(pipe);
        return false;
      }
      const added = this.subscriptions.add(topic, pipe);
      if (added !== "again") {
        state.topics++;
        if (state.listed !== null) {
          if (state.topics > LISTED_TOPICS) state.listed = null;
          else state.listed.add(topic.toString("latin1"));
        }
      }
      return added === "first";
    }
    const result = this.subscriptions.remove(topic, pipe);
    if (result === "last" || result === "gone") {
      state.topics--;
      state.listed?.delete(topic.toString("latin1"));
    }
    return result === "last";
  }

  protected override xsend(msg: Msg): boolean {
    const stamp = ++this.stamp;
    this.sending = msg;
    if (!this.dropWhenFull) {
      // noDrop: all matching subscribers must have room, or the send waits.
      this.allRoom = true;
      this.forMatching(msg, stamp, this.checkRoom);
      if (!this.allRoom) {
        this.sending = null;
        return false;
      }
      this.stamp++;
    }
    this.forMatching(msg, this.stamp, this.deliverTo);
    this.sending = null;
    return true;
  }

  /** Calls `visit` once for each subscriber that gets `msg` (matching, or not with invert). */
  private forMatching(msg: Msg, stamp: number, visit: (pipe: Pipe) => void): void {
    // The trie calls back per match; state lives on the instance so no closure is made per send.
    this.matchStamp = stamp;
    this.matchVisit = this.invert ? null : visit;
    this.subscriptions.match(msg[0]!, this.onMatch);
    if (!this.invert) return;
    for (const pipe of this.subscribers) {
      if ((pipe.slot as SubscriberState).stamp !== stamp) visit(pipe);
    }
  }

  private matchStamp = 0;
  private matchVisit: ((pipe: Pipe) => void) | null = null;

  private readonly onMatch = (pipe: Pipe): void => {
    const st = pipe.slot as SubscriberState;
    if (st.stamp === this.matchStamp) return;
    st.stamp = this.matchStamp;
    this.matchVisit?.(pipe);
  };

  private readonly deliverTo = (pipe: Pipe): void => {
    if (pipe.hasRoom) pipe.write(this.sending!);
  };

  private readonly checkRoom = (pipe: Pipe): void => {
    if (!pipe.hasRoom) {
      pipe.wantWritable = true;
      this.allRoom = false;
    }
  };

  protected get canSend(): boolean {
    return true;
  }

  protected get canReceive(): boolean {
    return false;
  }
}

registerSocketClass("PUB", Publisher);

/**
 * Ends a peer: its pipe first, so that the rest of a batch already read from it is ignored and
 * nothing more is recorded for it, then its connection (an inproc peer has none).
 */
function dropPeer(pipe: Pipe): void {
  const driver = pipe.driver;
  pipe.terminate();
  driver?.destroy();
}
