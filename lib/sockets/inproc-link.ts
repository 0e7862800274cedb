import { InprocRegistry, type InprocBinder } from "../transports/inproc.js";
import { cancelSeek, holdAcrossThreads, releaseAcrossThreads, seekAcrossThreads, type Acceptance, type PeerInfo } from "../transports/inproc-threads.js";
import { Pipe, pipePair, type PipeOwner } from "../engine/pipe.js";
import { packAll, ThreadLink } from "../engine/thread-link.js";
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
/** Connects offered to other threads, with their link ids. */
const seeking = new Map<InprocPeer, string>();

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
  withdrawSeek(peer);
}

function withdrawSeek(peer: InprocPeer): void {
  const link = seeking.get(peer);
  if (link === undefined) return;
  seeking.delete(peer);
  cancelSeek(link);
}

/**
 * The connector makes both ends, so it may send before the name is bound: messages queue in
 * the binder's end until a socket binds the name and takes it.
 */
export function connectInproc(owner: PeerOwner, conn: InprocConnectSide, name: string): void {
  const o = owner.options;
  const [mine, theirs] = pipePair([o.sendHighWaterMark, o.receiveHighWaterMark], [o.sendHighWaterMark, o.receiveHighWaterMark]);
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
      owner.events.emit({ type: "connect", address: conn.address });
      owner.events.emit({ type: "handshake", address: conn.address });
      // Sockets that route by peer identity attach only now that the identity is known.
      if (owner.pipePerConnection && !owner.closed && !mine.terminated) owner.attachPipe(mine);
    },
  };
  conn.pipe = mine;
  conn.peer = peer;
  mine.routingId = conn.routingId;
  if (!owner.acceptsPipe()) {
    mine.terminate();
    return;
  }
  if (!owner.pipePerConnection) owner.attachPipe(mine);
  inproc.connect(name, peer);
  // Not bound in this thread (yet): a binding in another thread may take it first.
  if (mine.properties.size === 0 && !mine.terminated) seekInThreads(owner, name, peer, mine, theirs);
}

function seekInThreads(owner: PeerOwner, name: string, peer: InprocPeer, mine: Pipe, theirs: Pipe): void {
  const info: PeerInfo = { type: owner.socketType, routingId: owner.routingIdBytes(), sendHwm: mine.sendHwm, receiveHwm: mine.receiveHwm };
  const link = seekAcrossThreads(name, {
    info,
    linked: (channel, remote) => {
      seeking.delete(peer);
      inproc.cancel(name, peer);
      // What was sent before the link came up waits in the binder's half of the pair; the
      // pair splits, and those messages go first.
      mine.peer = null;
      theirs.peer = null;
      for (let msg = theirs.in.shift(); msg !== undefined; msg = theirs.in.shift()) mine.out.push(msg);
      const threadLink = new ThreadLink(channel, mine, remote);
      peer.onAccepted(remote.type, Buffer.from(remote.routingId));
      threadLink.start();
    },
    refused: () => {
      seeking.delete(peer);
      inproc.cancel(name, peer);
      peer.onRefused();
    },
    lastWords: () => (theirs.in.length > 0 ? packAll(theirs.in) : null),
  });
  seeking.set(peer, link);
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
  owner.events.emit({ type: "accept", address });
  owner.events.emit({ type: "handshake", address });
  peer.onAccepted(owner.socketType, owner.routingIdBytes());
  owner.attachPipe(pipe);
}
