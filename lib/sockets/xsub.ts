import type { Msg, Pipe } from "../engine/pipe.js";
import { FairQueue } from "./routing/fair-queue.js";
import { SubscriptionTrie } from "./routing/subscription-trie.js";
import type { MessageLike } from "./message.js";
import type { Message, Readable, Writable } from "./readable-writable.js";
import { Socket, type SendOptions, ReceiveOptions } from "./socket.js";
import type { SocketOptionsInit } from "./socket-options.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

export type XSubscriberOptions = SocketOptionsInit;

const SELF = true;

/**
 * What XSUB and SUB share (SUB cannot send, so it is no XSUB).
 * XSUB: receives everything its publishers send (fair-queued, unfiltered) and sends
 * subscriptions upstream as `01`/`00` + topic messages to every publisher. It remembers its
 * subscriptions and sends them again to a publisher it (re)connects to.
 */
export class SubscriptionSocket extends Socket {
  protected readonly fq = new FairQueue();
  protected readonly filter = new SubscriptionTrie<true>();
  protected readonly publishers: Pipe[] = [];

  constructor(options: XSubscriberOptions | undefined, socketType: string) {
    super(socketType);
    this.opts.linger = this.lingerDefault();
    this.applyOptions(options);
  }

  /** libzmq gives (X)SUB linger 0 whatever the context: its queue holds only subscriptions. */
  protected override lingerDefault(): number {
    return 0;
  }

  protected attach(pipe: Pipe): void {
    this.publishers.push(pipe);
    this.sendAllSubscriptions(pipe);
  }

  protected detach(pipe: Pipe): void {
    const i = this.publishers.indexOf(pipe);
    if (i >= 0) this.publishers.splice(i, 1);
    this.fq.remove(pipe);
  }

  protected override xhiccup(pipe: Pipe): void {
    // Whatever was queued for the lost connection is stale; the new peer gets the full set.
    pipe.out.clear();
    this.sendAllSubscriptions(pipe);
  }

  private sendAllSubscriptions(pipe: Pipe): void {
    for (const topic of this.filter.topics()) pipe.write([subscription(1, topic)]);
  }

  protected override xreadable(pipe: Pipe): void {
    this.fq.activate(pipe);
  }

  protected override xrecv(): Msg | undefined {
    return this.fq.recv();
  }

  protected override xsend(msg: Msg): boolean {
    const frame = msg[0]!;
    if (msg.length === 1 && frame.length > 0 && frame[0]! <= 1) {
      const topic = frame.subarray(1);
      if (frame[0] === 1) {
        this.filter.add(topic, SELF);
        this.toAll(msg);
      } else if (this.filter.remove(topic, SELF) === "last") {
        this.toAll(msg);
      }
      return true;
    }
    this.toAll(msg);
    return true;
  }

  /** Subscriptions are never dropped for HWM: a lost subscribe would silently starve us. */
  protected toAll(msg: Msg): void {
    for (const pipe of this.publishers) pipe.write(msg);
  }

  protected get canSend(): boolean {
    return true;
  }

  protected get canReceive(): boolean {
    return this.fq.hasMessages;
  }
}

export function subscription(kind: 0 | 1, topic: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(topic.length + 1);
  out[0] = kind;
  out.set(topic, 1);
  return out;
}

/** XSUB: a SUB whose subscriptions are messages it sends, so a proxy can forward them. */
export class XSubscriber extends SubscriptionSocket implements Readable, Writable {
  constructor(options?: XSubscriberOptions) {
    super(options, "XSUB");
    sealAs(this, new.target, XSubscriber);
  }

  override send(message: MessageLike | MessageLike[], options?: SendOptions): Promise<void> {
    return super.send(message, options);
  }

  override receive(options?: ReceiveOptions): Promise<Message[]> {
    return super.receive(options);
  }

  [Symbol.asyncIterator](): AsyncIterator<Message[], undefined> {
    return this.messages();
  }
}
registerSocketClass("XSUB", XSubscriber);
