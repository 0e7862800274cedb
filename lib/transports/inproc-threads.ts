import { zmqError } from "../errors.js";
import { broadcastLink, openChannel, OrderedLink, portMessaging, receiveMessageOnPort, type BroadcastChannelLike, type LinkChannel, type PortLike } from "./thread-channel.js";

export type { LinkChannel } from "./thread-channel.js";

/**
 * inproc names across worker_threads. zeromq has one context per process, so an inproc name
 * bound in one thread is reachable from every other; each thread here has its own registry
 * (lib/transports/inproc.ts), and this module joins them.
 *
 * Why BroadcastChannel: it is the only public way to reach every thread of the process without
 * the user passing anything to a worker. Every thread that uses inproc opens the registry
 * channel below; binds are announced on it and connects that no local binding took are offered
 * on it. It cannot carry a MessagePort (Node refuses transferables on a BroadcastChannel). The
 * handshake is three steps:
 *   connect {name, link, peer, tid}  the connector, on the registry
 *   accept                           a thread holding the name makes the link's channel and offers it
 *   confirm                          the connector, on that channel: both sides may now post on it
 * Where the runtime has `postMessageToThread` (Node 20.18+), the accept goes to the connector's
 * thread (`tid`) alone and carries one end of a MessageChannel: batches are then transferred,
 * and a thread's death (worker.terminate() included) closes its ports, which ends its links and
 * its names in the other threads (thread-channel.ts). Elsewhere the accept goes on the registry
 * and names a BroadcastChannel only the two ends know (a BroadcastChannel delivers only to
 * channels open when a message is posted, hence the confirm); large batches then go through
 * shared memory (lib/engine/shared-ring.ts), and a terminated thread is not noticed.
 * A connect crossing a bind in flight is sent again when the bind is announced; a connector
 * that hears two accepts (two threads bound the name at the same moment) keeps the first and
 * rejects the other, so a link never has a third end.
 *
 * What is transferred is memory the library packed messages into; the caller's buffers are
 * never detached, so `send` needs no rule about when giving one up is safe.
 *
 * Every channel is unref()ed: an idle link or a waiting connect does not keep a thread alive
 * (a pending send or receive does, through the socket's own hold on the process).
 *
 * Not detected: a worker terminated while no link to it exists goes on holding its names in the
 * threads that never linked to it, until one of them does and finds its port gone.
 */

// The version is that of the batch format a link carries (v2: frames in a SharedArrayBuffer go
// by reference, lib/engine/shared-frames.ts; v3: large plain frames go through the link's frame
// ring, lib/engine/thread-batch.ts): two copies of wiremq in one process that pack batches
// differently must not find each other's endpoints.
const REGISTRY = "wiremq:inproc:v3";

/** What each end of a link tells the other at the handshake. */
export interface PeerInfo {
  type: string;
  routingId: Uint8Array;
  sendHwm: number;
  receiveHwm: number;
}

/** A binding's answer to a connect from another thread. */
export interface Acceptance {
  info: PeerInfo;
  /** The connector confirmed: the link is up. */
  linked(channel: LinkChannel): void;
}

/** A bound name as other threads see it. */
export interface NameHolder {
  /** A connect from another thread: accept it (with this side's info) or refuse it (null). */
  offer(peer: PeerInfo): Acceptance | null;
}

/** A connect waiting for a binding in another thread. */
export interface Seeker {
  readonly info: PeerInfo;
  linked(channel: LinkChannel, peer: PeerInfo): void;
  refused(): void;
  /** The thread is exiting: what was sent so far, as one link message (null: nothing). */
  lastWords(): unknown;
}

type RegistryMessage =
  | { op: "hello" }
  | { op: "bind"; name: string; holder: string }
  | { op: "unbind"; name: string; holder: string }
  | { op: "connect"; name: string; link: string; peer: PeerInfo; final?: unknown; tid?: number }
  | { op: "accept"; link: string; chan: string; peer: PeerInfo }
  | { op: "refuse"; link: string };

/**
 * Names this copy of the module makes start with this (a thread id is not visible to every
 * runtime). Made on first use: randomUUID loads Web Crypto, which importing the package need not.
 */
let selfName: string | null = null;
function selfId(): string {
  return (selfName ??= globalThis.crypto.randomUUID());
}
let counter = 0;
function uniqueName(prefix: string): string {
  return `${prefix}:${selfId()}:${++counter}`;
}

/** The thread at the other end of a link channel, seen from `side` (the name is link:<connector>:<n>:<binder>:<m>). */
function threadOfChannel(chan: string, side: "binder" | "connector"): string {
  const parts = chan.split(":");
  return (side === "binder" ? parts[1] : parts[3])!;
}

/** An accept sent and not yet confirmed or rejected. */
interface PendingAccept {
  channel: OrderedLink;
  acceptance: Acceptance;
}

/** Marks a binder's accept with its end of a MessageChannel, sent to the connector's thread alone. */
const PORT_ACCEPT = "wiremq:inproc:accept";

interface PortAccept {
  wiremq: typeof PORT_ACCEPT;
  link: string;
  /** The binder's selfId(). */
  self: string;
  peer: PeerInfo;
  port: PortLike;
}

