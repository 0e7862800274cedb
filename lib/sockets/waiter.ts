import { abortReason, messages, zmqError } from "../errors.js";
import { holdProcess, releaseProcess } from "./lifetime.js";

/**
 * The one send or the one receive a socket lets wait at a time. `arm` starts a wait, which
 * settles once: with the value, with the socket's error when its timeout passes (`timedOut`,
 * EAGAIN unless given), or with the abort reason when its signal fires; `release` runs when it
 * settles either way.
 *
 * A socket keeps one of these for its life rather than making one per call: a reader that
 * keeps up with its peer waits on every message, and the per-call objects and closures showed
 * in the inproc profile. Arming a wait allocates only its promise.
 *
 * A wait holds the process alive until it settles, as a pending send or receive does with
 * zeromq (its socket is polled only then).
 */
export class Waiter<T> {
  private settleResolve: ((value: T) => void) | null = null;
  private settleReject: ((err: Error) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private signal: AbortSignal | null = null;

  constructor(
    private readonly release?: () => void,
    private readonly timedOut?: () => Error,
  ) {}

  /** A wait is in progress. */
  get active(): boolean {
    return this.settleResolve !== null;
  }

  /** Starts a wait; the caller checked that none is in progress. */
  arm(timeout: number, signal: AbortSignal | undefined): Promise<T> {
    const promise = new Promise<T>(this.capture);
    holdProcess();
    if (signal?.aborted) {
      // Settled here rather than on a later tick, where it could meet the socket's next wait.
      this.reject(abortReason(signal));
      return promise;
    }
    if (timeout > 0) this.timer = setTimeout(this.onTimeout, timeout);
    if (signal !== undefined) {
      this.signal = signal;
      signal.addEventListener("abort", this.onAbort, { once: true });
    }
    return promise;
  }

  resolve(value: T): void {
    const settle = this.settleResolve;
    if (settle === null) return;
    this.finish();
    settle(value);
  }

  reject(err: Error): void {
    const settle = this.settleReject;
    if (settle === null) return;
    this.finish();
    settle(err);
  }

  private readonly capture = (resolve: (value: T) => void, reject: (err: Error) => void): void => {
    this.settleResolve = resolve;
    this.settleReject = reject;
  };

  private readonly onTimeout = (): void => {
    this.timer = null;
    this.reject(this.timedOut?.() ?? zmqError("EAGAIN", messages.EAGAIN));
  };

  private readonly onAbort = (): void => {
    const signal = this.signal;
    this.signal = null;
    if (signal !== null) this.reject(abortReason(signal));
  };

  private finish(): void {
    releaseProcess();
    this.settleResolve = null;
    this.settleReject = null;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.signal !== null) {
      this.signal.removeEventListener("abort", this.onAbort);
      this.signal = null;
    }
    this.release?.();
  }
}
