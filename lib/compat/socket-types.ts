// libzmq's socket type numbers, as zeromq 5 exported them (XREQ and XREP are the old names).
// The compat `socket()` takes the type's name ("pair", "pub", ...); these numbers are what
// `getsockopt(ZMQ_TYPE)` compares with.

/** 0: PAIR, one exclusive peer each way. */
export const ZMQ_PAIR = 0;
/** 1: PUB, sends each message to every subscriber whose prefix matches. */
export const ZMQ_PUB = 1;
/** 2: SUB, receives the messages of the prefixes it subscribed to. */
export const ZMQ_SUB = 2;
/** 3: REQ, strict send/receive alternation, one request at a time. */
export const ZMQ_REQ = 3;
/** 4: REP, strict receive/send alternation, answering each REQ in turn. */
export const ZMQ_REP = 4;
/** 5: DEALER, round-robin sends and fair-queued receives, no envelope. */
export const ZMQ_DEALER = 5;
/** 5: the old name of {@link ZMQ_DEALER}. */
export const ZMQ_XREQ = 5;
/** 6: ROUTER, addresses each peer by routing id in the message's first frame. */
export const ZMQ_ROUTER = 6;
/** 6: the old name of {@link ZMQ_ROUTER}. */
export const ZMQ_XREP = 6;
/** 7: PULL, fair-queued receives from PUSH peers. */
export const ZMQ_PULL = 7;
/** 8: PUSH, round-robin sends to PULL peers. */
export const ZMQ_PUSH = 8;
/** 9: XPUB, a PUB that also receives its subscribers' (un)subscriptions. */
export const ZMQ_XPUB = 9;
/** 10: XSUB, a SUB that sends its subscriptions as messages. */
export const ZMQ_XSUB = 10;
/** 11: STREAM, raw tcp bytes, each connection addressed by a routing id. */
export const ZMQ_STREAM = 11;
