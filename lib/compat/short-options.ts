import * as o from "./option-numbers.js";

/**
 * zeromq 5's short option names: `zmq.options`, and the property names a compat socket
 * answers to (`sock.identity = "a"` is `sock.setsockopt(ZMQ_IDENTITY, Buffer.from("a"))`).
 */
export const options = {
  _fd: o.ZMQ_FD,
  _ioevents: o.ZMQ_EVENTS,
  _receiveMore: o.ZMQ_RCVMORE,
  _subscribe: o.ZMQ_SUBSCRIBE,
  _unsubscribe: o.ZMQ_UNSUBSCRIBE,
  affinity: o.ZMQ_AFFINITY,
  backlog: o.ZMQ_BACKLOG,
  identity: o.ZMQ_IDENTITY,
  linger: o.ZMQ_LINGER,
  rate: o.ZMQ_RATE,
  rcvbuf: o.ZMQ_RCVBUF,
  last_endpoint: o.ZMQ_LAST_ENDPOINT,
  reconnect_ivl: o.ZMQ_RECONNECT_IVL,
  recovery_ivl: o.ZMQ_RECOVERY_IVL,
  sndbuf: o.ZMQ_SNDBUF,
  mechanism: o.ZMQ_MECHANISM,
  plain_server: o.ZMQ_PLAIN_SERVER,
  plain_username: o.ZMQ_PLAIN_USERNAME,
  plain_password: o.ZMQ_PLAIN_PASSWORD,
  curve_server: o.ZMQ_CURVE_SERVER,
  curve_publickey: o.ZMQ_CURVE_PUBLICKEY,
  curve_secretkey: o.ZMQ_CURVE_SECRETKEY,
  curve_serverkey: o.ZMQ_CURVE_SERVERKEY,
  zap_domain: o.ZMQ_ZAP_DOMAIN,
  heartbeat_ivl: o.ZMQ_HEARTBEAT_IVL,
  heartbeat_ttl: o.ZMQ_HEARTBEAT_TTL,
  heartbeat_timeout: o.ZMQ_HEARTBEAT_TIMEOUT,
  connect_timeout: o.ZMQ_CONNECT_TIMEOUT,
};

export type ShortOptionName = keyof typeof options;
