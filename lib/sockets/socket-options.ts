/**
 * Socket options as properties with the `zeromq` package's names, defaults and type checks.
 * Kept apart from the Socket class so that class holds behaviour only.
 */
import { Context, context } from "../context.js";
import { isObject } from "../util/arguments.js";
import { emitWarning } from "../util/warning.js";
import { WiremqError, WiremqTypeError, zmqError } from "../errors.js";
import { curveKeyBytes } from "../mechanisms/curve-keys.js";
import { selectsCurve } from "../mechanisms/index.js";
import { WsTls, type WsTlsOptions } from "../transports/ws-tls.js";
import {
  getOptionById, isImmediateOption, LATE_OPTION_WARNING, setOptionById, SOCKET_OPTION_IDS, uint64, type OptionType,
} from "./option-ids.js";

export interface SocketOptionValues {
  sendHighWaterMark: number;
  receiveHighWaterMark: number;
  sendTimeout: number;
  receiveTimeout: number;
  linger: number;
  immediate: boolean;
  conflate: boolean;
  maxMessageSize: number;
  reconnectInterval: number;
  reconnectMaxInterval: number;
  heartbeatInterval: number;
  heartbeatTimeToLive: number;
  heartbeatTimeout: number;
  handshakeInterval: number;
  routingId: string | null;
  zapDomain: string;
  plainServer: boolean;
  plainUsername: string | null;
  plainPassword: string | null;
  curveServer: boolean;
  curvePublicKey: string | null;
  curveSecretKey: string | null;
  curveServerKey: string | null;
  ipv6: boolean;
  backlog: number;
  connectTimeout: number;
  tcpKeepalive: number;
  tcpKeepaliveIdle: number;
  tcpKeepaliveCount: number;
  tcpKeepaliveInterval: number;
  tcpMaxRetransmitTimeout: number;
  sendBufferSize: number;
  receiveBufferSize: number;
  typeOfService: number;
  zapEnforceDomain: boolean;
  loopbackFastPath: boolean;
  affinity: number;
  rate: number;
  recoveryInterval: number;
  multicastHops: number;
  multicastMaxTransportDataUnit: number;
  /** wss:// only (wiremq's, not zeromq's): certificates and checks, see WsTls. */
  tls: WsTls | null;
  /** A SOCKS5 proxy (`host:port`) for tcp connects; null connects directly. */
  socksProxy: string | null;
}

/** What every socket's constructor takes: its options, and the Context it belongs to. */
export type SocketOptionsInit = Omit<Partial<SocketOptionValues>, "routingId" | "zapDomain" | "tls"> & {
  /** wss:// TLS settings (see the `tls` property). */
  tls?: WsTlsOptions | WsTls | null;
  /** A string (sent as UTF-8) or the bytes themselves. */
  routingId?: string | Uint8Array | null;
  zapDomain?: string | null;
  context?: Context;
};

export function defaultOptions(): SocketOptionValues {
  return {
    sendHighWaterMark: 1000,
    receiveHighWaterMark: 1000,
    sendTimeout: -1,
    receiveTimeout: -1,
    // zeromq's: -1 under a blocky context (the default), else 0; a socket's own linger wins.
    linger: context.blocky ? -1 : 0,
    immediate: false,
    conflate: false,
    maxMessageSize: -1,
    reconnectInterval: 100,
    reconnectMaxInterval: 0,
    heartbeatInterval: 0,
    heartbeatTimeToLive: 0,
    heartbeatTimeout: -1,
    handshakeInterval: 30000,
    routingId: null,
    zapDomain: "",
    plainServer: false,
    plainUsername: null,
    plainPassword: null,
    curveServer: false,
    curvePublicKey: null,
    curveSecretKey: null,
    curveServerKey: null,
    ipv6: context.ipv6,
    backlog: 100,
    connectTimeout: 0,
    tcpKeepalive: -1,
    tcpKeepaliveIdle: -1,
    tcpKeepaliveCount: -1,
    tcpKeepaliveInterval: -1,
    tcpMaxRetransmitTimeout: 0,
    sendBufferSize: -1,
    receiveBufferSize: -1,
    typeOfService: 0,
    zapEnforceDomain: false,
    loopbackFastPath: false,
    affinity: 0,
    rate: 100,
    recoveryInterval: 10000,
    multicastHops: 1,
    multicastMaxTransportDataUnit: 1500,
    tls: null,
    socksProxy: null,
  };
}

