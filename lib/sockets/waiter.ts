import { messages, zmqError } from "../errors.js";

/**
 * One send or receive waiting for the socket: settles once, with the value, or with EAGAIN
 * when its timeout passes, or with the abort reason when its signal fires. `release` runs
 * when it settles either way, so the socket can take the next call.
 */
export class Waiter<T> {
  readonly promise: Promise<T>;
  private settleResolve!: (value: T) => void;
  private settleReject!: (err: Error) => void;
  private timer: NodeJS.Timeout | null = null;
  private detach: (() => void) | null = null;
  private done = false;

  constructor(timeout: number, signal: AbortSignal | undefined, private readonly release: () => void) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.settleResolve = resolve;
      this.settleReject = reject;
    });
    if (timeout > 0) this.timer = setTimeout(() => this.reject(zmqError("EAGAIN", messages.EAGAIN)), timeout);
    if (signal !== undefined) {
      if (signal.aborted) {
        queueMicrotask(() => this.reject(abortError(signal)));
      } else {
        const onAbort = (): void => this.reject(abortError(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        this.detach = () => signal.removeEventListener("abort", onAbort);
      }
    }
  }

  resolve(value: T): void {
    if (this.finish()) this.settleResolve(value);
  }

  reject(err: Error): void {
    if (this.finish()) this.settleReject(err);
  }

  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.detach?.();
    this.release();
    return true;
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = zmqError("ABORT_ERR", "The operation was aborted");
  err.name = "AbortError";
  return err;
}