type ProcessEvents = { on?(event: string, fn: (...args: unknown[]) => void): unknown };

/** The part of the process-wide registry this thread (this copy of wiremq) takes part in. */
class ThreadRegistry {
  private readonly bc: BroadcastChannelLike;
  /** Names this thread holds, by the holder id announced for them. */
  private readonly held = new Map<string, { id: string; holder: NameHolder }>();
  /** Names other threads announced, with their holder ids. */
  private readonly remote = new Map<string, string>();
  /** Connects this thread sent, by link id; `name` to send them again when a bind is announced. */
  private readonly seeking = new Map<string, { name: string; seeker: Seeker }>();

  constructor() {
    this.bc = openChannel(REGISTRY);
    this.bc.onmessage = (e) => this.onMessage(e.data as RegistryMessage);
    this.post({ op: "hello" });
    this.hookExit();
    if (portMessaging !== null) {
      const proc = (globalThis as { process?: ProcessEvents }).process;
      proc?.on?.("workerMessage", (value) => {
        const v = value as Partial<PortAccept> | null;
        if (typeof v === "object" && v !== null && v.wiremq === PORT_ACCEPT) this.acceptedPort(v as PortAccept);
      });
    }
  }

  /**
   * Handles the registry messages already queued for this thread, synchronously. An announcement
   * another thread made before telling this one to act (a bind, then a message to this thread)
   * is queued before that message; reading the queue first makes a bind here see it.
   */
  private drain(): void {
    if (receiveMessageOnPort === undefined) return;
    for (let m = receiveMessageOnPort(this.bc); m !== undefined; m = receiveMessageOnPort(this.bc)) {
      this.onMessage(m.message as RegistryMessage);
    }
  }

  private post(msg: RegistryMessage): void {
    this.bc.postMessage(msg);
  }

  hold(name: string, holder: NameHolder, address: string): string {
    this.drain();
    if (this.remote.has(name)) throw zmqError("EADDRINUSE", "Address already in use", { address });
    const id = uniqueName("holder");
    this.held.set(name, { id, holder });
    this.post({ op: "bind", name, holder: id });
    return id;
  }

  release(name: string, id: string): void {
    if (this.held.get(name)?.id !== id) return;
    this.held.delete(name);
    this.post({ op: "unbind", name, holder: id });
  }

  seek(name: string, seeker: Seeker): string {
    const link = uniqueName("link");
    this.seeking.set(link, { name, seeker });
    this.post({ op: "connect", name, link, peer: seeker.info, ...this.tid() });
    return link;
  }

  cancel(link: string): void {
    this.seeking.delete(link);
  }

  boundElsewhere(name: string): boolean {
    return this.remote.has(name);
  }

  /**
   * When the thread exits, its names are released, and a connect not yet answered (connect,
   * send, return) sends what was sent on it with a last connect, which a binding takes whole,
   * without a handshake, and ends at once. A worker stopped by worker.terminate() runs no
   * exit handler: the other threads go on seeing its names bound.
   */
  private hookExit(): void {
    const proc = (globalThis as { process?: { on?(event: string, fn: () => void): unknown } }).process;
    proc?.on?.("exit", () => {
      for (const [link, s] of this.seeking) {
        const final = s.seeker.lastWords();
        if (final !== null) this.post({ op: "connect", name: s.name, link, peer: s.seeker.info, final });
      }
      this.seeking.clear();
      for (const [name, { id }] of this.held) this.post({ op: "unbind", name, holder: id });
      this.held.clear();
    });
  }

  private onMessage(msg: RegistryMessage): void {
    switch (msg.op) {
      case "hello":
        for (const [name, { id }] of this.held) this.post({ op: "bind", name, holder: id });
        return;
      case "bind":
        if (this.held.has(msg.name) && this.remote.get(msg.name) !== msg.holder) warnDoubleBind(msg.name);
        this.remote.set(msg.name, msg.holder);
        for (const [link, s] of this.seeking) {
          if (s.name === msg.name) this.post({ op: "connect", name: s.name, link, peer: s.seeker.info, ...this.tid() });
        }
        return;
      case "unbind":
        if (this.remote.get(msg.name) === msg.holder) {
          this.remote.delete(msg.name);
          unbindWatcher?.();
        }
        return;
      case "connect":
        if (msg.final !== undefined) this.takeLastWords(msg.name, msg.peer, msg.final);
        else this.offer(msg.name, msg.link, msg.peer, msg.tid);
        return;
      case "accept":
        this.accepted(msg.link, msg.chan, msg.peer);
        return;
      case "refuse": {
        const s = this.seeking.get(msg.link);
        if (s === undefined) return;
        this.seeking.delete(msg.link);
        s.seeker.refused();
        return;
      }
    }
  }

  /** Where this thread can take a MessagePort, its id goes with each connect. */
  private tid(): { tid?: number } {
    return portMessaging === null ? {} : { tid: portMessaging.threadId };
  }