export function checkNumber(value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) throw new WiremqTypeError("EINVAL", "Option value must be a number");
  return value;
}

/** zeromq's text for a value libzmq refuses (EINVAL from zmq_setsockopt). */
function invalid(): Error {
  return zmqError("EINVAL", "Invalid argument");
}

export function checkBoolean(value: unknown): boolean {
  if (typeof value !== "boolean") throw new WiremqTypeError("EINVAL", "Option value must be a boolean");
  return value;
}

/** A string, a Buffer (as UTF-8) or null, as zeromq's string options take them. */
export function checkString(value: unknown): string | null {
  if (value === null) return null;
  if (Buffer.isBuffer(value)) return value.toString();
  if (typeof value !== "string") throw new WiremqTypeError("EINVAL", "Option value must be a string or buffer");
  return value;
}

/** A string option libzmq cannot unset: null is EINVAL there (routing id, ZAP domain, CURVE keys). */
function checkSetString(value: unknown): string {
  const s = checkString(value);
  if (s === null) throw invalid();
  return s;
}

const INT32_MAX = 2 ** 31 - 1;

/** A number in libzmq's range for the option (an int32 from `min`), else EINVAL as libzmq. */
function checkRange(_name: string, value: unknown, min: number, max = INT32_MAX): number {
  // An int option: zeromq casts the number to int32_t before libzmq checks it.
  const n = Math.trunc(checkNumber(value));
  if (n < min || n > max) throw invalid();
  return n;
}

/** A string option of 1 to 255 bytes (libzmq's limit), or null. */
function checkShortString(_name: string, value: unknown): string | null {
  const s = checkString(value);
  if (s === null) return null;
  const bytes = Buffer.byteLength(s);
  if (bytes < 1 || bytes > 255) throw invalid();
  return s;
}

/** A CURVE key option: 40 Z85 characters (checked now, as libzmq does), or null. */
function checkCurveKey(name: string, value: unknown): string {
  const s = checkSetString(value);
  try {
    curveKeyBytes(s, name).fill(0);
  } catch {
    throw invalid();
  }
  return s;
}

/**
 * Options libzmq applies to the OS socket that Node's net module has no call for. They are
 * kept and read back, so code written for zeromq runs, and setting one away from its default
 * warns once per process that it has no effect.
 */
const NOT_APPLIED: Readonly<Record<string, string>> = {
  sendBufferSize: "SO_SNDBUF",
  receiveBufferSize: "SO_RCVBUF",
  typeOfService: "IP_TOS",
  tcpMaxRetransmitTimeout: "TCP_USER_TIMEOUT",
  tcpKeepaliveCount: "TCP_KEEPCNT",
  tcpKeepaliveInterval: "TCP_KEEPINTVL",
};
const warned = new Set<string>();

function warnNotApplied(name: string): void {
  if (warned.has(name)) return;
  warned.add(name);
  emitWarning(`${name} is kept but not applied: Node's net module cannot set ${NOT_APPLIED[name]}`, {
    code: "WIREMQ_OPTION_NOT_APPLIED",
  });
}

/** Options for what wiremq does not do (SOCKS proxies, device binding, accept filters): null only. */
function refuseUnsupported(name: string, value: unknown): null {
  if (checkString(value) !== null) throw zmqError("ENOTSUP", `${name} is not supported by wiremq`);
  return null;
}

export abstract class SocketOptions {
  /** @internal */
  protected readonly opts: SocketOptionValues = defaultOptions();
  /** The routing id as sent: the bytes given, or the string's UTF-8. */
  protected routingIdRaw: Buffer | null = null;
  private ownContext: Context | null = null;

  /** A new socket's linger: -1 under a blocky context, else 0 (as libzmq; some types differ). */
  protected lingerDefault(ctx: Context = context): number {
    return ctx.blocky ? -1 : 0;
  }

