import type { Msg } from "../engine/pipe.js";
import { Socket, type SendOptions } from "../sockets/socket.js";
import { checkArgumentCount, isObject } from "../util/arguments.js";

/** What the proxy needs of a socket: the public send/receive/close surface. */
interface ProxyEnd {
  receive(options?: SendOptions): Promise<Msg>;
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
    if (!isObject(frontEnd)) throw new TypeError("Front-end must be a socket object");
    if (!isObject(backEnd)) throw new TypeError("Back-end must be a socket object");
    // eslint-disable-next-line prefer-rest-params
    checkArgumentCount(arguments, 2);
    if (!(frontEnd instanceof Socket) || !(backEnd instanceof Socket)) throw new Error("Invalid argument");
    this.frontEnd = frontEnd;
    this.backEnd = backEnd;
  }

  /**
   * Proxies until `terminate()` (or until either socket is closed), then closes both
   * sockets. Rejects if a socket fails in an unexpected way.
   */
  async run(): Promise<void> {
    if (this.running) throw new Error("Proxy is already running");
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
      this.running = false;
      this.stop();
      await Promise.all([front.close(), back.close()]);
    }
    if (failure !== null) throw failure;
  }

  /** Stops moving messages until `resume()`; queued messages wait in the sockets. */
  pause(): void {
    if (this.terminated || this.paused) return;
    this.paused = true;
    this.abort.abort();
    this.abort = new AbortController();
  }

  /** Goes on after `pause()`. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const waiting = this.resumed;
    this.resumed = [];
    for (const wake of waiting) wake();
  }

  /** Stops the proxy; both sockets are closed and `run()` resolves. */
  terminate(): void {
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
    this.resume();
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
    this.terminate();
  }
}
