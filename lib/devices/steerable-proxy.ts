import type { Socket } from "../sockets/socket.js";
import type { MessageLike } from "../sockets/message.js";
import { ZmqError } from "../errors.js";
import { ControlChannel, type ControlSocket, type Steerable } from "./control-channel.js";
import { Proxy } from "./proxy.js";
import { TrafficStats, type TrafficCounts } from "./traffic-stats.js";

/** A socket that takes a copy of every message (PUB, PUSH, PAIR, DEALER, ...). */
export interface CaptureSocket {
  readonly closed: boolean;
  /** Takes a copy of one message, as it passed. */
  send(message: MessageLike[]): Promise<void>;
  /** Closes the socket; the proxy calls it when it ends. */
  close(): Promise<void>;
}

/** Options of a {@link SteerableProxy} and of the device makers (`queueDevice`, `createDevice`, ...). */
export interface SteerableProxyOptions {
  /** Gets a copy of each message either way before it is passed on, as libzmq's capture. */
  capture?: CaptureSocket;
  /**
   * Takes PAUSE, RESUME, TERMINATE and STATISTICS, as libzmq's `zmq_proxy_steerable`. The
   * device closes it on TERMINATE right after answering, so give a REP control socket a
   * `linger` for that answer to get out.
   */
  control?: ControlSocket;
}

/**
 * A `Proxy` with libzmq's extras: a capture socket, a control socket, and message and byte
 * counts each way. It owns every socket it is given: when it ends, all of them are closed.
 */
export class SteerableProxy<F extends Socket = Socket, B extends Socket = Socket> extends Proxy<F, B> implements Steerable {
  readonly capture: CaptureSocket | null;
  readonly control: ControlSocket | null;
  readonly #stats = new TrafficStats();
  readonly #channel: ControlChannel | null;
  #started = false;

  constructor(frontEnd: F, backEnd: B, options: SteerableProxyOptions = {}) {
    super(frontEnd, backEnd);
    if (typeof options !== "object" || options === null) throw new ZmqError("EINVAL", "options must be an object");
    this.capture = options.capture ?? null;
    this.control = options.control ?? null;
    // Checks the control socket's type now, so a wrong one fails at construction.
    this.#channel = this.control === null ? null : new ControlChannel(this.control, this);
  }

  /** Commands the control socket sent that were not understood. */
  get rejectedCommands(): number {
    return this.#channel?.rejected ?? 0;
  }

  /** Messages and bytes passed each way since `run()`. */
  statistics(): TrafficCounts {
    return this.#stats.snapshot();
  }

  override async run(): Promise<void> {
    if (this.#started) throw new ZmqError("EBUSY", "Proxy is already running");
    this.#started = true;
    let controlFailure: unknown = null;
    const serving = this.#channel?.serve().catch((err: unknown) => {
      controlFailure = err;
      this.terminate();
    });
    try {
      await this.proxy();
    } finally {
      await Promise.all([this.capture?.close(), this.control?.close()]);
      await serving;
    }
    if (controlFailure !== null) throw controlFailure;
  }

  /**
   * Unlike zeromq's Proxy, a steerable proxy may be paused, resumed or terminated before it
   * runs (a device terminated before run() releases what it holds when run).
   */
  override pause(): void {
    this.pauseProxy();
  }

  override resume(): void {
    this.resumeProxy();
  }

  override terminate(): void {
    this.terminateProxy();
  }

  protected override forwarding(msg: Buffer[], fromFrontEnd: boolean): Promise<void> | undefined {
    this.#stats.passed(msg, fromFrontEnd);
    const capture = this.capture;
    if (capture === null || capture.closed) return undefined;
    return capture.send(msg).catch((err: unknown) => {
      // A capture socket closed by its owner stops capturing; the device goes on.
      if (!capture.closed) throw err;
    });
  }
}