  /** Applies a constructor options object; unknown names throw as in `zeromq`. */
  protected applyOptions(options: object | undefined): void {
    if (options === undefined) return;
    if (!isObject(options)) throw new WiremqTypeError("EINVAL", "Options must be an object");
    // The context first: it gives the socket its ipv6 default, which later options may change.
    checkContextOption(options);
    const given = (options as { context?: Context }).context;
    if (given !== undefined) {
      this.ownContext = given;
      this.opts.ipv6 = given.ipv6;
      this.opts.linger = this.lingerDefault(given);
    }
    for (const [key, value] of Object.entries(options)) {
      if (key === "context") continue;
      if (!(key in this)) throw new WiremqTypeError("EINVAL", `Cannot add property ${key}, object is not extensible`);
      (this as Record<string, unknown>)[key] = value;
    }
  }

  get sendHighWaterMark(): number { return this.live.sendHighWaterMark; }
  set sendHighWaterMark(v: number) { this.optionSet("sendHighWaterMark"); this.live.sendHighWaterMark = checkRange("sendHighWaterMark", v, 0); this.highWaterMarksChanged(); }
  get receiveHighWaterMark(): number { return this.live.receiveHighWaterMark; }
  set receiveHighWaterMark(v: number) { this.optionSet("receiveHighWaterMark"); this.live.receiveHighWaterMark = checkRange("receiveHighWaterMark", v, 0); this.highWaterMarksChanged(); }
  get receiveTimeout(): number { return this.live.receiveTimeout; }
  set receiveTimeout(v: number) { this.optionSet("receiveTimeout"); this.live.receiveTimeout = checkRange("receiveTimeout", v, -1); }
  get sendTimeout(): number { return this.live.sendTimeout; }
  set sendTimeout(v: number) { this.optionSet("sendTimeout"); this.live.sendTimeout = checkRange("sendTimeout", v, -1); }
  get linger(): number { return this.live.linger; }
  set linger(v: number) { this.optionSet("linger"); this.live.linger = checkRange("linger", v, -1); }
  get immediate(): boolean { return this.live.immediate; }
  set immediate(v: boolean) { this.optionSet("immediate"); this.live.immediate = checkBoolean(v); }
  get conflate(): boolean { return this.live.conflate; }
  set conflate(v: boolean) { this.optionSet("conflate"); this.live.conflate = checkBoolean(v); }
  get maxMessageSize(): number { return this.live.maxMessageSize; }
  set maxMessageSize(v: number) { this.optionSet("maxMessageSize"); this.live.maxMessageSize = Math.trunc(checkNumber(v)); } // an int64 in zeromq
  get reconnectInterval(): number { return this.live.reconnectInterval; }
  set reconnectInterval(v: number) { this.optionSet("reconnectInterval"); this.live.reconnectInterval = checkRange("reconnectInterval", v, -1); }
  get reconnectMaxInterval(): number { return this.live.reconnectMaxInterval; }
  set reconnectMaxInterval(v: number) { this.optionSet("reconnectMaxInterval"); this.live.reconnectMaxInterval = checkRange("reconnectMaxInterval", v, 0); }
  get heartbeatInterval(): number { return this.live.heartbeatInterval; }
  set heartbeatInterval(v: number) { this.optionSet("heartbeatInterval"); this.live.heartbeatInterval = checkRange("heartbeatInterval", v, 0); }
  get heartbeatTimeToLive(): number { return this.live.heartbeatTimeToLive; }
  // Sent in deciseconds as 16 bits: at most 6553.5 s.
  set heartbeatTimeToLive(v: number) { this.optionSet("heartbeatTimeToLive"); this.live.heartbeatTimeToLive = checkRange("heartbeatTimeToLive", v, 0, 65535 * 100 + 99); }
  get heartbeatTimeout(): number { return this.live.heartbeatTimeout; }
  set heartbeatTimeout(v: number) { this.optionSet("heartbeatTimeout"); this.live.heartbeatTimeout = checkRange("heartbeatTimeout", v, 0); }
  get handshakeInterval(): number { return this.live.handshakeInterval; }
  set handshakeInterval(v: number) { this.optionSet("handshakeInterval"); this.live.handshakeInterval = checkRange("handshakeInterval", v, 0); }
  get routingId(): string | null { return this.live.routingId; }
  /** A string (sent as UTF-8) or, as zeromq takes it too, the bytes themselves. */
  set routingId(v: string | Uint8Array | null) {
    this.optionSet("routingId");
    if (v instanceof Uint8Array) {
      if (v.length < 1 || v.length > 255) throw invalid();
      this.routingIdRaw = Buffer.from(v);
      this.live.routingId = this.routingIdRaw.toString();
    } else {
      this.live.routingId = checkShortString("routingId", checkSetString(v));
      this.routingIdRaw = this.live.routingId === null ? null : Buffer.from(this.live.routingId);
    }
  }
  get zapDomain(): string | null { return this.live.zapDomain === "" ? null : this.live.zapDomain; }
  set zapDomain(v: string | null) { this.optionSet("zapDomain"); this.live.zapDomain = checkShortString("zapDomain", checkSetString(v))!; }
  get plainServer(): boolean { return this.live.plainServer; }
  set plainServer(v: boolean) { this.optionSet("plainServer"); this.live.plainServer = checkBoolean(v); }
  get plainUsername(): string | null { return this.live.plainUsername; }
  set plainUsername(v: string | null) { this.optionSet("plainUsername"); this.live.plainUsername = checkShortString("plainUsername", v); }
  get plainPassword(): string | null { return this.live.plainPassword; }
  set plainPassword(v: string | null) { this.optionSet("plainPassword"); this.live.plainPassword = checkShortString("plainPassword", v); }
  get curveServer(): boolean { return this.live.curveServer; }
  set curveServer(v: boolean) { this.optionSet("curveServer"); this.live.curveServer = checkBoolean(v); }
  get curvePublicKey(): string | null { return this.live.curvePublicKey; }
  set curvePublicKey(v: string | null) { this.optionSet("curvePublicKey"); this.live.curvePublicKey = checkCurveKey("curvePublicKey", v); }
  get curveSecretKey(): string | null { return this.live.curveSecretKey; }
  set curveSecretKey(v: string | null) { this.optionSet("curveSecretKey"); this.live.curveSecretKey = checkCurveKey("curveSecretKey", v); }
  get curveServerKey(): string | null { return this.live.curveServerKey; }
  set curveServerKey(v: string | null) { this.optionSet("curveServerKey"); this.live.curveServerKey = checkCurveKey("curveServerKey", v); }
  /** Binding `tcp://*` listens on IPv6 and IPv4; host names resolve to either family. */
  get ipv6(): boolean { return this.live.ipv6; }
  set ipv6(v: boolean) { this.optionSet("ipv6"); this.live.ipv6 = checkBoolean(v); }
  get backlog(): number { return this.live.backlog; }
  set backlog(v: number) { this.optionSet("backlog"); this.live.backlog = checkRange("backlog", v, 0); }
  /** ms a tcp connect may take before it is abandoned and retried; 0 leaves it to the OS. */
  get connectTimeout(): number { return this.live.connectTimeout; }
  set connectTimeout(v: number) { this.optionSet("connectTimeout"); this.live.connectTimeout = checkRange("connectTimeout", v, 0); }
  /** 1 turns SO_KEEPALIVE on, 0 off, -1 leaves the OS default. */
  get tcpKeepalive(): number { return this.live.tcpKeepalive; }
  set tcpKeepalive(v: number) { this.optionSet("tcpKeepalive"); this.live.tcpKeepalive = checkRange("tcpKeepalive", v, -1, 1); }
  /** Seconds idle before the first keepalive probe (with tcpKeepalive 1); -1: OS default. */
  get tcpKeepaliveIdle(): number { return this.live.tcpKeepaliveIdle; }
  set tcpKeepaliveIdle(v: number) { this.optionSet("tcpKeepaliveIdle"); this.live.tcpKeepaliveIdle = checkRange("tcpKeepaliveIdle", v, -1); }
  get tcpKeepaliveCount(): number { return this.live.tcpKeepaliveCount; }
  set tcpKeepaliveCount(v: number) { this.optionSet("tcpKeepaliveCount"); this.setNotApplied("tcpKeepaliveCount", v, -1); }
  get tcpKeepaliveInterval(): number { return this.live.tcpKeepaliveInterval; }
  set tcpKeepaliveInterval(v: number) { this.optionSet("tcpKeepaliveInterval"); this.setNotApplied("tcpKeepaliveInterval", v, -1); }
  get tcpMaxRetransmitTimeout(): number { return this.live.tcpMaxRetransmitTimeout; }
  set tcpMaxRetransmitTimeout(v: number) { this.optionSet("tcpMaxRetransmitTimeout"); this.setNotApplied("tcpMaxRetransmitTimeout", v, 0); }
  get sendBufferSize(): number { return this.live.sendBufferSize; }
  set sendBufferSize(v: number) { this.optionSet("sendBufferSize"); this.setNotApplied("sendBufferSize", v, -1); }
  get receiveBufferSize(): number { return this.live.receiveBufferSize; }
  set receiveBufferSize(v: number) { this.optionSet("receiveBufferSize"); this.setNotApplied("receiveBufferSize", v, -1); }
  get typeOfService(): number { return this.live.typeOfService; }
  set typeOfService(v: number) { this.optionSet("typeOfService"); this.setNotApplied("typeOfService", v, 0); }
  /** ZAP only for a set zapDomain, and then no handler refuses the peer (libzmq's EFAULT). */
  get zapEnforceDomain(): boolean { return this.live.zapEnforceDomain; }
  set zapEnforceDomain(v: boolean) { this.optionSet("zapEnforceDomain"); this.live.zapEnforceDomain = checkBoolean(v); }
  // Windows loopback, I/O-thread and multicast (pgm) settings: libzmq accepts them on every
  // socket and only the matching transport or platform uses them; wiremq has none of those.
  /**
   * TLS for wss:// (wiremq's own option; zeromq's build has no TLS): Node's `ca`, `cert`, `key`,
   * `passphrase`, `rejectUnauthorized`, `requestCert` and `servername`, checked when set. A wss
   * bind needs `cert` and `key` (with `requestCert`, clients need a certificate `ca` signed).
   * Reading it back gives a WsTls, which never prints the key or passphrase.
   */
  get tls(): WsTls | null { return this.live.tls; }
  set tls(v: WsTlsOptions | WsTls | null) { this.optionSet("tls"); this.live.tls = v === null ? null : WsTls.from(v); }
  get loopbackFastPath(): boolean { return this.live.loopbackFastPath; }
  set loopbackFastPath(v: boolean) { this.optionSet("loopbackFastPath"); this.live.loopbackFastPath = checkBoolean(v); }
  get affinity(): number { return this.live.affinity; }
  set affinity(v: number) { this.optionSet("affinity"); this.live.affinity = uint64(checkNumber(v)); }
  get rate(): number { return this.live.rate; }
  set rate(v: number) { this.optionSet("rate"); this.live.rate = checkRange("rate", v, 1); }
  get recoveryInterval(): number { return this.live.recoveryInterval; }
  set recoveryInterval(v: number) { this.optionSet("recoveryInterval"); this.live.recoveryInterval = checkRange("recoveryInterval", v, 0); }
  get multicastHops(): number { return this.live.multicastHops; }
  set multicastHops(v: number) { this.optionSet("multicastHops"); this.live.multicastHops = checkRange("multicastHops", v, 1); }
  get multicastMaxTransportDataUnit(): number { return this.live.multicastMaxTransportDataUnit; }
  set multicastMaxTransportDataUnit(v: number) { this.optionSet("multicastMaxTransportDataUnit"); this.live.multicastMaxTransportDataUnit = checkRange("multicastMaxTransportDataUnit", v, 1); }
  get socksProxy(): string | null { return this.live.socksProxy; }
  // libzmq takes any string (a bad one fails at connect) and unsets with null or "".
  set socksProxy(v: string | null) { this.optionSet("socksProxy"); this.live.socksProxy = checkString(v) || null; }
  get interface(): string | null { return this.live && null; }
  set interface(v: string | null) { this.optionSet("interface"); void this.live; refuseUnsupported("interface", v); }
  get tcpAcceptFilter(): string | null { return this.live && null; }
  set tcpAcceptFilter(v: string | null) { this.optionSet("tcpAcceptFilter"); void this.live; refuseUnsupported("tcpAcceptFilter", v); }

