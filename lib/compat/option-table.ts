import { z85Encode } from "../wire/z85.js";
import * as o from "./option-numbers.js";
import { WiremqError, WiremqTypeError } from "../errors.js";

/** The v6 socket a compat socket wraps, seen as its option properties and methods. */
export type OptionTarget = Record<string, unknown>;

interface OptionRule {
  set?(socket: OptionTarget, value: unknown): void;
  get?(socket: OptionTarget): unknown;
}

/** An option read and written as the v6 property of the same meaning. */
function property(name: string): OptionRule {
  return {
    set: (s, v) => { s[name] = v; },
    get: (s) => s[name],
  };
}

/** A boolean property that zeromq 5 read and wrote as 0 or 1. */
function flag(name: string): OptionRule {
  return {
    set: (s, v) => { s[name] = Boolean(v); },
    get: (s) => (s[name] ? 1 : 0),
  };
}

/**
 * A string property. The short-name setters turn strings into Buffers (as zeromq 5 did) and
 * libzmq took either; wiremq's properties take strings, so bytes are read as UTF-8.
 */
function text(name: string): OptionRule {
  return {
    set: (s, v) => { s[name] = Buffer.isBuffer(v) ? v.toString("utf8") : v; },
    get: (s) => s[name],
  };
}

/** A CURVE key: 40 Z85 characters, or (as libzmq also takes) the 32 bytes themselves. */
function curveKey(name: string): OptionRule {
  return {
    set: (s, v) => { s[name] = Buffer.isBuffer(v) ? (v.length === 32 ? z85Encode(v) : v.toString("utf8")) : v; },
    get: (s) => s[name],
  };
}

function refused(message: string): OptionRule {
  const fail = (): never => { throw new WiremqError("EINVAL", message); };
  return { set: fail, get: fail };
}

/** A method of the v6 socket that setsockopt calls (subscriptions), failing as a missing method does. */
function call(method: string): OptionRule {
  return {
    set: (s, v) => {
      const fn = s[method];
      if (typeof fn !== "function") throw new WiremqTypeError("ENOTSUP", `this._socket.${method} is not a function`);
      fn.call(s, v);
    },
  };
}

const MECHANISMS: Readonly<Record<string, number>> = { plain: 1, curve: 2, gssapi: 3 };
const RCVMORE = "ZMQ_RCVMORE is not supported in compatibility mode";
const FD = "ZMQ_FD is not supported in compatibility mode";
const ROUTER_RAW = "ZMQ_ROUTER_RAW is not supported in compatibility mode";

/** What each ZMQ_* option number means on a v6 socket; missing sides are unknown options. */
const RULES: ReadonlyMap<number, OptionRule> = new Map<number, OptionRule>([
  [o.ZMQ_AFFINITY, property("affinity")],
  [o.ZMQ_IDENTITY, property("routingId")],
  [o.ZMQ_SUBSCRIBE, call("subscribe")],
  [o.ZMQ_UNSUBSCRIBE, call("unsubscribe")],
  [o.ZMQ_RATE, property("rate")],
  [o.ZMQ_RECOVERY_IVL, property("recoveryInterval")],
  [o.ZMQ_SNDBUF, property("sendBufferSize")],
  [o.ZMQ_RCVBUF, property("receiveBufferSize")],
  [o.ZMQ_RCVMORE, { get: refused(RCVMORE).get }],
  [o.ZMQ_FD, { get: refused(FD).get }],
  [o.ZMQ_EVENTS, { get: (s) => (s.readable ? 1 : 0) | (s.writable ? 2 : 0) }],
  [o.ZMQ_TYPE, { get: (s) => s.type }],
  [o.ZMQ_LINGER, property("linger")],
  [o.ZMQ_RECONNECT_IVL, property("reconnectInterval")],
  [o.ZMQ_BACKLOG, property("backlog")],
  [o.ZMQ_RECONNECT_IVL_MAX, property("reconnectMaxInterval")],
  [o.ZMQ_MAXMSGSIZE, property("maxMessageSize")],
  [o.ZMQ_SNDHWM, property("sendHighWaterMark")],
  [o.ZMQ_RCVHWM, property("receiveHighWaterMark")],
  [o.ZMQ_MULTICAST_HOPS, property("multicastHops")],
  [o.ZMQ_RCVTIMEO, property("receiveTimeout")],
  [o.ZMQ_SNDTIMEO, property("sendTimeout")],
  [o.ZMQ_IPV4ONLY, { set: (s, v) => { s.ipv6 = !v; }, get: (s) => !s.ipv6 }],
  [o.ZMQ_LAST_ENDPOINT, { get: (s) => s.lastEndpoint }],
  [o.ZMQ_ROUTER_MANDATORY, flag("mandatory")],
  [o.ZMQ_TCP_KEEPALIVE, property("tcpKeepalive")],
  [o.ZMQ_TCP_KEEPALIVE_CNT, property("tcpKeepaliveCount")],
  [o.ZMQ_TCP_KEEPALIVE_IDLE, property("tcpKeepaliveIdle")],
  [o.ZMQ_TCP_KEEPALIVE_INTVL, property("tcpKeepaliveInterval")],
  [o.ZMQ_TCP_ACCEPT_FILTER, { set: property("tcpAcceptFilter").set }],
  [o.ZMQ_DELAY_ATTACH_ON_CONNECT, flag("immediate")],
  [o.ZMQ_XPUB_VERBOSE, {
    set: (s, v) => { s.verbosity = v ? "allSubs" : null; },
    get: refused("Reading ZMQ_XPUB_VERBOSE is not supported").get,
  }],
  [o.ZMQ_ROUTER_RAW, refused(ROUTER_RAW)],
  [o.ZMQ_IPV6, flag("ipv6")],
  [o.ZMQ_MECHANISM, { get: (s) => MECHANISMS[String(s.securityMechanism)] ?? 0 }],
  [o.ZMQ_PLAIN_SERVER, flag("plainServer")],
  [o.ZMQ_PLAIN_USERNAME, text("plainUsername")],
  [o.ZMQ_PLAIN_PASSWORD, text("plainPassword")],
  [o.ZMQ_CURVE_SERVER, flag("curveServer")],
  [o.ZMQ_CURVE_PUBLICKEY, curveKey("curvePublicKey")],
  [o.ZMQ_CURVE_SECRETKEY, curveKey("curveSecretKey")],
  [o.ZMQ_CURVE_SERVERKEY, curveKey("curveServerKey")],
  [o.ZMQ_ZAP_DOMAIN, text("zapDomain")],
  [o.ZMQ_ROUTER_HANDOVER, { set: flag("handover").set }],
  [o.ZMQ_HEARTBEAT_IVL, property("heartbeatInterval")],
  [o.ZMQ_HEARTBEAT_TTL, property("heartbeatTimeToLive")],
  [o.ZMQ_HEARTBEAT_TIMEOUT, property("heartbeatTimeout")],
  [o.ZMQ_CONNECT_TIMEOUT, property("connectTimeout")],
]);

export function setOption(socket: OptionTarget, option: number | undefined, value: unknown): void {
  const set = option === undefined ? undefined : RULES.get(option)?.set;
  if (set === undefined) throw new WiremqError("EINVAL", "Unknown option");
  set(socket, value);
}

export function getOption(socket: OptionTarget, option: number | undefined): unknown {
  const get = option === undefined ? undefined : RULES.get(option)?.get;
  if (get === undefined) throw new WiremqError("EINVAL", "Unknown option");
  return get(socket);
}
