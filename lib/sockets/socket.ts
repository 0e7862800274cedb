import type { Socket as NetSocket } from "node:net";
import { messages, WiremqTypeError, zmqError } from "../errors.js";
import { socketOfTypeNumber, typeNumberOf } from "./socket-registry.js";
import type { Engine, EngineHost } from "../engine/engine.js";
import { Pipe, type Msg, type PipeOwner } from "../engine/pipe.js";
import { Endpoints, type ConnectOptions } from "./endpoints.js";
import { zmtpStreamEngine } from "./transport-registry.js";
import type { PeerOwner } from "./peer-owner.js";
import { Observer } from "./observer.js";
import type { SocketOptionValues } from "./socket-options.js";
import { MessageExchange } from "./exchange.js";
import { EndpointBlock } from "./endpoint-block.js";
import { lingerInBackground, trackOpen, untrackOpen, type ExitLinger } from "./lifetime.js";
import { nextTurn } from "./turn-budget.js";

export type { ConnectOptions } from "./endpoints.js";

export type { ReceiveOptions, SendOptions } from "./exchange.js";

const RESOLVED: Promise<void> = Promise.resolve();

/** An unset routing id: one empty buffer (a zero-length buffer cannot be written into). */
const NO_ROUTING_ID = Buffer.alloc(0);
/** util.inspect's hook, by its registered name so that this file needs no node:util. */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** Made in Socket's static block (see there), before any socket is. */
let SocketAsPeerOwner: new (socket: Socket) => PeerOwner;

/**
 * The base of every socket type: endpoints, connections, options, events, and the
 * send/receive promises. A subclass supplies only its routing strategy through attach,
 * detach, xsend and xrecv.
 */

export abstract class Socket extends MessageExchange implements PipeOwner, ExitLinger {
  private readonly observer = new Observer();
  private isClosed = false;
  private readonly block = new EndpointBlock(() => this.closeNow());
  /** At exit, undelivered messages were waited for once (see lingerAtExit). */
  private exitLingered = false;
  private readonly endpoints!: Endpoints;
  /** The socket as its endpoints and engines see it. */
  private readonly peerOwner!: PeerOwner;
  /** Every live pipe, ended at close. */
  protected readonly pipes = new Set<Pipe>();

  /** The ZMTP Socket-Type. */
  readonly socketType!: string;

  /**
   * A subclass passes its Socket-Type. Called directly, as zeromq's `new Socket(type,
   * options)` with libzmq's type number, it makes a socket of that type's class.
   */
  protected constructor(socketType: string, options?: object) {
    if ((new.target as unknown) === Socket) {
      // eslint-disable-next-line prefer-rest-params
      return socketOfTypeNumber(arguments) as this;
    }
    super();
    this.socketType = socketType;
    this.peerOwner = new SocketAsPeerOwner(this);
    this.endpoints = new Endpoints(this.peerOwner);
    endpointsOf.set(this, this.endpoints);
    this.applyOptions(options);
  }

  /** libzmq's number for the socket type (ZMQ_TYPE), as zeromq's `type`. */
  get type(): number {
    void this.live;
    return typeNumberOf(this.socketType);
  }

  /**
   * zeromq's socket keeps its state native and shows none (`JSON.stringify` gives `{}`); this
   * one's internal fields would be serialised, and they hold cycles.
   */
  toJSON(): Record<string, never> {
    return {};
  }

  // ---- strategy hooks ----------------------------------------------------------------------

  /** A new peer pipe is ready for routing. */
  protected abstract attach(pipe: Pipe): void;
  /** A pipe is gone (its inbound may still hold messages, which the strategy may drain). */
  protected abstract detach(pipe: Pipe): void;
  /** Called when a pipe gets its first inbound message after being empty. */
  protected xreadable(_pipe: Pipe): void {}
  /** Whether a pipe with this peer is accepted at all (PAIR takes one peer). */
  protected acceptsPipe(): boolean {
    return true;
  }
  /** Whether xsend would succeed now. */
  protected abstract get canSend(): boolean;
  /** Whether xrecv would return a message now. */
  protected abstract get canReceive(): boolean;
  /**
   * A connect-side pipe that outlived a lost connection is now served by a new one: the new
   * peer knows nothing of earlier state (SUB re-sends subscriptions, PUB forgets them).
   */
  protected xhiccup(_pipe: Pipe): void {}
  /** The connection serving a connect-side pipe that outlives it has ended (STREAM announces it). */
  protected xconnectionEnded(_pipe: Pipe): void {}
  /**
   * True when each connection gets its own pipe, made at handshake and ended at disconnect,
   * instead of one pipe per connect() that queues across reconnects. ROUTER needs this, since
   * a pipe is known by the peer's routing id, which only the handshake tells.
   */
  protected get pipePerConnection(): boolean {
    return this.opts.immediate;
  }