  // ---- options by libzmq number, as zeromq's Socket has them -------------------------------

  getBoolOption(...args: [id: number]): boolean { return this.optionById("Bool", args) as boolean; }
  setBoolOption(...args: [id: number, value: boolean]): void { this.optionById("Bool", args, true); }
  getInt32Option(...args: [id: number]): number { return this.optionById("Int32", args) as number; }
  setInt32Option(...args: [id: number, value: number]): void { this.optionById("Int32", args, true); }
  getUint32Option(...args: [id: number]): number { return this.optionById("Uint32", args) as number; }
  setUint32Option(...args: [id: number, value: number]): void { this.optionById("Uint32", args, true); }
  getInt64Option(...args: [id: number]): number { return this.optionById("Int64", args) as number; }
  setInt64Option(...args: [id: number, value: number]): void { this.optionById("Int64", args, true); }
  getUint64Option(...args: [id: number]): number { return this.optionById("Uint64", args) as number; }
  setUint64Option(...args: [id: number, value: number]): void { this.optionById("Uint64", args, true); }
  getStringOption(...args: [id: number]): string | null { return this.optionById("String", args) as string | null; }
  setStringOption(...args: [id: number, value: string | Buffer | null]): void { this.optionById("String", args, true); }

  private optionById(type: OptionType, args: readonly unknown[], set = false): unknown {
    if (!set) return getOptionById(SOCKET_OPTION_IDS, this, type, args);
    // The property setter reached from here must not warn a second time.
    this.byId = true;
    try {
      setOptionById(SOCKET_OPTION_IDS, this, type, args, this.hasEndpoints);
    } finally {
      this.byId = false;
    }
    return undefined;
  }

