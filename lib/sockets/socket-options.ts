/**
 * Socket options as properties with the `zeromq` package's names, defaults and type checks.
 * Kept apart from the Socket class so that class holds behaviour only.
 */
import { Context, context } from "../context.js";
import { zmqError } from "../errors.js";
import { curveKeyBytes } from "../mechanisms/curve-keys.js";

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
}

/** What every socket's constructor takes: its options, and the Context it belongs to. */
export type SocketOptionsInit = Omit<Partial<SocketOptionValues>, "routingId" | "zapDomain"> & {
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
  };
}

export function checkNumber(value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) throw new TypeError("Option value must be a number");
  return value;
}

export function checkBoolean(value: unknown): boolean {
  if (typeof value !== "boolean") throw new TypeError("Option value must be a boolean");
  return value;
}

export function checkString(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== "string") throw new TypeError("Option value must be a string");
  return value;
}

const INT32_MAX = 2 ** 31 - 1;

/** A number in libzmq's range for the option (an int32 from `min`), else EINVAL as libzmq. */
function checkRange(name: string, value: unknown, min: number, max = INT32_MAX): number {
  const n = checkNumber(value);
  if (n < min || n > max) throw zmqError("EINVAL", `Invalid argument: ${name} must be from ${min} to ${max}`);
  return n;
}

/** A string option of 1 to 255 bytes (libzmq's limit), or null. */
function checkShortString(name: string, value: unknown): string | null {
  const s = checkString(value);
  if (s === null) return null;
  const bytes = Buffer.byteLength(s);
  if (bytes < 1 || bytes > 255) throw zmqError("EINVAL", `Invalid argument: ${name} must be 1 to 255 bytes`);
  return s;
}

