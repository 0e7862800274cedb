import type { Msg } from "../engine/pipe.js";
import { messages, WiremqError, WiremqTypeError, zmqError } from "../errors.js";
import { hasEndpoints, Socket, type ReceiveOptions } from "../sockets/socket.js";
import { checkArgumentCount, isObject } from "../util/arguments.js";

/** What the proxy needs of a socket: the public send/receive/close surface. */
interface ProxyEnd {
  receive(options?: ReceiveOptions): Promise<Msg>;
  send(message: Msg): Promise<void>;
  close(): unknown;
  readonly closed: boolean;
}

/**
 * zeromq's `Proxy`: moves messages between a front-end and a back-end socket in both
 * directions until terminated: a queue (ROUTER ↔ DEALER), a forwarder (XSUB ↔ XPUB) or a
 * streamer (PULL ↔ PUSH; a direction whose source cannot receive simply stays idle).
 * Built only from the public socket API: a receive loop per direction that awaits each
 * send, so a slow side pushes back on the other. `pause()` stops taking messages (they wait
 * in the sockets' queues), `resume()` goes on, `terminate()` closes both sockets and makes
 * `run()` resolve.
 */
export class Proxy<F extends Socket = Socket, B extends Socket = Socket> {
  readonly frontEnd: F;
  readonly backEnd: B;
  private running = false;
  private terminated = false;
  private paused = false;
  /** Aborts the receives in progress when the proxy pauses or terminates. */
  private abort = new AbortController();
  private resumed: Array<() => void> = [];

  constructor(frontEnd: F, backEnd: B) {
    // zeromq's checks and texts: the arguments' types, their count, then that both are sockets.
    if (!isObject(frontEnd)) throw new WiremqTypeError("EINVAL", "Front-end must be a socket object");
    if (!isObject(backEnd)) throw new WiremqTypeError("EINVAL", "Back-end must be a socket object");
    // eslint-disable-next-line prefer-rest-params
    checkArgumentCount(arguments, 2);
    if (!(frontEnd instanceof Socket) || !(backEnd instanceof Socket)) throw new WiremqError("EINVAL", "Invalid argument");
    this.frontEnd = frontEnd;
    this.backEnd = backEnd;
  }

  /**
   * Proxies until `terminate()` (or until either socket is closed), then closes both
   * sockets. Rejects if a socket fails in an unexpected way. As zeromq's, throws EINVAL at
   * once when an end has no endpoint bound or connected (a closed socket has none).
   */
  run(): Promise<void> {
    // eslint-disable-next-line prefer-rest-params
    checkArgumentCount(arguments, 0);
    if (!hasEndpoints(this.frontEnd)) throw zmqError("EINVAL", "Front-end socket must be bound or connected");
    if (!hasEndpoints(this.backEnd)) throw zmqError("EINVAL", "Back-end socket must be bound or connected");
    return this.proxy();
  }

  /**
   * Stops moving messages until `resume()`; queued messages wait in the sockets. Like
   * `resume()` and `terminate()`, this throws EBADF ("Socket is closed") unless `run()` is in
   * progress: zeromq steers a proxy through a control socket that exists only while it runs.
   */
  pause(): void {
    // eslint-disable-next-line prefer-rest-params
    checkArgumentCount(arguments, 0);
    this.checkRunning();
    this.pauseProxy();
  }

  /** Goes on after `pause()`. */
  resume(): void {
    // eslint-disable-next-line prefer-rest-params
    checkArgumentCount(arguments, 0);
    this.checkRunning();
    this.resumeProxy();
  }

  /** Stops the proxy; both sockets are closed and `run()` resolves. */
  terminate(): void {
    // eslint-disable-next-line prefer-rest-params
    checkArgumentCount(arguments, 0);
    this.checkRunning();
    this.terminateProxy();
  }

  private checkRunning(): void {
    if (!this.running) throw zmqError("EBADF", messages.EBADF);
  }

  /** run() without zeromq's checks, for devices built on this one (a terminated proxy ends at once). */
  protected async proxy(): Promise<void> {
    if (this.running) throw new WiremqError("EBUSY", "Proxy is already running");
    this.running = true;
    const front = this.frontEnd as unknown as ProxyEnd;
    const back = this.backEnd as unknown as ProxyEnd;
    let failure: unknown = null;
    const fail = (err: unknown): void => {
      if (failure === null) failure = err;
      this.stop();
    };
    try {
      if (!this.terminated) {
        await Promise.all([this.pump(front, back, true).catch(fail), this.pump(back, front, false).catch(fail)]);
      }
    } finally {
      this.stop();
      await Promise.all([front.close(), back.close()]);
      this.running = false;
    }
    if (failure !== null) throw failure;
  }

  /** pause() at any time (a no-op once terminated). */
  protected pauseProxy(): void {
    if (this.terminated || this.paused) return;
    this.paused = true;
    this.abort.abort();
    this.abort = new AbortController();
  }

  /** resume() at any time. */
  protected resumeProxy(): void {
    if (!this.paused) return;
    this.paused = false;
    const waiting = this.resumed;
    this.resumed = [];
    for (const wake of waiting) wake();
  }

  /** terminate() at any time: before run(), run() then ends at once. */
  protected terminateProxy(): void {
    if (this.terminated) return;
    this.stop();
    if (this.running) {
      // Closing the sockets ends the receives and sends in progress.
      void this.frontEnd.close();
      void this.backEnd.close();
    }
  }

  private stop(): void {
    this.terminated = true;
    this.abort.abort();
    this.resumeProxy();
  }

  /**
   * Sees each message after it is taken and before it is passed on, for subclasses that
   * count or capture traffic (the steerable proxy). A promise it returns is awaited before
   * the message goes on, so a slow capture pushes back as in libzmq; a rejection ends the
   * proxy as a failure of either socket would.
   */
  protected forwarding(_msg: Msg, _fromFrontEnd: boolean): Promise<void> | undefined {
    return undefined;
  }

  private whenResumed(): Promise<void> {
    return new Promise((resolve) => this.resumed.push(resolve));
  }

  /** Moves messages from one socket to the other until the proxy ends. */
  private async pump(from: ProxyEnd, to: ProxyEnd, fromFrontEnd: boolean): Promise<void> {
    while (!this.terminated) {
      if (this.paused) {
        await this.whenResumed();
        continue;
      }
      let msg: Msg;
      try {
        msg = await from.receive({ signal: this.abort.signal });
      } catch (err) {
        if (this.terminated) return;
        if (from.closed || to.closed) break;
        if (this.paused) continue;
        // A socket that cannot receive (PUSH, PUB) leaves this direction idle.
        if ((err as { code?: string }).code === "ENOTSUP") return;
        throw err;
      }
      // A message taken just as the proxy paused waits for resume.
      if (this.paused) await this.whenResumed();
      if (this.terminated) return;
      const observed = this.forwarding(msg, fromFrontEnd);
      if (observed !== undefined) await observed;
      try {
        await to.send(msg);
      } catch (err) {
        if (this.terminated || from.closed || to.closed) break;
        throw err;
      }
    }
    // Either socket closed from outside ends the whole proxy.
    this.terminateProxy();
  }
}