  private byId = false;

  /** A high-water mark was set (Socket applies it to the pipes it has). */
  protected highWaterMarksChanged(): void {}

  /** True once the socket has bound or connected (and until it has no endpoint left), or closed. */
  protected get hasEndpoints(): boolean {
    return false;
  }

  /**
   * As zeromq: an option set on a socket with endpoints warns that it takes effect at the
   * next connect or bind, unless it is one that applies at once.
   */
  protected optionSet(name: string): void {
    if (!this.byId && this.hasEndpoints && !isImmediateOption(name)) emitWarning(LATE_OPTION_WARNING);
  }

  /** The mechanism the security options select (Socket's securityMechanism). */
  protected get mechanismSelected(): null | "plain" | "curve" {
    const o = this.live;
    if (selectsCurve(o)) return "curve";
    if (o.plainServer || o.plainUsername !== null || o.plainPassword !== null) return "plain";
    return null;
  }
  /**
   * The Context given to the constructor, else the shared one; undefined once the socket is
   * closed, as zeromq drops its reference then (typed as zeromq types it).
   */
  get context(): Context {
    if (this.optionsClosed) return undefined as unknown as Context;
    return this.ownContext ?? context;
  }

  /** Set when the socket closes: its options then read and write as zeromq's, ENOTSOCK. */
  protected optionsClosed = false;

  /** The option values for a public accessor: a closed socket has none. */
  protected get live(): SocketOptionValues {
    if (this.optionsClosed) throw zmqError("ENOTSOCK", "Socket operation on non-socket");
    return this.opts;
  }

  /** `fallback` is libzmq's default ("leave it to the OS"), also the lowest value allowed. */
  private setNotApplied(name: keyof typeof NOT_APPLIED & keyof SocketOptionValues, v: number, fallback: number): void {
    const value = checkRange(name, v, fallback);
    if (value !== fallback) warnNotApplied(name);
    (this.live as unknown as Record<string, number>)[name] = value;
  }
}

/** A `context` in socket options must be a Context; zeromq refuses anything else (undefined too) with this. */
export function checkContextOption(options: unknown): void {
  if (isObject(options) && "context" in options && !(options.context instanceof Context)) throw new WiremqError("EINVAL", "Invalid argument");
}
