/** Poll states, the send flag, capabilities and socket states that zeromq 5 exported. */
export const ZMQ_POLLIN = 1;
export const ZMQ_POLLOUT = 2;
export const ZMQ_POLLERR = 4;

export const ZMQ_SNDMORE = 2;

export const ZMQ_CAN_MONITOR = 1;
export const ZMQ_CAN_DISCONNECT = 1;
export const ZMQ_CAN_UNBIND = 1;
export const ZMQ_CAN_SET_CTX = 1;

export const STATE_READY = 0;
export const STATE_BUSY = 1;
export const STATE_CLOSED = 2;
