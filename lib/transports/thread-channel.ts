import { zmqError } from "../errors.js";
import { nodeBuiltin } from "../util/builtin.js";

/**
 * The channels that carry inproc links between threads (inproc-threads.ts sets links up), and
 * the order in which a thread reads what another thread posted on several of them.
 *
 * Two kinds of channel. Where the runtime can hand a MessagePort to any thread of the process
 * (Node's `postMessageToThread`, since 20.18/22.5), a link is a MessageChannel: a batch the
 * library packed is transferred, not copied, and the port reports its other end's thread
 * going away, `worker.terminate()` included. Elsewhere a link is a BroadcastChannel with a
 * name only its two ends know: batches are copied, and a terminated thread is not noticed.
 */

/** One end of a link between two threads. */
export interface LinkChannel {
  /** The thread at the other end. */
  readonly peer?: string;
  /** Whether `post` moves the ArrayBuffers it is given (a MessagePort) instead of copying them. */
  readonly transfers?: boolean;
  /** `transfer`: ArrayBuffers the library owns and gives up (moved where the channel can). */
  post(data: unknown, transfer?: ArrayBuffer[]): void;
  /** Receives what the other end posts, in order. */
  onMessage: ((data: unknown) => void) | null;
  close(): void;
}

export interface BroadcastChannelLike {
  postMessage(data: unknown): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  close(): void;
  unref?(): void;
}

/** What a link needs of Node's MessagePort. */
export interface PortLike {
  postMessage(data: unknown, transfer?: readonly unknown[]): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  close(): void;
  unref?(): void;
  once(event: "close", fn: () => void): unknown;
}

type BroadcastChannelCtor = new (name: string) => BroadcastChannelLike;

function channelClass(): BroadcastChannelCtor {
  const ctor = (globalThis as unknown as { BroadcastChannel?: BroadcastChannelCtor }).BroadcastChannel;
  if (ctor === undefined) throw zmqError("EPROTONOSUPPORT", "inproc across threads needs BroadcastChannel, which this runtime lacks");
  return ctor;
}

export function openChannel(name: string): BroadcastChannelLike {
  const bc = new (channelClass())(name);
  bc.unref?.();
  return bc;
}

interface WorkerThreads {
  threadId?: number;
  MessagePort?: { prototype: { once?: unknown } };
  receiveMessageOnPort?: ReceiveNow;
  postMessageToThread?: (threadId: number, value: unknown, transfer?: readonly unknown[]) => Promise<void>;
  MessageChannel?: new () => { port1: PortLike; port2: PortLike };
}

const workerThreads = nodeBuiltin<WorkerThreads>("node:worker_threads");

/**
 * How this thread hands a MessagePort to another: null where the runtime cannot (then links
 * are BroadcastChannels). Node before 20.18 lacks postMessageToThread; Deno has it, but its
 * ports have no 'close' event to tell a thread's death by (no `once`), so it keeps the
 * BroadcastChannel links it was tested with.
 */
export const portMessaging =
  workerThreads?.postMessageToThread !== undefined &&
  workerThreads.MessageChannel !== undefined &&
  typeof workerThreads.MessagePort?.prototype.once === "function" &&
  typeof workerThreads.threadId === "number"
    ? { threadId: workerThreads.threadId, send: workerThreads.postMessageToThread, Channel: workerThreads.MessageChannel }
    : null;

type ReceiveNow = (port: unknown) => { message: unknown } | undefined;

const builtinReceive = workerThreads?.receiveMessageOnPort;

/**
 * Node's synchronous read of a channel's queue (a BroadcastChannel is accepted), where there is
 * one. Deno's node:worker_threads has the function but takes only a MessagePort: its TypeError
 * says so, and from then on channels are read through their events alone, as on runtimes
 * without the module.
 */
export let receiveMessageOnPort: ReceiveNow | undefined =
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

