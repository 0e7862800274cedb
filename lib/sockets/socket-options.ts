/**
 * Socket options as properties with the `zeromq` package's names, defaults and type checks.
 * Kept apart from the Socket class so that class holds behaviour only.
 */
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
}

export function defaultOptions(): SocketOptionValues {
  return {
    sendHighWaterMark: 1000,
    receiveHighWaterMark: 1000,
    sendTimeout: -1,
    receiveTimeout: -1,
    linger: 0,
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

export abstract class SocketOptions {
  /** @internal */
  protected readonly opts: SocketOptionValues = defaultOptions();

  /** Applies a constructor options object; unknown names throw as in `zeromq`. */
  protected applyOptions(options: object | undefined): void {
    if (options === undefined || options === null) return;
    for (const [key, value] of Object.entries(options)) {
      if (!(key in this)) throw new TypeError(`Cannot add property ${key}, object is not extensible`);
      (this as Record<string, unknown>)[key] = value;
    }
  }

  get sendHighWaterMark(): number { return this.opts.sendHighWaterMark; }
  set sendHighWaterMark(v: number) { this.opts.sendHighWaterMark = checkNumber(v); }
  get receiveHighWaterMark(): number { return this.opts.receiveHighWaterMark; }
  set receiveHighWaterMark(v: number) { this.opts.receiveHighWaterMark = checkNumber(v); }
  get receiveTimeout(): number { return this.opts.receiveTimeout; }
  set receiveTimeout(v: number) { this.opts.receiveTimeout = checkNumber(v); }
  get sendTimeout(): number { return this.opts.sendTimeout; }
  set sendTimeout(v: number) { this.opts.sendTimeout = checkNumber(v); }
  get linger(): number { return this.opts.linger; }
  set linger(v: number) { this.opts.linger = checkNumber(v); }
  get immediate(): boolean { return this.opts.immediate; }
  set immediate(v: boolean) { this.opts.immediate = checkBoolean(v); }
  get conflate(): boolean { return this.opts.conflate; }
  set conflate(v: boolean) { this.opts.conflate = checkBoolean(v); }
  get maxMessageSize(): number { return this.opts.maxMessageSize; }
  set maxMessageSize(v: number) { this.opts.maxMessageSize = checkNumber(v); }
  get reconnectInterval(): number { return this.opts.reconnectInterval; }
  set reconnectInterval(v: number) { this.opts.reconnectInterval = checkNumber(v); }
  get reconnectMaxInterval(): number { return this.opts.reconnectMaxInterval; }
  set reconnectMaxInterval(v: number) { this.opts.reconnectMaxInterval = checkNumber(v); }
  get heartbeatInterval(): number { return this.opts.heartbeatInterval; }
  set heartbeatInterval(v: number) { this.opts.heartbeatInterval = checkNumber(v); }
  get heartbeatTimeToLive(): number { return this.opts.heartbeatTimeToLive; }
  set heartbeatTimeToLive(v: number) { this.opts.heartbeatTimeToLive = checkNumber(v); }
  get heartbeatTimeout(): number { return this.opts.heartbeatTimeout; }
  set heartbeatTimeout(v: number) { this.opts.heartbeatTimeout = checkNumber(v); }
  get handshakeInterval(): number { return this.opts.handshakeInterval; }
  set handshakeInterval(v: number) { this.opts.handshakeInterval = checkNumber(v); }
  get routingId(): string | null { return this.opts.routingId; }
  set routingId(v: string | null) { this.opts.routingId = checkString(v); }
  get zapDomain(): string { return this.opts.zapDomain; }
  set zapDomain(v: string) { this.opts.zapDomain = checkString(v) ?? ""; }
  get plainServer(): boolean { return this.opts.plainServer; }
  set plainServer(v: boolean) { this.opts.plainServer = checkBoolean(v); }
  get plainUsername(): string | null { return this.opts.plainUsername; }
  set plainUsername(v: string | null) { this.opts.plainUsername = checkString(v); }
  get plainPassword(): string | null { return this.opts.plainPassword; }
  set plainPassword(v: string | null) { this.opts.plainPassword = checkString(v); }
  get curveServer(): boolean { return this.opts.curveServer; }
  set curveServer(v: boolean) { this.opts.curveServer = checkBoolean(v); }
  get curvePublicKey(): string | null { return this.opts.curvePublicKey; }
  set curvePublicKey(v: string | null) { this.opts.curvePublicKey = checkString(v); }
  get curveSecretKey(): string | null { return this.opts.curveSecretKey; }
  set curveSecretKey(v: string | null) { this.opts.curveSecretKey = checkString(v); }
  get curveServerKey(): string | null { return this.opts.curveServerKey; }
  set curveServerKey(v: string | null) { this.opts.curveServerKey = checkString(v); }
}