  // ---- state ---------------------------------------------------------------------------------

  /** The monitor; as in zeromq it keeps events from the first time this is read. */
  get events(): Observer {
    void this.live; // ENOTSOCK once closed, as zeromq
    return this.observer.watch();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  // Read-only properties live on Socket, so that assigning one throws zeromq's TypeError text
  // ("Cannot set property threadSafe of #<Socket> which has only a getter").

  /** The mechanism the security options select: "curve", "plain", or null for NULL. */
  get securityMechanism(): null | "plain" | "curve" {
    return this.mechanismSelected;
  }

  get threadSafe(): boolean {
    void this.live;
    return false;
  }

  protected override get hasEndpoints(): boolean {
    // A bind in progress counts: libzmq's has already begun when zeromq's bind() returns.
    return this.isClosed || this.block.blocked || this.endpoints.any;
  }

  get readable(): boolean {
    return !this.isClosed && this.canReceive;
  }

  get writable(): boolean {
    return !this.isClosed && this.canSend;
  }

  get lastEndpoint(): string | null {
    void this.live;
    return this.endpoints.lastBound;
  }

  /**
   * What console.log and util.inspect show: the kind and state, never an option value, so no
   * key or password can reach a log (zeromq shows `Dealer {}`).
   */
  [INSPECT](): string {
    if (this.isClosed) return `${this.constructor.name} { closed: true }`;
    const bound = this.endpoints.lastBound;
    return `${this.constructor.name} { closed: false${bound === null ? "" : `, lastEndpoint: '${bound}'`} }`;
  }

  // ---- endpoints ---------------------------------------------------------------------------

  /**
   * Binds to an endpoint. As in zeromq, the socket is blocked until the promise settles:
   * any other endpoint call, send or receive meanwhile throws EBUSY.
   */
  bind(address: string): Promise<void> {
    checkAddress(address);
    this.checkOpen();
    return this.block.during(this.bindEndpoint(address));
  }

  private async bindEndpoint(address: string): Promise<void> {
    // zeromq binds on a worker thread, so even an inproc bind completes on a later turn of the
    // event loop; the socket stays blocked that long here too.
    await nextTurn(undefined);
    await this.endpoints.bind(address);
    trackOpen(this);
  }

  /**
   * Binds before returning and throws what bind() would reject with, as zeromq's `bindSync`
   * (zeromq/v5-compat's `bindSync` calls it). A tcp host must be an address, an interface
   * name or localhost: Node resolves other names only asynchronously.
   */
  bindSync(address: string): void {
    checkAddress(address);
    this.checkOpen();
    this.endpoints.bindSync(address);
    trackOpen(this);
  }

  /** Unbinds an endpoint; the socket is blocked meanwhile, as for bind. */
  unbind(address: string): Promise<void> {
    checkAddress(address);
    this.checkOpen();
    return this.block.during(this.unbindEndpoint(address));
  }

  private async unbindEndpoint(address: string): Promise<void> {
    await nextTurn(undefined); // as in bindEndpoint
    await this.endpoints.unbind(address);
  }

  /**
   * Unbinds before returning: the endpoint is free for a new bind at once (the `close` event
   * follows when the listener's connections are gone).
   */
  unbindSync(address: string): void {
    checkAddress(address);
    this.checkOpen();
    void this.endpoints.unbind(address);
  }

  connect(address: string, options?: ConnectOptions): void {
    checkAddress(address);
    this.checkOpen();
    this.endpoints.connect(address, options);
    trackOpen(this);
  }

  disconnect(address: string): void {
    checkAddress(address);
    this.checkOpen();
    this.endpoints.disconnect(address);
  }

  /**
   * wiremq's addition: unbinds and disconnects every endpoint, without cutting off what peers
   * already sent. Each tcp/ipc peer is left gracefully: this side stops sending and ends its
   * half of the connection, and goes on reading until the peer ends its own, so the messages in
   * the network (and, from a wiremq peer, those it had queued for this connection) still
   * arrive and wait for `receive()`. Other transports are let go of as by unbind/disconnect.
   * Resolves once every connection is closed; the socket stays open and may bind or connect
   * again. Keep receiving meanwhile: once the receive queue is full, the rest (and the peer's
   * end of the connection) waits in the network until you read. A peer that never ends its
   * side keeps the promise pending: bound it with your own timer, then close().
   *
   * @example
   * ```ts
   * import { Pull } from "wiremq";
   * const pull = new Pull();
   * pull.connect("tcp://127.0.0.1:5557");
   * const handle = (msg: Buffer[]): void => console.log(String(msg[0]));
   * // ... later, to leave the producers without losing what they sent:
   * const left = new AbortController();
   * const leaving = pull.disconnectAll().finally(() => left.abort()); // producers now send elsewhere
   * try {
   *   for (;;) handle(await pull.receive({ signal: left.signal }));
   * } catch (err) {
   *   if (!left.signal.aborted) throw err;
   * }
   * await leaving;
   * while (pull.readable) handle(await pull.receive()); // what arrived last
   * ```
   */
  disconnectAll(): Promise<void> {
    this.checkOpen();
    return this.endpoints.leave();
  }

  // ---- connections -------------------------------------------------------------------------

  private newPipe(endpoint: string): Pipe {
    const pipe = new Pipe(this.opts.sendHighWaterMark, this.opts.receiveHighWaterMark);
    pipe.endpoint = endpoint;
    pipe.conflate = this.opts.conflate;
    return pipe;
  }

  private attachPipe(pipe: Pipe): void {
    pipe.owner = this;
    this.pipes.add(pipe);
    this.attach(pipe);
    if (pipe.in.length > 0) this.onPipeReadable(pipe);
    this.retrySend();
  }

  /** A pipe the socket type serves by itself, outside tcp, ipc and inproc (udp://). */
  protected openOwnPipe(endpoint: string): Pipe {
    this.checkOpen();
    const pipe = this.newPipe(endpoint);
    this.attachPipe(pipe);
    return pipe;
  }

  private routingIdBytes(): Buffer {
    return this.routingIdRaw ?? NO_ROUTING_ID;
  }

  /** Makes the engine for a new tcp or ipc connection; STREAM overrides this with a raw one. */
  protected createEngine(sock: NetSocket, endpoint: string, host: EngineHost, peerAddress: () => string): Engine {
    return zmtpStreamEngine(this.peerOwner, sock, endpoint, host, peerAddress);
  }

  // ---- PipeOwner -----------------------------------------------------------------------------

  onPipeReadable(pipe: Pipe): void {
    this.xreadable(pipe);
    this.serveReceiveSoon();
  }

  onPipeWritable(_pipe: Pipe): void {
    this.retrySend();
  }

  onPipeTerminated(pipe: Pipe): void {
    // The strategy keeps a terminated pipe while it holds unread messages; this set only
    // tracks live pipes, so a long-lived socket does not collect ended ones.
    this.pipes.delete(pipe);
    this.detach(pipe);
  }

  // ---- send / receive ------------------------------------------------------------------------

  /**
   * As libzmq (update_pipe_options): a high-water mark set after connect or bind applies to the
   * pipes already made, so an inproc pipe between two sockets that raised theirs holds the sum.
   */
  protected override highWaterMarksChanged(): void {
    for (const pipe of this.pipes) {
      pipe.sendHwm = this.opts.sendHighWaterMark;
      pipe.receiveHwm = this.opts.receiveHighWaterMark;
    }
    this.retrySend();
  }

  /**
   * The async iterator of readable socket types, as zeromq's: each `next()` receives; it is done once the socket is closed, including for a
   * receive that close() cut short (EAGAIN), while any other error is thrown.
   */
  protected messages(): AsyncIterator<Msg, undefined> {
    return {
      next: async (): Promise<IteratorResult<Msg, undefined>> => {
        if (this.isClosed) return { done: true, value: undefined };
        try {
          return { done: false, value: await this.receive() };
        } catch (err) {
          if (this.isClosed && (err as { code?: unknown }).code === "EAGAIN") return { done: true, value: undefined };
          throw err;
        }
      },
    };
  }

  // ---- close ---------------------------------------------------------------------------------

  /**
   * Closes the socket, as zeromq's close(): pending send/receive calls reject with EAGAIN,
   * endpoints are released, and queued messages go on being delivered in the background for
   * up to `linger` ms (at exit the process waits for them; see lifetime.ts). During a bind or
   * unbind the close waits for it to finish. The promise resolves once the socket is closed;
   * it does not wait for delivery, so it cannot hang where zeromq's returns at once.
   */
  close(): Promise<void> {
    if (this.isClosed) return RESOLVED;
    if (this.block.blocked) return this.block.closeAfter();
    this.closeNow();
    return RESOLVED;
  }

  /** close() is delivering queued messages in the background: connections may still come up. */
  private lingering = false;

  private closeNow(): void {
    this.isClosed = true;
    this.optionsClosed = true;
    untrackOpen(this);
    this.cutShortWaiting();
    const linger = this.opts.linger;
    // The listening sockets are closed here and now (the ports are free); the connections
    // they took may linger.
    this.endpoints.closeBindings();
    // The observer closes itself once "end" is delivered.
    this.observer.emit({ type: "end" });
    if (linger === 0) {
      // libzmq's I/O thread takes each message off its pipe as soon as it is sent, so what a
      // program sent before close() is normally on the wire even with linger 0 (measured: 20
      // of 20 with zeromq). Here it waits for the next flush: write what the connections take now.
      for (const pipe of this.pipes) pipe.driver?.flushNow();
      this.release();
      return;
    }
    // An inproc pipe hands each message over as it is sent: nothing of its lingers, and its
    // peer learns of the close at once.
    for (const pipe of [...this.pipes]) if (pipe.peer !== null) pipe.terminate();
    // Connections still dialing keep dialing until the deadline: what was queued for them
    // goes out if they come up in time, as libzmq does.
    this.lingering = true;
    lingerInBackground(
      this.endpoints.linger(linger).then(() => {
        this.lingering = false;
        this.release();
      }),
    );
  }

  /** Ends every connection and pipe now, dropping what is still queued. */
  private release(): void {
    this.endpoints.release();
    // inproc peers keep what was already handed to them; our side ends here.
    for (const pipe of [...this.pipes]) pipe.terminate();
    this.pipes.clear();
  }

  /**
   * Some outbound message waits for a tcp or ipc connection (inproc hands them over at once).
   * Read at exit, when no write is in flight, so the pipes tell it all.
   */
  private hasUndelivered(): boolean {
    for (const pipe of this.pipes) if (!pipe.terminated && pipe.peer === null && pipe.out.length > 0) return true;
    return false;
  }

  /**
   * The process is about to exit with this socket open: zeromq closes it then, and its linger
   * applies to what it still has queued. Once per socket.
   */
  lingerAtExit(): Promise<void> | null {
    const linger = this.opts.linger;
    if (this.isClosed || this.exitLingered || linger === 0 || !this.hasUndelivered()) return null;
    this.exitLingered = true;
    return this.endpoints.linger(linger);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** zeromq's check at the start of every call: blocked by a bind or unbind, or closed. */
  protected checkOpen(): void {
    if (this.block.blocked) throw zmqError("EBUSY", messages.EBUSY_BLOCKED);
    if (this.isClosed) throw zmqError("EBADF", messages.EBADF);
  }

  static {
    /**
     * The socket as endpoints, engine hosting and inproc linking see it, reading its state at
     * each call. Declared in the class body so that it reaches private members as a member
     * would; a class rather than an object of closures, since every socket has one.
     */
    SocketAsPeerOwner = class implements PeerOwner {
      constructor(private readonly socket: Socket) {}
      get socketType(): string { return this.socket.socketType; }
      get events(): Observer { return this.socket.observer; }
      get options(): Readonly<SocketOptionValues> { return this.socket.opts; }
      get closed(): boolean { return this.socket.isClosed; }
      get lingering(): boolean { return this.socket.lingering; }
      get pipePerConnection(): boolean { return this.socket.pipePerConnection; }
      acceptsPipe(): boolean { return this.socket.acceptsPipe(); }
      newPipe(endpoint: string): Pipe { return this.socket.newPipe(endpoint); }
      attachPipe(pipe: Pipe): void { this.socket.attachPipe(pipe); }
      hiccup(pipe: Pipe): void { this.socket.xhiccup(pipe); }
      connectionEnded(pipe: Pipe): void { this.socket.xconnectionEnded(pipe); }
      routingIdBytes(): Buffer { return this.socket.routingIdBytes(); }
      createEngine(sock: NetSocket, endpoint: string, host: EngineHost, peerAddress: () => string): Engine {
        return this.socket.createEngine(sock, endpoint, host, peerAddress);
      }
    };
  }
}

/** Each socket's endpoints, for hasEndpoints (a WeakMap, so that no member of Socket is reached by name). */
const endpointsOf = new WeakMap<Socket, Endpoints>();

/** Whether a socket is open with an endpoint bound or connected, as zeromq's Proxy requires of its ends. */
export function hasEndpoints(socket: Socket): boolean {
  return !socket.closed && endpointsOf.get(socket)?.any === true;
}

/** zeromq's check of an address argument, before any other. */
function checkAddress(address: unknown): void {
  if (typeof address !== "string") throw new WiremqTypeError("EINVAL", "Address must be a string");
}

