import { InprocRegistry, type InprocBinder } from "../transports/inproc.js";
import {
  cancelSeek,
  holdAcrossThreads,
  isBoundElsewhere,
  releaseAcrossThreads,
  seekAcrossThreads,
  watchRemoteUnbinds,
  type Acceptance,
  type PeerInfo,
} from "../transports/inproc-threads.js";
import { Pipe, pipePair, type PipeOwner } from "../engine/pipe.js";
import { packAll } from "../engine/thread-batch.js";
import { ThreadLink } from "../engine/thread-link.js";
import { awaitLink, forget, scheduleOutbox } from "../engine/thread-outbox.js";
import { isCompatible } from "../engine/socket-types.js";
import type { PeerOwner } from "./peer-owner.js";

/** A peer connecting over inproc: the pipe end the binder takes, and who is on the other side. */
export interface InprocPeer {
  pipe: Pipe;
  type: string;
  routingId: Buffer;
  onRefused(): void;
  /** The binder took the link: the connector's end learns who is on the other side. */
  onAccepted(type: string, routingId: Buffer): void;
}

/** The connect side of an inproc link, which connectInproc fills in. */
export interface InprocConnectSide {
  readonly address: string;
  /** ROUTER: the routing id given to this peer by connect(address, { routingId }). */
  readonly routingId: Buffer | null;
  pipe: Pipe | null;
  peer: InprocPeer | null;
}

const inproc = new InprocRegistry<InprocPeer>();
/** Bindings announced to other threads, with their holder ids. */
const held = new Map<InprocBinder<InprocPeer>, string>();
/** A connect offered to other threads. */
interface Seeking {
  link: string;
  name: string;
  /** The connector's pipe. */
  mine: Pipe;
  /** Its socket closed with messages queued: the connect goes on for them (keepSeekAfterClose). */
  detached: boolean;
  /** Called once the connect is answered or withdrawn. */
  settled: (() => void) | null;
}

const seeking = new Map<InprocPeer, Seeking>();
watchRemoteUnbinds(scheduleOutbox);

export function isInprocBound(name: string): boolean {
  return inproc.isBound(name);
}

/**
 * A pipe to the socket bound at `name` in this thread, for a peer that is no socket (a ZAP
 * request): it announces `type` and no routing id, and `owner` hears of its end. Null when the
 * name is not bound; a binder that refuses the peer ends the pipe at once.
 */
export function pipeToBound(name: string, type: string, owner: PipeOwner): Pipe | null {
  if (!inproc.isBound(name)) return null;
  const [mine, theirs] = pipePair([0, 0], [0, 0]);
  mine.owner = owner;
  inproc.connect(name, { pipe: theirs, type, routingId: Buffer.alloc(0), onRefused: () => mine.terminate(), onAccepted: () => {} });
  return mine;
}

/** Binds an inproc name; throws EADDRINUSE if another socket holds it. */
export function bindInproc(owner: PeerOwner, name: string, address: string): InprocBinder<InprocPeer> {
  const binder: InprocBinder<InprocPeer> = { acceptInproc: (peer) => acceptInproc(owner, peer, address) };
  inproc.bind(name, binder, address);
  try {
    held.set(binder, holdAcrossThreads(name, { offer: (peer) => offerFromThread(owner, peer, address) }, address));
  } catch (err) {
    inproc.unbind(name, binder);
    throw err;
  }
  return binder;
}

export function unbindInproc(name: string, binder: InprocBinder<InprocPeer>): void {
  inproc.unbind(name, binder);
  const id = held.get(binder);
  if (id === undefined) return;
  held.delete(binder);
  releaseAcrossThreads(name, id);
}

/** Withdraws a connect() that is still waiting for its name to be bound. */
export function cancelInproc(name: string, peer: InprocPeer): void {
  inproc.cancel(name, peer);
  if (seeking.get(peer)?.detached !== true) withdrawSeek(peer);
}

function withdrawSeek(peer: InprocPeer): void {
  const s = seeking.get(peer);
  if (s === undefined) return;
  seeking.delete(peer);
  cancelSeek(s.link);
  forget(s.mine);
  s.settled?.();
}

/**
 * The socket of a connect still waiting for a binding in another thread is closing with
 * messages queued on it. With zeromq the connect to a bound name was made at once and close
 * delivers within the linger; here the link may not be up yet, so the connect goes on after
 * the close: when it links, what was queued goes over and the link ends; if the thread exits
 * first, the queue goes as its last words (inproc-threads.ts); after a finite linger it is
 * dropped. Resolves when it is answered if a binding of the name is known elsewhere (the
 * process waits for that, as zeromq's context termination would), else null: an unbound name
 * holds no process, as with zeromq.
 */
export function keepSeekAfterClose(peer: InprocPeer, linger: number): Promise<void> | null {
  const s = seeking.get(peer);
  if (s === undefined || peer.pipe.in.length === 0) return null;
  // Linger 0 discards at once: a timer, even of 1 ms, would keep the socket and its context alive.
  if (linger === 0) {
    withdrawSeek(peer);
    return null;
  }
  s.detached = true;
  if (linger > 0) setTimeout(() => withdrawSeek(peer), linger).unref?.();
  if (!isBoundElsewhere(s.name)) return null;
  return new Promise((resolve) => {
    s.settled = resolve;
  });
}

/**
 * The connector makes both ends, so it may send before the name is bound: messages queue in
 * the binder's end until a socket binds the name and takes it.
 */
