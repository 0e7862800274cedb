/**
 * Flags inside a CURVE MESSAGE box, as libzmq's msg_t flags: bit 0 MORE, bit 1 COMMAND (a ZMTP
 * command such as PING or SUBSCRIBE travelling inside the box). These are not ZMTP frame
 * flags: there COMMAND is 0x04 and 0x02 is LONG.
 */
export const CURVE_FLAG_MORE = 0x01;
export const CURVE_FLAG_COMMAND = 0x02;

/**
 * What a frame may carry above `maxMessageSize` before its payload is checked: a CURVE MESSAGE
 * box adds about 40 bytes around a message frame, and a command names itself before its data.
 */
export const ENVELOPE_SLACK = 64;
