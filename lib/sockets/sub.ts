import type { Msg } from "../engine/pipe.js";
import { WiremqTypeError, zmqError } from "../errors.js";
import { toFrames, type MessageLike } from "./message.js";
import { SubscriptionSocket, subscription, type XSubscriberOptions } from "./xsub.js";
import type { Message, Readable } from "./readable-writable.js";
import type { ReceiveOptions } from "./socket.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

export type SubscriberOptions = XSubscriberOptions & { invertMatching?: boolean };

/**
 * SUB: receives the messages whose frame 0 starts with one of its subscribed prefixes.
 * `subscribe()` with no argument subscribes to everything.
 */
export class Subscriber extends SubscriptionSocket implements Readable {
  private invert = false;

  constructor(options?: SubscriberOptions) {
    super(undefined, "SUB");
    this.applyOptions(options);
    sealAs(this, new.target, Subscriber);
  }

  override receive(options?: ReceiveOptions): Promise<Message[]> {
    return super.receive(options);
  }

  [Symbol.asyncIterator](): AsyncIterator<Message[], undefined> {
    return this.messages();
  }

  get invertMatching(): boolean {
    void this.live;
    return this.invert;
  }
  set invertMatching(v: boolean) {
    void this.live;
    if (typeof v !== "boolean") throw new WiremqTypeError("EINVAL", "Option value must be a boolean");
    this.invert = v;
  }

  subscribe(...prefixes: MessageLike[]): void {
    void this.live; // ENOTSOCK once closed, as zeromq's setsockopt
    for (const topic of topicsOf(prefixes)) {
      if (this.filter.add(topic, true) === "first") this.toAll([subscription(1, topic)]);
    }
  }

  unsubscribe(...prefixes: MessageLike[]): void {
    void this.live;
    for (const topic of topicsOf(prefixes)) {
      if (this.filter.remove(topic, true) === "last") this.toAll([subscription(0, topic)]);
    }
  }

  protected override xsend(_msg: Msg): boolean {
    throw zmqError("ENOTSUP", "Operation not supported");
  }

  protected override xrecv(): Msg | undefined {
    // Publishers filter too, but a message may already be in flight when a filter changes.
    for (;;) {
      const msg = this.fq.recv();
      if (msg === undefined) return undefined;
      if (this.filter.matches(msg[0]!) !== this.invert) return msg;
    }
  }

  protected override get canSend(): boolean {
    return false;
  }
}

function topicsOf(prefixes: MessageLike[]): Buffer[] {
  return prefixes.length === 0 ? [Buffer.alloc(0)] : toFrames(prefixes);
}

registerSocketClass("SUB", Subscriber);