export function connectInproc(owner: PeerOwner, conn: InprocConnectSide, name: string): void {
  const o = owner.options;
  // The binder's end takes the binder's limits when it is accepted; until then it has none (-1).
  const [mine, theirs] = pipePair([o.sendHighWaterMark, o.receiveHighWaterMark], [o.sendHighWaterMark, -1]);
  mine.endpoint = conn.address;
  mine.conflate = o.conflate;
  const peer: InprocPeer = {
    pipe: theirs,
    type: owner.socketType,
    routingId: owner.routingIdBytes(),
    onRefused: () => {
      withdrawSeek(peer);
      mine.terminate();
    },
    onAccepted: (type, id) => {
      withdrawSeek(peer);
      mine.properties = new Map([["socket-type", Buffer.from(type)]]);
      if (mine.routingId === null && id.length > 0) mine.routingId = id;
      // libzmq reports nothing for inproc; wiremq reports the handshake only (a program may
      // wait for it over any transport), not connect/accept/bind/close, as zeromq does not.
      owner.events.emit({ type: "handshake", address: conn.address });
      // Sockets that route by peer identity attach only now that the identity is known.
      if (!attached && !owner.closed && !mine.terminated) owner.attachPipe(mine);
    },
  };
  conn.pipe = mine;
  conn.peer = peer;
  mine.routingId = conn.routingId;
  if (!owner.acceptsPipe()) {
    mine.terminate();
    return;
  }
  // A routing socket attaches once it knows the peer's identity: at once if connect() named
  // it (libzmq does the same, so a ROUTER may address the peer before the name is bound).
  const attached = !owner.pipePerConnection || conn.routingId !== null;
  if (attached) owner.attachPipe(mine);
  inproc.connect(name, peer);
  // Not bound in this thread (yet): a binding in another thread may take it first.
  if (mine.properties.size === 0 && !mine.terminated) seekInThreads(owner, name, peer, mine, theirs);
}

function seekInThreads(owner: PeerOwner, name: string, peer: InprocPeer, mine: Pipe, theirs: Pipe): void {
  const info: PeerInfo = { type: owner.socketType, routingId: owner.routingIdBytes(), sendHwm: mine.sendHwm, receiveHwm: mine.receiveHwm };
  const link = seekAcrossThreads(name, {
    info,
    linked: (channel, remote) => {
      const s = seeking.get(peer);
      seeking.delete(peer);
      inproc.cancel(name, peer);
      // What was sent before the link came up waits in the binder's half of the pair; the
      // pair splits, and those messages go first.
      mine.peer = null;
      theirs.peer = null;
      for (let msg = theirs.in.shift(); msg !== undefined; msg = theirs.in.shift()) mine.out.push(msg);
      const threadLink = new ThreadLink(channel, mine, remote);
      if (s?.detached === true) {
        // The socket has closed: deliver what it queued, then end.
        threadLink.start();
        threadLink.ended();
        s.settled?.();
        return;
      }
      peer.onAccepted(remote.type, Buffer.from(remote.routingId));
      threadLink.start();
    },
    refused: () => {
      const s = seeking.get(peer);
      seeking.delete(peer);
      inproc.cancel(name, peer);
      forget(mine);
      s?.settled?.();
      if (s?.detached !== true) peer.onRefused();
    },
    lastWords: () => (theirs.in.length > 0 ? packAll(theirs.in) : null),
  });
  seeking.set(peer, { link, name, mine, detached: false, settled: null });
  // From here the thread's writes to this pipe are ordered with its writes to other threads;
  // while the name is known bound elsewhere, an answer is coming and later writes wait for it.
  awaitLink(mine, theirs.in.length, () => isBoundElsewhere(name));
}

/** A connect from another thread reached this binding: the binder's answer. */
function offerFromThread(owner: PeerOwner, remote: PeerInfo, address: string): Acceptance | null {
  if (owner.closed || !isCompatible(owner.socketType, remote.type) || !owner.acceptsPipe()) return null;
  const o = owner.options;
  return {
    info: { type: owner.socketType, routingId: owner.routingIdBytes(), sendHwm: o.sendHighWaterMark, receiveHwm: o.receiveHighWaterMark },
    linked: (channel) => {
      const pipe = new Pipe(o.sendHighWaterMark, o.receiveHighWaterMark);
      const threadLink = new ThreadLink(channel, pipe, remote);
      acceptInproc(owner, { pipe, type: remote.type, routingId: Buffer.from(remote.routingId), onRefused: () => pipe.terminate(), onAccepted: () => {} }, address);
      threadLink.start();
    },
  };
}

function acceptInproc(owner: PeerOwner, peer: InprocPeer, address: string): void {
  if (owner.closed || !isCompatible(owner.socketType, peer.type) || !owner.acceptsPipe()) {
    peer.onRefused();
    return;
  }
  const o = owner.options;
  const pipe = peer.pipe;
  // The connector made both ends; this end follows the binder's own limits.
  pipe.sendHwm = o.sendHighWaterMark;
  pipe.receiveHwm = o.receiveHighWaterMark;
  pipe.endpoint = address;
  pipe.conflate = o.conflate;
  pipe.routingId = peer.routingId.length > 0 ? peer.routingId : null;
  pipe.properties = new Map([["socket-type", Buffer.from(peer.type)]]);
  owner.events.emit({ type: "handshake", address });
  peer.onAccepted(owner.socketType, owner.routingIdBytes());
  owner.attachPipe(pipe);
}
