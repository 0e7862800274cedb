/**
 * libzmq's option numbers (zmq.h) under the names zeromq 5 exported. Pass one to a compat
 * socket's `setsockopt`/`getsockopt`; each maps to the v6 socket property named in its comment.
 * A number the compat layer does not know throws `EINVAL` ("Unknown option").
 */

/** 4: I/O thread affinity bitmask (v6 `affinity`); kept and read back only: wiremq has no I/O threads. */
export const ZMQ_AFFINITY = 4;
/** 5: the socket's routing id (v6 `routingId`), sent to a ROUTER peer at the handshake. */
export const ZMQ_IDENTITY = 5;
/** 6: set-only; subscribes a SUB socket to a topic prefix (calls `subscribe`). */
export const ZMQ_SUBSCRIBE = 6;
/** 7: set-only; removes a SUB socket's topic prefix (calls `unsubscribe`). */
export const ZMQ_UNSUBSCRIBE = 7;
/** 8: multicast data rate in kbit/s (v6 `rate`); stored, unused: wiremq has no pgm/epgm transport. */
export const ZMQ_RATE = 8;
/** 9: multicast recovery interval in ms (v6 `recoveryInterval`); stored, unused (no pgm/epgm). */
export const ZMQ_RECOVERY_IVL = 9;
/** 9: the old name of {@link ZMQ_RECOVERY_IVL}, same number. */
export const ZMQ_RECOVERY_IVL_MSEC = 9;
/** 11: kernel send buffer size in bytes for tcp connections (v6 `sendBufferSize`). */
export const ZMQ_SNDBUF = 11;
/** 12: kernel receive buffer size in bytes for tcp connections (v6 `receiveBufferSize`). */
export const ZMQ_RCVBUF = 12;
/** 13: reading it throws `EINVAL`, as in zeromq's compat mode; multipart messages arrive whole in one `message` event. */
export const ZMQ_RCVMORE = 13;
/** 14: reading it throws `EINVAL`, as in zeromq's compat mode: there is no file descriptor to poll. */
export const ZMQ_FD = 14;
/** 15: read-only; {@link ZMQ_POLLIN} when a message can be received, plus {@link ZMQ_POLLOUT} when one can be sent. */
export const ZMQ_EVENTS = 15;
/** 16: read-only; the socket type. */
export const ZMQ_TYPE = 16;
/** 17: ms that `close` keeps unsent messages trying to leave (v6 `linger`); 0 drops them, -1 waits forever. */
export const ZMQ_LINGER = 17;
/** 18: ms before the first reconnect attempt after a connection drops (v6 `reconnectInterval`). */
export const ZMQ_RECONNECT_IVL = 18;
/** 19: the listen backlog of bound tcp and ipc endpoints (v6 `backlog`). */
export const ZMQ_BACKLOG = 19;
/** 21: upper bound in ms of the doubling reconnect interval; 0 keeps it fixed (v6 `reconnectMaxInterval`). */
export const ZMQ_RECONNECT_IVL_MAX = 21;
/** 22: largest message in bytes accepted from a peer, -1 for no limit; a peer sending more is disconnected (v6 `maxMessageSize`). */
export const ZMQ_MAXMSGSIZE = 22;
/** 23: send high-water mark, in messages queued per peer (v6 `sendHighWaterMark`). */
export const ZMQ_SNDHWM = 23;
/** 24: receive high-water mark, in messages queued per peer (v6 `receiveHighWaterMark`). */
export const ZMQ_RCVHWM = 24;
/** 25: multicast hops (v6 `multicastHops`); stored, unused (no pgm/epgm). */
export const ZMQ_MULTICAST_HOPS = 25;
/** 27: receive timeout in ms, -1 for none (v6 `receiveTimeout`). */
export const ZMQ_RCVTIMEO = 27;
/** 28: send timeout in ms, -1 for none (v6 `sendTimeout`). */
export const ZMQ_SNDTIMEO = 28;
/** 31: the inverse of {@link ZMQ_IPV6}: 1 keeps tcp to IPv4. */
export const ZMQ_IPV4ONLY = 31;
/** 32: read-only; the last endpoint bound, with the port the system chose for `:*` or `:0` (v6 `lastEndpoint`). */
export const ZMQ_LAST_ENDPOINT = 32;
/** 33: 1 makes a ROUTER fail a send to an unknown routing id with `EHOSTUNREACH` instead of dropping it (v6 `mandatory`). */
export const ZMQ_ROUTER_MANDATORY = 33;
/** 34: tcp keepalive: -1 system default, 0 off, 1 on (v6 `tcpKeepalive`). */
export const ZMQ_TCP_KEEPALIVE = 34;
/** 35: tcp keepalive probe count, -1 for the system default (v6 `tcpKeepaliveCount`). */
export const ZMQ_TCP_KEEPALIVE_CNT = 35;
/** 36: seconds idle before the first tcp keepalive probe, -1 for the system default (v6 `tcpKeepaliveIdle`). */
export const ZMQ_TCP_KEEPALIVE_IDLE = 36;
/** 37: seconds between tcp keepalive probes, -1 for the system default (v6 `tcpKeepaliveInterval`). */
export const ZMQ_TCP_KEEPALIVE_INTVL = 37;
/** 38: set-only; wiremq refuses a filter with `ENOTSUP` (v6 `tcpAcceptFilter`, deprecated in libzmq); `null` is accepted. */
export const ZMQ_TCP_ACCEPT_FILTER = 38;
/** 39: 1 queues messages only to completed connections (v6 `immediate`; libzmq's old name for ZMQ_IMMEDIATE). */
export const ZMQ_DELAY_ATTACH_ON_CONNECT = 39;
/** 40: set-only; 1 makes an XPUB pass on every subscription, repeats included (v6 `verbosity = "allSubs"`). */
export const ZMQ_XPUB_VERBOSE = 40;
/** 41: refused with `EINVAL`, as in zeromq's compat mode; use a v6 `Stream` socket for raw tcp. */
export const ZMQ_ROUTER_RAW = 41;
/** 42: 1 lets tcp use IPv6 as well as IPv4 (v6 `ipv6`). */
export const ZMQ_IPV6 = 42;
/** 43: read-only; the security mechanism in use: 0 NULL, 1 PLAIN, 2 CURVE. */
export const ZMQ_MECHANISM = 43;
/** 44: 1 makes this socket the PLAIN server (v6 `plainServer`). */
export const ZMQ_PLAIN_SERVER = 44;
/** 45: the PLAIN user name a client sends (v6 `plainUsername`); bytes are read as UTF-8. */
export const ZMQ_PLAIN_USERNAME = 45;
/** 46: the PLAIN password a client sends (v6 `plainPassword`); bytes are read as UTF-8. */
export const ZMQ_PLAIN_PASSWORD = 46;
/** 47: 1 makes this socket the CURVE server; it then needs its secret key (v6 `curveServer`). */
export const ZMQ_CURVE_SERVER = 47;
/** 48: this socket's CURVE public key: 40 Z85 characters or 32 bytes (v6 `curvePublicKey`). */
export const ZMQ_CURVE_PUBLICKEY = 48;
/** 49: this socket's CURVE secret key: 40 Z85 characters or 32 bytes (v6 `curveSecretKey`). */
export const ZMQ_CURVE_SECRETKEY = 49;
/** 50: on a CURVE client, the server's public key: 40 Z85 characters or 32 bytes (v6 `curveServerKey`). */
export const ZMQ_CURVE_SERVERKEY = 50;
/** 55: the ZAP domain sent to the authentication handler (v6 `zapDomain`). */
export const ZMQ_ZAP_DOMAIN = 55;
/** 56: set-only; 1 lets a new ROUTER peer take over a routing id already in use (v6 `handover`). */
export const ZMQ_ROUTER_HANDOVER = 56;
/** 75: ms between ZMTP heartbeat PINGs, 0 for none (v6 `heartbeatInterval`). */
export const ZMQ_HEARTBEAT_IVL = 75;
/** 76: ms the peer should wait for traffic before dropping this connection, sent in each PING (v6 `heartbeatTimeToLive`). */
export const ZMQ_HEARTBEAT_TTL = 76;
/** 77: ms without traffic after a PING before the connection is dropped (v6 `heartbeatTimeout`). */
export const ZMQ_HEARTBEAT_TIMEOUT = 77;
/** 79: ms a tcp connect may take before it is abandoned and retried, 0 for the system's limit (v6 `connectTimeout`). */
export const ZMQ_CONNECT_TIMEOUT = 79;
/** Context option (`Context.setMaxThreads`): I/O threads; accepted and ignored, wiremq runs on Node's event loop. */
export const ZMQ_IO_THREADS = 1;
/** Context option (`Context.setMaxSockets`): libzmq's socket limit; kept and read back only, wiremq enforces no limit. */
export const ZMQ_MAX_SOCKETS = 2;
