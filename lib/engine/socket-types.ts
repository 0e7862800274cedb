/** Which Socket-Type a peer may have, per socket type (37/ZMTP and libzmq's mechanism.cpp). */
const COMPATIBLE: Record<string, readonly string[]> = {
  PAIR: ["PAIR"],
  PUB: ["SUB", "XSUB"],
  SUB: ["PUB", "XPUB"],
  XPUB: ["SUB", "XSUB"],
  XSUB: ["PUB", "XPUB"],
  PUSH: ["PULL"],
  PULL: ["PUSH"],
  REQ: ["REP", "ROUTER"],
  REP: ["REQ", "DEALER"],
  DEALER: ["REP", "DEALER", "ROUTER"],
  ROUTER: ["REQ", "DEALER", "ROUTER"],
  // STREAM peers are raw TCP: the RawEngine reports them as STREAM.
  STREAM: ["STREAM"],
  // Draft types (libzmq built with drafts, as the zeromq package is).
  SERVER: ["CLIENT"],
  CLIENT: ["SERVER"],
  RADIO: ["DISH"],
  DISH: ["RADIO"],
  GATHER: ["SCATTER"],
  SCATTER: ["GATHER"],
};

export function isCompatible(ours: string, theirs: string): boolean {
  return COMPATIBLE[ours]?.includes(theirs.toUpperCase()) ?? false;
}

/** Socket types that announce their routing id in the Identity property. */
export function sendsIdentity(type: string): boolean {
  return type === "REQ" || type === "DEALER" || type === "ROUTER";
}