/** Every post of this thread on a link, numbered: the peer reads what one thread posted in this order. */
let posts = 0;
/** Open links by the thread at their other end. */
const linksTo = new Map<string, Set<OrderedLink>>();

/**
 * A link's channel as one end sees it. Each link has a channel of its own, and a thread reads
 * its channels in no set order: a message posted on one may be read before one posted earlier
 * on another (measured: a PUB's thread read a worker's "ready" before the subscription the
 * worker had posted first). So each post carries the thread's post number, and a message read
 * from a thread first takes in everything that thread has posted to this one so far, from all
 * its links, and hands it over by number.
 */
export class OrderedLink implements LinkChannel {
  onMessage: ((data: unknown) => void) | null = null;
  private readonly peers: Set<OrderedLink>;
  private closed = false;
  /** This end posted the link's last message (its end, or a refusal). */
  private ending = false;

  /**
   * `peer`: the other end's thread (the SELF of its copy of inproc-threads.ts). `gone` runs when
   * a port's other end closes without ending the link first (its thread was terminated).
   */
  constructor(
    readonly channel: BroadcastChannelLike | PortLike,
    readonly peer: string,
    readonly transfers: boolean,
    gone?: (peer: string) => void,
  ) {
    channel.onmessage = (e) => takeInOrder(this, e.data as Post);
    // After onmessage: a MessagePort given a message listener holds the thread alive.
    channel.unref?.();
    let peers = linksTo.get(peer);
    if (peers === undefined) linksTo.set(peer, (peers = new Set()));
    this.peers = peers;
    peers.add(this);
    if (transfers) {
      (channel as PortLike).once("close", () => {
        if (this.closed) {
          channel.close();
          return;
        }
        // The other end closed without ending the link: its thread is gone (terminate() too).
        // Nothing is read from the port now (receiveMessageOnPort on a closed port crashes
        // Node 20), and nothing more arrives on it.
        const deliver = this.onMessage;
        this.close();
        deliver?.("end");
        gone?.(peer);
      });
    }
  }

  post(data: unknown, transfer?: ArrayBuffer[]): void {
    if (data === "end" || data === "reject") this.ending = true;
    const post: Post = [++posts, data];
    if (this.transfers && transfer !== undefined) (this.channel as PortLike).postMessage(post, transfer);
    else this.channel.postMessage(post);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onMessage = null;
    this.channel.onmessage = null;
    // A port closed right after a post may lose it at the other end (measured: 100 messages
    // posted, then close(), and none read). The end that ended the link leaves the port to the
    // other, which closes it once it has read the end.
    if (!(this.transfers && this.ending)) this.channel.close();
    this.peers.delete(this);
    if (this.peers.size === 0 && linksTo.get(this.peer) === this.peers) linksTo.delete(this.peer);
  }
}

/** A link over a BroadcastChannel of its own name. */
export function broadcastLink(name: string, peer: string): OrderedLink {
  return new OrderedLink(openChannel(name), peer, false);
}

/** A post on a link: the sending thread's post number, and what it carries. */
type Post = [number, unknown];

interface Arrival {
  link: OrderedLink;
  post: Post;
}

function takeInOrder(link: OrderedLink, post: Post): void {
  const peers = linksTo.get(link.peer);
  if (receiveMessageOnPort === undefined || peers === undefined || peers.size === 1) {
    link.onMessage?.(post[1]);
    return;
  }
  // Everything that thread posted to this one before `post` is queued on one of these by now
  // (a post is queued at the receiver when postMessage returns).
  const arrivals: Arrival[] = [{ link, post }];
  for (const other of peers) {
    for (let m = receiveMessageOnPort(other.channel); m !== undefined; m = receiveMessageOnPort(other.channel)) {
      arrivals.push({ link: other, post: m.message as Post });
    }
  }
  if (arrivals.length > 1) arrivals.sort((a, b) => a.post[0] - b.post[0]);
  for (const a of arrivals) a.link.onMessage?.(a.post[1]);
}
