// Poll states, the send flag, capabilities and socket states that zeromq 5 exported.

/** Bit of `getsockopt(ZMQ_EVENTS)`: a message can be received now. */
export const ZMQ_POLLIN = 1;
/** Bit of `getsockopt(ZMQ_EVENTS)`: a message can be sent now. */
export const ZMQ_POLLOUT = 2;
/** libzmq's poll error bit; exported for zeromq 5 programs, never set by wiremq. */
export const ZMQ_POLLERR = 4;

/** The `flags` bit of a compat socket's `send`: more frames of this message follow. */
export const ZMQ_SNDMORE = 2;

/** Capability flag zeromq 5 exported; 1: sockets can be monitored (`monitor`). */
export const ZMQ_CAN_MONITOR = 1;
/** Capability flag zeromq 5 exported; 1: sockets can `disconnect`. */
export const ZMQ_CAN_DISCONNECT = 1;
/** Capability flag zeromq 5 exported; 1: sockets can `unbind`. */
export const ZMQ_CAN_UNBIND = 1;
/** Capability flag zeromq 5 exported; 1: context options can be set (`Context.setMaxSockets`...). */
export const ZMQ_CAN_SET_CTX = 1;

/** zeromq 5's socket state constant for an idle socket; exported for compatibility, unused. */
export const STATE_READY = 0;
/** zeromq 5's socket state constant for a socket in a send or receive; exported for compatibility, unused. */
export const STATE_BUSY = 1;
/** zeromq 5's socket state constant for a closed socket; exported for compatibility, unused. */
export const STATE_CLOSED = 2;
