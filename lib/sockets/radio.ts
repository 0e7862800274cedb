import type { Msg, Pipe } from "../engine/pipe.js";
import { groupCommandOf } from "../engine/group-command.js";
import type { MessageLike } from "./message.js";
import { checkRoutedSend, requireOption } from "./draft-send.js";
import { groupKey, messageGroup, type GroupLike } from "./group.js";
import { refuseMultipart } from "./single-part.js";
import { Socket, type ConnectOptions, type SendOptions } from "./socket.js";
import { incompatibleProtocol, isUdpAddress, udpEndpoints } from "./udp-registry.js";
import type { SocketOptionsInit } from "./socket-options.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

/** The options a RADIO socket takes in its constructor (zeromq's names). */
export type RadioOptions = Omit<SocketOptionsInit, "receiveHighWaterMark" | "receiveTimeout">;

/** The group a RADIO message goes to. */
export interface RadioGroupOptions {
  group: GroupLike;
}

/**
 * RADIO (48/RADIO-DISH, draft): `send(message, { group })` goes to every DISH that joined
 * exactly that group, as two frames on the wire: the group (MORE), then the message. A peer
 * without room misses the message; send never waits. Groups are learnt from the JOIN and
 * LEAVE commands each DISH sends. Over udp:// (connect only) every message goes to the
 * address as one datagram, whatever its group: the DISH there filters.
 */
export class Radio extends Socket {
  /** Per group, the peers that joined it and how many times (libzmq keeps a multimap). */
  private readonly groups = new Map<string, Map<Pipe, number>>();
  /** udp:// pipes take every group. */
  private readonly udpPipes = new Set<Pipe>();
  private readonly udp = udpEndpoints((endpoint) => {
    const pipe = this.openOwnPipe(endpoint);
    this.udpPipes.add(pipe);
    return pipe;
  });

  constructor(options?: RadioOptions) {
    super("RADIO", options);
    sealAs(this, new.target, Radio);
  }

  override send(message: MessageLike | MessageLike[], options?: SendOptions & Partial<RadioGroupOptions>): Promise<void> {
    checkRoutedSend(message, options);
    if (this.closed) return super.send(message, options);
    const group = messageGroup(requireOption(options.group));
    // The group rides ahead of the message as a frame of its own, as it travels on the wire.
    return super.send(Array.isArray(message) ? [group, ...message] : [group, message], options);
  }

  /** libzmq refuses a RADIO's udp:// bind when it gets to it: a rejection, not a throw. */
  override bind(address: string): Promise<void> {
    if (isUdpAddress(address) && !this.closed) return Promise.reject(incompatibleProtocol(address));
    return super.bind(address);
  }

  override connect(address: string, options?: ConnectOptions): void {
    if (!isUdpAddress(address) || this.closed) return super.connect(address, options);
    this.udp.connect(address);
  }

  override close(): Promise<void> {
    this.udp.close();
    return super.close();
  }

  protected attach(_pipe: Pipe): void {}

  protected detach(pipe: Pipe): void {
    this.udpPipes.delete(pipe);
    for (const [key, members] of this.groups) {
      if (members.delete(pipe) && members.size === 0) this.groups.delete(key);
    }
  }

  /** What a DISH sends is its joins and leaves; anything else is dropped. */
  protected override xreadable(pipe: Pipe): void {
    for (let msg = pipe.read(); msg !== undefined; msg = pipe.read()) {
      const command = groupCommandOf(msg);
      if (command === "JOIN") this.join(groupKey(msg[0]!), pipe);
      else if (command === "LEAVE") this.leave(groupKey(msg[0]!), pipe);
    }
  }

  private join(key: string, pipe: Pipe): void {
    let members = this.groups.get(key);
    if (members === undefined) this.groups.set(key, (members = new Map()));
    members.set(pipe, (members.get(pipe) ?? 0) + 1);
  }

  private leave(key: string, pipe: Pipe): void {
    const members = this.groups.get(key);
    const count = members?.get(pipe);
    if (members === undefined || count === undefined) return;
    if (count > 1) members.set(pipe, count - 1);
    else if (members.delete(pipe) && members.size === 0) this.groups.delete(key);
  }

  protected override xsend(msg: Msg): boolean {
    refuseMultipart(msg.length - 1);
    if (msg.length < 2) return true;
    const group = msg[0]!;
    const body = msg[1]!;
    const members = this.groups.get(groupKey(group));
    if (members !== undefined) {
      for (const pipe of members.keys()) {
        if (pipe.hasRoom) pipe.write([group, body]);
      }
    }
    for (const pipe of this.udpPipes) {
      if (pipe.hasRoom) pipe.write([group, body]);
    }
    return true;
  }

  protected get canSend(): boolean {
    return true;
  }

  protected get canReceive(): boolean {
    return false;
  }
}

registerSocketClass("RADIO", Radio);