  private offer(name: string, link: string, peer: PeerInfo, tid?: number): void {
    const entry = this.held.get(name);
    if (entry === undefined) return;
    const acceptance = entry.holder.offer(peer);
    if (acceptance === null) {
      this.post({ op: "refuse", link });
      return;
    }
    const connector = threadOfChannel(link, "binder");
    if (portMessaging !== null && tid !== undefined && tid !== portMessaging.threadId) {
      // The connector's thread takes a MessagePort: the link is a MessageChannel.
      const { port1, port2 } = new portMessaging.Channel();
      const channel = new OrderedLink(port1, connector, true, (gone) => this.threadGone(gone));
      this.awaitConfirm({ channel, acceptance });
      const accept: PortAccept = { wiremq: PORT_ACCEPT, link, self: selfId(), peer: acceptance.info, port: port2 };
      // Refused when that thread is gone: no connector will confirm.
      portMessaging.send(tid, accept, [port2]).catch(() => channel.onMessage?.("reject"));
      return;
    }
    const chan = uniqueName(link);
    this.awaitConfirm({ channel: broadcastLink(chan, connector), acceptance });
    this.post({ op: "accept", link, chan, peer: acceptance.info });
  }

  private awaitConfirm(pending: PendingAccept): void {
    pending.channel.onMessage = (data) => {
      pending.channel.onMessage = null;
      if (data === "confirm") pending.acceptance.linked(pending.channel);
      else pending.channel.close();
    };
  }

  /** A binder's MessagePort for a link this thread asked for. */
  private acceptedPort(accept: PortAccept): void {
    const channel = new OrderedLink(accept.port, accept.self, true, (gone) => this.threadGone(gone));
    this.confirm(accept.link, channel, accept.peer);
  }

  /**
   * A link's port says its other thread is gone (worker.terminate() included): the names that
   * thread held are gone too, here and, told through the registry, in every other thread.
   */
  private threadGone(thread: string): void {
    const prefix = `holder:${thread}:`;
    for (const [name, holder] of [...this.remote]) {
      if (!holder.startsWith(prefix)) continue;
      this.remote.delete(name);
      this.post({ op: "unbind", name, holder });
      unbindWatcher?.();
    }
  }

  private takeLastWords(name: string, peer: PeerInfo, final: unknown): void {
    const acceptance = this.held.get(name)?.holder.offer(peer);
    if (acceptance === undefined || acceptance === null) return;
    // The sender is gone: a channel that drops what this side posts, fed the messages and the end.
    const channel: LinkChannel = { onMessage: null, post: () => {}, close: () => {} };
    acceptance.linked(channel);
    channel.onMessage?.(final);
    channel.onMessage?.("end");
  }

  private accepted(link: string, chan: string, peer: PeerInfo): void {
    // Every thread hears every accept; only the one that made the link answers it.
    if (!link.startsWith(`link:${selfId()}:`)) return;
    this.confirm(link, broadcastLink(chan, threadOfChannel(chan, "connector")), peer);
  }

  private confirm(link: string, channel: OrderedLink, peer: PeerInfo): void {
    const s = this.seeking.get(link);
    if (s === undefined) {
      // Already linked (or withdrawn): the other acceptor closes its end.
      channel.post("reject");
      channel.close();
      return;
    }
    this.seeking.delete(link);
    channel.post("confirm");
    s.seeker.linked(channel, peer);
  }
}

/**
 * Two threads bound one name at the same moment, neither having heard of the other: both
 * bindings stand (a connect from a third thread reaches whichever accepts first). The program
 * has a bug that zeromq would have reported with EADDRINUSE; say so.
 */
function warnDoubleBind(name: string): void {
  const proc = (globalThis as { process?: { emitWarning?(msg: string, opts: { code: string }): void } }).process;
  proc?.emitWarning?.(`inproc://${name} is bound in two threads at once`, { code: "WIREMQ_INPROC_EADDRINUSE" });
}

let registry: ThreadRegistry | null = null;
let unbindWatcher: (() => void) | null = null;

function shared(): ThreadRegistry {
  return (registry ??= new ThreadRegistry());
}

/**
 * Announces a bound name to the other threads. Throws EADDRINUSE when another thread's binding
 * of the name has been announced here. Two threads binding one name at the same moment both
 * succeed (neither has heard of the other yet); a connect then reaches whichever accepts first.
 */
export function holdAcrossThreads(name: string, holder: NameHolder, address: string): string {
  return shared().hold(name, holder, address);
}

export function releaseAcrossThreads(name: string, id: string): void {
  registry?.release(name, id);
}

/** Offers a connect to the other threads; returns the link id to cancel it with. */
export function seekAcrossThreads(name: string, seeker: Seeker): string {
  return shared().seek(name, seeker);
}

export function cancelSeek(link: string): void {
  registry?.cancel(link);
}

/** Whether another thread's binding of the name has been announced here. */
export function isBoundElsewhere(name: string): boolean {
  return registry?.boundElsewhere(name) ?? false;
}

/** Calls `fn` when a binding in another thread goes (a connect waiting on it will not be answered by it). */
export function watchRemoteUnbinds(fn: () => void): void {
  unbindWatcher = fn;
}
