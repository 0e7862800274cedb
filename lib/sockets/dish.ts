import type { Msg, Pipe } from "../engine/pipe.js";
import { groupCommand } from "../engine/group-command.js";
import { messages, zmqError } from "../errors.js";
import { GROUP_MAX_LENGTH } from "../wire/command.js";
import { groupKey, memberGroup, type GroupLike } from "./group.js";
import { FairQueue } from "./routing/fair-queue.js";
import { Socket, type ConnectOptions } from "./socket.js";
import { incompatibleProtocol, isUdpAddress, udpEndpoints } from "./udp-registry.js";
import type { SocketOptionsInit } from "./socket-options.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

/** The options a DISH socket takes in its constructor (zeromq's names). */
export type DishOptions = Omit<SocketOptionsInit, "sendHighWaterMark" | "sendTimeout">;

/** The group a DISH message was sent to. */
export interface DishGroupOptions {
  group: Buffer;
}

/**
 * DISH (48/RADIO-DISH, draft): receives what RADIOs send to the groups it joined, as
 * `[message, { group }]`. `join`/`leave` send JOIN/LEAVE commands to every RADIO, and a RADIO
 * it (re)connects to gets all its groups again. Joining a group twice, or leaving one not
 * joined, is EINVAL. Its linger is 0, as libzmq sets it. Over udp:// (bind only) it takes
 * every RADIO datagram that reaches the port and keeps those of its groups.
 */
export class Dish extends Socket {
  private readonly fq = new FairQueue();
  private readonly joined = new Map<string, Buffer>();
  private readonly radios: Pipe[] = [];
  private readonly udp = udpEndpoints((endpoint) => this.openOwnPipe(endpoint));

  constructor(options?: DishOptions) {
    super("DISH");
    this.opts.linger = this.lingerDefault();
    this.applyOptions(options);
    sealAs(this, new.target, Dish);
  }

  /** Every message until the socket closes, as receive() gives them (see lib/draft.ts for the type). */
  [Symbol.asyncIterator](): AsyncIterator<Msg, undefined> {
    return this.messages();
  }

  // Not async: what the base class throws at the call (EBADF, EBUSY, EINVAL) stays thrown.
  override bind(address: string): Promise<void> {
    if (!isUdpAddress(address) || this.closed) {
      return super.bind(address).then(() => {
        this.udp.lastBound = null;
      });
    }
    return this.udp.bind(address, { kind: "dish" });
  }

  override connect(address: string, options?: ConnectOptions): void {
    if (isUdpAddress(address) && !this.closed) throw incompatibleProtocol(address);
    super.connect(address, options);
  }

  override get lastEndpoint(): string | null {
    return this.udp.lastBound ?? super.lastEndpoint;
  }

  override close(): Promise<void> {
    this.udp.close();
    return super.close();
  }

  /** 0 whatever the context, as libzmq sets it (a context in the options must not undo it). */
  protected override lingerDefault(): number {
    return 0;
  }

  join(...groups: GroupLike[]): void {
    for (const value of groups) {
      const group = this.checkedGroup(value);
      const key = groupKey(group);
      if (this.joined.has(key)) throw zmqError("EINVAL", "Invalid argument");
      // Copied: the caller may change the buffer it gave.
      const own = Buffer.from(group);
      this.joined.set(key, own);
      for (const pipe of this.radios) pipe.write(groupCommand("JOIN", own));
    }
  }

  leave(...groups: GroupLike[]): void {
    for (const value of groups) {
      const group = this.checkedGroup(value);
      const key = groupKey(group);
      const own = this.joined.get(key);
      if (own === undefined) throw zmqError("EINVAL", "Invalid argument");
      this.joined.delete(key);
      for (const pipe of this.radios) pipe.write(groupCommand("LEAVE", own));
    }
  }

  /** zeromq checks, per group, that the socket is open and then the value. */
  private checkedGroup(value: unknown): Buffer {
    if (this.closed) throw zmqError("EBADF", messages.EBADF);
    return memberGroup(value);
  }

  protected attach(pipe: Pipe): void {
    this.radios.push(pipe);
    this.sendJoins(pipe);
  }

  protected detach(pipe: Pipe): void {
    const i = this.radios.indexOf(pipe);
    if (i >= 0) this.radios.splice(i, 1);
    this.fq.remove(pipe);
  }

  protected override xhiccup(pipe: Pipe): void {
    // What was queued for the lost connection is stale; the new peer gets every group.
    pipe.out.clear();
    this.sendJoins(pipe);
  }

  private sendJoins(pipe: Pipe): void {
    for (const group of this.joined.values()) pipe.write(groupCommand("JOIN", group));
  }

  protected override xreadable(pipe: Pipe): void {
    this.fq.activate(pipe);
  }

  protected override xrecv(): Msg | undefined {
    for (;;) {
      const msg = this.fq.recv();
      if (msg === undefined) return undefined;
      // A message is [group, body]; anything else is malformed and dropped whole. A group
      // left while the message was on its way is filtered out here.
      if (msg.length !== 2 || msg[0]!.length > GROUP_MAX_LENGTH || !this.joined.has(groupKey(msg[0]!))) continue;
      const routing: DishGroupOptions = { group: msg[0]! };
      // The public type of receive() is zeromq's [message, { group }] (see lib/draft.ts).
      return [msg[1], routing] as unknown as Msg;
    }
  }

  /** As libzmq: joins and leaves can always be sent, so a DISH reports writable. */
  protected get canSend(): boolean {
    return true;
  }

  protected get canReceive(): boolean {
    return this.fq.hasMessages;
  }
}

registerSocketClass("DISH", Dish);
