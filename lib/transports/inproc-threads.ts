import { zmqError } from "../errors.js";

/**
 * inproc names across worker_threads. zeromq has one context per process, so an inproc name
 * bound in one thread is reachable from every other; each thread here has its own registry
 * (lib/transports/inproc.ts), and this module joins them.
 *
 * Why BroadcastChannel: it is the only public way to reach every thread of the process without
 * the user passing anything to a worker. Every thread that uses inproc opens the registry
 * channel below; binds are announced on it and connects that no local binding took are offered
 * on it. It cannot carry a MessagePort (Node refuses transferables on a BroadcastChannel), so a
 * link between two threads is itself a BroadcastChannel with a name only its two ends know. The
 * handshake is three steps, because a BroadcastChannel delivers only to channels open when
 * a message is posted:
 *   connect {name, link, peer}   the connector, on the registry (its link is not open yet)
 *   accept  {link, chan, peer}   a thread holding the name opened `chan` and offers it
 *   confirm                      the connector opened `chan` too: both sides may now post on it
 * A connect crossing a bind in flight is sent again when the bind is announced; a connector
 * that hears two accepts (two threads bound the name at the same moment) keeps the first and
 * rejects the other, so a link never has a third end.
 *
 * No ArrayBuffer is transferred: transfer needs a MessagePort, which no public API lets two
 * arbitrary threads share. Large batches go through shared memory instead (one copy on each
 * side, lib/engine/shared-ring.ts), small ones by value; the caller's buffers are never
 * detached, so `send` needs no rule about when giving one up is safe.
 *
 * Every channel is unref()ed: an idle link or a waiting connect does not keep a thread alive
 * (a pending send or receive does, through the socket's own hold on the process).
 *
 * Not detected: a worker stopped by worker.terminate() runs no exit handler, so its peers do not
 * see its pipes end and other threads go on seeing its names bound (no public API reports a
 * thread's death to another; a heartbeat would end links to a thread that is merely busy).
 */

const REGISTRY = "wiremq:inproc:v1";

/** What each end of a link tells the other at the handshake. */
export interface PeerInfo {
  type: string;
  routingId: Uint8Array;
  sendHwm: number;
  receiveHwm: number;
}

/** One end of a link between two threads. */
export interface LinkChannel {
  /** The thread at the other end. */
  readonly peer?: string;
  post(data: unknown): void;
  /** Receives what the other end posts, in order. */
  onMessage: ((data: unknown) => void) | null;
  close(): void;
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
  | { op: "connect"; name: string; link: string; peer: PeerInfo; final?: unknown }
  | { op: "accept"; link: string; chan: string; peer: PeerInfo }
  | { op: "refuse"; link: string };

interface BroadcastChannelLike {
  postMessage(data: unknown): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  close(): void;
  unref?(): void;
}

type BroadcastChannelCtor = new (name: string) => BroadcastChannelLike;

function channelClass(): BroadcastChannelCtor {
  const ctor = (globalThis as unknown as { BroadcastChannel?: BroadcastChannelCtor }).BroadcastChannel;
  if (ctor === undefined) throw zmqError("EPROTONOSUPPORT", "inproc across threads needs BroadcastChannel, which this runtime lacks");
  return ctor;
}

function openChannel(name: string): BroadcastChannelLike {
  const bc = new (channelClass())(name);
  bc.unref?.();
  return bc;
}

/** Names this copy of the module makes start with this (a thread id is not visible to every runtime). */
const SELF = globalThis.crypto.randomUUID();
let counter = 0;
function uniqueName(prefix: string): string {
  return `${prefix}:${SELF}:${++counter}`;
}

/** Every post of this thread on a link, numbered: the peer reads what one thread posted in this order. */
let posts = 0;
/** Open links by the thread at their other end. */
const linksTo = new Map<string, Set<BroadcastLink>>();

/**
 * A link's BroadcastChannel as one end sees it. Each link has a channel of its own, and a
 * thread reads its channels in no set order: a message posted on one may be read before one
 * posted earlier on another (measured: a PUB's thread read a worker's "ready" before the
 * subscription the worker had posted first). So each post carries the thread's post number,
 * and a message read from a thread first takes in everything that thread has posted to this
 * one so far, from all its links, and hands it over by number.
 */
class BroadcastLink implements LinkChannel {
  onMessage: ((data: unknown) => void) | null = null;
  readonly bc: BroadcastChannelLike;
  private readonly peers: Set<BroadcastLink>;