/** A CURVE key option: 40 Z85 characters (checked now, as libzmq does), or null. */
function checkCurveKey(name: string, value: unknown): string | null {
  const s = checkString(value);
  if (s !== null) curveKeyBytes(s, name).fill(0);
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
  process.emitWarning(`${name} is kept but not applied: Node's net module cannot set ${NOT_APPLIED[name]}`, {
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
    if (options === undefined || options === null) return;
    // The context first: it gives the socket its ipv6 default, which later options may change.
    const given = (options as { context?: unknown }).context;
    if (given !== undefined) {
      if (!(given instanceof Context)) throw new TypeError("context must be a Context");
      this.ownContext = given;
      this.opts.ipv6 = given.ipv6;
      this.opts.linger = this.lingerDefault(given);
    }
    for (const [key, value] of Object.entries(options)) {
      if (key === "context") continue;
      if (!(key in this)) throw new TypeError(`Cannot add property ${key}, object is not extensible`);
      (this as Record<string, unknown>)[key] = value;
    }
  }

  get sendHighWaterMark(): number { return this.live.sendHighWaterMark; }
  set sendHighWaterMark(v: number) { this.live.sendHighWaterMark = checkRange("sendHighWaterMark", v, 0); }
  get receiveHighWaterMark(): number { return this.live.receiveHighWaterMark; }
  set receiveHighWaterMark(v: number) { this.live.receiveHighWaterMark = checkRange("receiveHighWaterMark", v, 0); }
  get receiveTimeout(): number { return this.live.receiveTimeout; }
  set receiveTimeout(v: number) { this.live.receiveTimeout = checkRange("receiveTimeout", v, -1); }
  get sendTimeout(): number { return this.live.sendTimeout; }
  set sendTimeout(v: number) { this.live.sendTimeout = checkRange("sendTimeout", v, -1); }
  get linger(): number { return this.live.linger; }
  set linger(v: number) { this.live.linger = checkRange("linger", v, -1); }
  get immediate(): boolean { return this.live.immediate; }
  set immediate(v: boolean) { this.live.immediate = checkBoolean(v); }
  get conflate(): boolean { return this.live.conflate; }
  set conflate(v: boolean) { this.live.conflate = checkBoolean(v); }
  get maxMessageSize(): number { return this.live.maxMessageSize; }
  set maxMessageSize(v: number) { this.live.maxMessageSize = checkNumber(v); }
  get reconnectInterval(): number { return this.live.reconnectInterval; }
  set reconnectInterval(v: number) { this.live.reconnectInterval = checkRange("reconnectInterval", v, -1); }
  get reconnectMaxInterval(): number { return this.live.reconnectMaxInterval; }
  set reconnectMaxInterval(v: number) { this.live.reconnectMaxInterval = checkRange("reconnectMaxInterval", v, 0); }
  get heartbeatInterval(): number { return this.live.heartbeatInterval; }
  set heartbeatInterval(v: number) { this.live.heartbeatInterval = checkRange("heartbeatInterval", v, 0); }
  get heartbeatTimeToLive(): number { return this.live.heartbeatTimeToLive; }
  // Sent in deciseconds as 16 bits: at most 6553.5 s.
  set heartbeatTimeToLive(v: number) { this.live.heartbeatTimeToLive = checkRange("heartbeatTimeToLive", v, 0, 65535 * 100 + 99); }
  get heartbeatTimeout(): number { return this.live.heartbeatTimeout; }
  set heartbeatTimeout(v: number) { this.live.heartbeatTimeout = checkRange("heartbeatTimeout", v, 0); }
  get handshakeInterval(): number { return this.live.handshakeInterval; }
  set handshakeInterval(v: number) { this.live.handshakeInterval = checkRange("handshakeInterval", v, 0); }
  get routingId(): string | null { return this.live.routingId; }
  /** A string (sent as UTF-8) or, as zeromq takes it too, the bytes themselves. */
  set routingId(v: string | Uint8Array | null) {
    if (v instanceof Uint8Array) {
      if (v.length < 1 || v.length > 255) throw zmqError("EINVAL", "Invalid argument: routingId must be 1 to 255 bytes");
      this.routingIdRaw = Buffer.from(v);
      this.live.routingId = this.routingIdRaw.toString();
    } else {
      this.live.routingId = checkShortString("routingId", v);
      this.routingIdRaw = this.live.routingId === null ? null : Buffer.from(this.live.routingId);
    }
  }
  get zapDomain(): string | null { return this.live.zapDomain === "" ? null : this.live.zapDomain; }
  set zapDomain(v: string | null) { this.live.zapDomain = checkShortString("zapDomain", v) ?? ""; }
  get plainServer(): boolean { return this.live.plainServer; }
  set plainServer(v: boolean) { this.live.plainServer = checkBoolean(v); }
  get plainUsername(): string | null { return this.live.plainUsername; }
  set plainUsername(v: string | null) { this.live.plainUsername = checkShortString("plainUsername", v); }
  get plainPassword(): string | null { return this.live.plainPassword; }
  set plainPassword(v: string | null) { this.live.plainPassword = checkShortString("plainPassword", v); }
  get curveServer(): boolean { return this.live.curveServer; }
  set curveServer(v: boolean) { this.live.curveServer = checkBoolean(v); }
  get curvePublicKey(): string | null { return this.live.curvePublicKey; }
  set curvePublicKey(v: string | null) { this.live.curvePublicKey = checkCurveKey("curvePublicKey", v); }
  get curveSecretKey(): string | null { return this.live.curveSecretKey; }
  set curveSecretKey(v: string | null) { this.live.curveSecretKey = checkCurveKey("curveSecretKey", v); }
  get curveServerKey(): string | null { return this.live.curveServerKey; }
  set curveServerKey(v: string | null) { this.live.curveServerKey = checkCurveKey("curveServerKey", v); }
  /** Binding `tcp://*` listens on IPv6 and IPv4; host names resolve to either family. */
  get ipv6(): boolean { return this.live.ipv6; }
  set ipv6(v: boolean) { this.live.ipv6 = checkBoolean(v); }
  get backlog(): number { return this.live.backlog; }
  set backlog(v: number) { this.live.backlog = checkRange("backlog", v, 0); }
  /** ms a tcp connect may take before it is abandoned and retried; 0 leaves it to the OS. */
  get connectTimeout(): number { return this.live.connectTimeout; }
  set connectTimeout(v: number) { this.live.connectTimeout = checkRange("connectTimeout", v, 0); }
  /** 1 turns SO_KEEPALIVE on, 0 off, -1 leaves the OS default. */
  get tcpKeepalive(): number { return this.live.tcpKeepalive; }
  set tcpKeepalive(v: number) { this.live.tcpKeepalive = checkRange("tcpKeepalive", v, -1, 1); }
  /** Seconds idle before the first keepalive probe (with tcpKeepalive 1); -1: OS default. */
  get tcpKeepaliveIdle(): number { return this.live.tcpKeepaliveIdle; }
  set tcpKeepaliveIdle(v: number) { this.live.tcpKeepaliveIdle = checkRange("tcpKeepaliveIdle", v, -1); }
  get tcpKeepaliveCount(): number { return this.live.tcpKeepaliveCount; }
  set tcpKeepaliveCount(v: number) { this.setNotApplied("tcpKeepaliveCount", v, -1); }
  get tcpKeepaliveInterval(): number { return this.live.tcpKeepaliveInterval; }
  set tcpKeepaliveInterval(v: number) { this.setNotApplied("tcpKeepaliveInterval", v, -1); }
  get tcpMaxRetransmitTimeout(): number { return this.live.tcpMaxRetransmitTimeout; }
  set tcpMaxRetransmitTimeout(v: number) { this.setNotApplied("tcpMaxRetransmitTimeout", v, 0); }
  get sendBufferSize(): number { return this.live.sendBufferSize; }
  set sendBufferSize(v: number) { this.setNotApplied("sendBufferSize", v, -1); }
  get receiveBufferSize(): number { return this.live.receiveBufferSize; }
  set receiveBufferSize(v: number) { this.setNotApplied("receiveBufferSize", v, -1); }
  get typeOfService(): number { return this.live.typeOfService; }
  set typeOfService(v: number) { this.setNotApplied("typeOfService", v, 0); }
  /** ZAP only for a set zapDomain, and then no handler refuses the peer (libzmq's EFAULT). */
  get zapEnforceDomain(): boolean { return this.live.zapEnforceDomain; }
  set zapEnforceDomain(v: boolean) { this.live.zapEnforceDomain = checkBoolean(v); }
  // Windows loopback, I/O-thread and multicast (pgm) settings: libzmq accepts them on every
  // socket and only the matching transport or platform uses them; wiremq has none of those.
  get loopbackFastPath(): boolean { return this.live.loopbackFastPath; }
  set loopbackFastPath(v: boolean) { this.live.loopbackFastPath = checkBoolean(v); }
  get affinity(): number { return this.live.affinity; }
  set affinity(v: number) { this.live.affinity = checkNumber(v); }
  get rate(): number { return this.live.rate; }
  set rate(v: number) { this.live.rate = checkRange("rate", v, 1); }
  get recoveryInterval(): number { return this.live.recoveryInterval; }
  set recoveryInterval(v: number) { this.live.recoveryInterval = checkRange("recoveryInterval", v, 0); }
  get multicastHops(): number { return this.live.multicastHops; }
  set multicastHops(v: number) { this.live.multicastHops = checkRange("multicastHops", v, 1); }
  get multicastMaxTransportDataUnit(): number { return this.live.multicastMaxTransportDataUnit; }
  set multicastMaxTransportDataUnit(v: number) { this.live.multicastMaxTransportDataUnit = checkRange("multicastMaxTransportDataUnit", v, 1); }
  get socksProxy(): string | null { return this.live && null; }
  set socksProxy(v: string | null) { void this.live; refuseUnsupported("socksProxy", v); }
  get interface(): string | null { return this.live && null; }
  set interface(v: string | null) { void this.live; refuseUnsupported("interface", v); }
  get tcpAcceptFilter(): string | null { return this.live && null; }
  set tcpAcceptFilter(v: string | null) { void this.live; refuseUnsupported("tcpAcceptFilter", v); }

  /** The mechanism the security options select: "curve", "plain", or null for NULL. */
  get securityMechanism(): null | "plain" | "curve" {
    const o = this.live;
    if (o.curveServer || o.curveServerKey !== null) return "curve";
    if (o.plainServer || o.plainUsername !== null || o.plainPassword !== null) return "plain";
    return null;
  }
  get threadSafe(): boolean {
    void this.live;
    return false;
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