  /** `peer`: the other end's thread (the SELF of its copy of this module). */
  constructor(name: string, readonly peer: string) {
    this.bc = openChannel(name);
    this.bc.onmessage = (e) => takeInOrder(this, e.data as Post);
    let peers = linksTo.get(peer);
    if (peers === undefined) linksTo.set(peer, (peers = new Set()));
    this.peers = peers;
    peers.add(this);
  }

  post(data: unknown): void {
    this.bc.postMessage([++posts, data] satisfies Post);
  }

  close(): void {
    this.onMessage = null;
    this.bc.onmessage = null;
    this.bc.close();
    this.peers.delete(this);
    if (this.peers.size === 0 && linksTo.get(this.peer) === this.peers) linksTo.delete(this.peer);
  }
}

/** A post on a link: the sending thread's post number, and what it carries. */
type Post = [number, unknown];

interface Arrival {
  link: BroadcastLink;
  post: Post;
}

function takeInOrder(link: BroadcastLink, post: Post): void {
  const peers = linksTo.get(link.peer);
  if (receiveMessageOnPort === undefined || peers === undefined || peers.size === 1) {
    link.onMessage?.(post[1]);
    return;
  }
  // Everything that thread posted to this one before `post` is queued on one of these by now
  // (a post is queued at the receiver when postMessage returns).
  const arrivals: Arrival[] = [{ link, post }];
  for (const other of peers) {
    for (let m = receiveMessageOnPort(other.bc); m !== undefined; m = receiveMessageOnPort(other.bc)) {
      arrivals.push({ link: other, post: m.message as Post });
    }
  }
  if (arrivals.length > 1) arrivals.sort((a, b) => a.post[0] - b.post[0]);
  for (const a of arrivals) a.link.onMessage?.(a.post[1]);
}

/** The thread at the other end of a link channel, seen from `side` (the name is link:<connector>:<n>:<binder>:<m>). */
function threadOfChannel(chan: string, side: "binder" | "connector"): string {
  const parts = chan.split(":");
  return (side === "binder" ? parts[1] : parts[3])!;
}

/** An accept sent and not yet confirmed or rejected. */
interface PendingAccept {
  channel: BroadcastLink;
  acceptance: Acceptance;
}

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
    this.post({ op: "connect", name, link, peer: seeker.info });
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
          if (s.name === msg.name) this.post({ op: "connect", name: s.name, link, peer: s.seeker.info });
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
        else this.offer(msg.name, msg.link, msg.peer);
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

  private offer(name: string, link: string, peer: PeerInfo): void {
    const entry = this.held.get(name);
    if (entry === undefined) return;
    const acceptance = entry.holder.offer(peer);
    if (acceptance === null) {
      this.post({ op: "refuse", link });
      return;
    }
    const chan = uniqueName(link);
    const pending: PendingAccept = { channel: new BroadcastLink(chan, threadOfChannel(chan, "binder")), acceptance };
    pending.channel.onMessage = (data) => {
      pending.channel.onMessage = null;
      if (data === "confirm") pending.acceptance.linked(pending.channel);
      else pending.channel.close();
    };
    this.post({ op: "accept", link, chan, peer: acceptance.info });
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
    if (!link.startsWith(`link:${SELF}:`)) return;
    const channel = new BroadcastLink(chan, threadOfChannel(chan, "connector"));
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

type ReceiveNow = (port: unknown) => { message: unknown } | undefined;

const builtinReceive = (
  (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process?.getBuiltinModule?.("node:worker_threads") as
    | { receiveMessageOnPort?: ReceiveNow }
    | undefined
)?.receiveMessageOnPort;

/**
 * Node's synchronous read of a channel's queue (a BroadcastChannel is accepted), where there is
 * one. Deno's node:worker_threads has the function but takes only a MessagePort: its TypeError
 * says so, and from then on channels are read through their events alone, as on runtimes
 * without the module.
 */
let receiveMessageOnPort: ReceiveNow | undefined =
  builtinReceive === undefined
    ? undefined
    : (port) => {
        try {
          return builtinReceive(port);
        } catch (err) {
          if (!(err instanceof TypeError)) throw err;
          receiveMessageOnPort = undefined;
          return undefined;
        }
      };

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
