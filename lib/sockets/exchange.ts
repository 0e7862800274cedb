import { messages, WiremqTypeError, zmqError } from "../errors.js";
import type { Msg } from "../engine/pipe.js";
import { SocketOptions } from "./socket-options.js";
import { toFrames, type MessageLike } from "./message.js";
import { Waiter } from "./waiter.js";
import { nextTurn, TurnBudget } from "./turn-budget.js";

/**
 * wiremq's addition to `send()`: an AbortSignal that rejects the send with its reason while
 * it waits (zeromq takes no second argument).
 */
export interface SendOptions {
  signal?: AbortSignal;
}

/**
 * wiremq's addition to `receive()`: an AbortSignal that rejects the receive with its reason
 * while it waits.
 *
 * @example
 * ```ts
 * import { Pull } from "wiremq";
 * const pull = new Pull();
 * pull.connect("tcp://127.0.0.1:5555");
 * // Rejects with the signal's reason (a TimeoutError) if nothing comes within a second.
 * const msg = await pull.receive({ signal: AbortSignal.timeout(1000) });
 * ```
 */
export interface ReceiveOptions {
  signal?: AbortSignal;
}

const RESOLVED: Promise<void> = Promise.resolve();
/** Sends and receives settled at once, in a row, before one is settled on the next turn (zeromq's max_sync_operations). */
const SYNC_OPERATIONS = 512;

/**
 * The send and receive promises of every socket, over the routing strategy's xsend and xrecv:
 * settled at once when the strategy can, else a waiter that a strategy's change of state
 * (retrySend, wakeReceiver, a readable pipe) settles, with zeromq's timeouts, EBUSY and
 * cut-short errors. Socket extends it; a class of its own only to keep one role per file.
 */
export abstract class MessageExchange extends SocketOptions {
  // Made at a socket's first blocked call and kept (most sockets never block on one side).
  private sendWaiter: Waiter<void> | null = null;
  private waitingFrames: Msg | null = null;
  private receiveWaiter: Waiter<Msg> | null = null;
  /** A microtask will serve the waiting receive (see onPipeReadable). */
  private receiveRetryQueued = false;
  private readonly queuedReceiveRetry = (): void => {
    this.receiveRetryQueued = false;
    this.retryReceive();
  };
  /** Shared by sends and receives, as zeromq counts them together. */
  private readonly turnBudget = new TurnBudget(SYNC_OPERATIONS);
  /** Routes one outgoing message; false when it must wait for room. */
  protected xsend(_msg: Msg): boolean {
    throw zmqError("ENOTSUP", "Operation not supported");
  }
  /** Takes the next incoming message, or undefined when none is ready. */
  protected xrecv(): Msg | undefined {
    throw zmqError("ENOTSUP", "Operation not supported");
  }
  /** zeromq's check at the start of every call (blocked by a bind or unbind, or closed). */
  protected abstract checkOpen(): void;

  /** Public in the socket types that can send (they implement Writable). */
  protected send(message: MessageLike | MessageLike[], options?: SendOptions): Promise<void> {
    if (message === undefined) throw new WiremqTypeError("EINVAL", "Message must be present");
    this.checkOpen();
    const frames = toFrames(message);
    if (this.sendWaiter?.active === true) throw zmqError("EBUSY", messages.EBUSY_SEND);
    if (frames.length === 0) return RESOLVED; // zeromq sends nothing for []
    try {
      if (this.xsend(frames)) return this.turnBudget.spend() ? nextTurn(undefined) : RESOLVED;
    } catch (err) {
      return Promise.reject(err);
    }
    const timeout = this.opts.sendTimeout;
    if (timeout === 0) return Promise.reject(zmqError("EAGAIN", messages.EAGAIN));
    this.turnBudget.restart();
    this.waitingFrames = frames;
    this.sendWaiter ??= new Waiter<void>(
      () => {
        this.waitingFrames = null;
      },
      () => this.sendCutShort(this.waitingFrames!),
    );
    return this.sendWaiter.arm(timeout, options?.signal);
  }

  /** A send is waiting (for room, or for its turn). */
  protected get sendPending(): boolean {
    return this.sendWaiter?.active === true;
  }

  /** Tries the waiting send again (a strategy calls this when its routing state changed). */
  protected retrySend(): void {
    const waiter = this.sendWaiter;
    if (waiter === null || !waiter.active) return;
    try {
      if (this.xsend(this.waitingFrames!)) waiter.resolve();
    } catch (err) {
      waiter.reject(err as Error);
    }
  }

  /** Public in the socket types that can receive (they implement Readable). */
  protected receive(options?: ReceiveOptions): Promise<Msg> {
    this.checkOpen();
    if (this.receiveWaiter?.active === true) throw zmqError("EBUSY", messages.EBUSY_RECEIVE);
    let msg: Msg | undefined;
    try {
      msg = this.xrecv();
    } catch (err) {
      return Promise.reject(err);
    }
    if (msg !== undefined) return this.turnBudget.spend() ? nextTurn(msg) : Promise.resolve(msg);
    const timeout = this.opts.receiveTimeout;
    if (timeout === 0) return Promise.reject(zmqError("EAGAIN", messages.EAGAIN));
    this.turnBudget.restart();
    return (this.receiveWaiter ??= new Waiter<Msg>(undefined, () => this.receiveCutShort())).arm(timeout, options?.signal);
  }

  /** A receive is waiting for a message. */
  protected get receivePending(): boolean {
    return this.receiveWaiter?.active === true;
  }

  /** A strategy queued a message outside a pipe notification (XPUB cancels): wake a reader. */
  protected wakeReceiver(): void {
    if (this.receiveWaiter?.active === true) this.retryReceive();
  }

  private retryReceive(): void {
    const waiter = this.receiveWaiter;
    if (waiter === null || !waiter.active) return;
    try {
      const msg = this.xrecv();
      if (msg !== undefined) waiter.resolve(msg);
    } catch (err) {
      waiter.reject(err as Error);
    }
  }

  /**
   * The error of a receive that close() or its timeout cuts short. zeromq tries it once more
   * without waiting, so it fails as a non-blocking receive would: EAGAIN, or EFSM where
   * REQ/REP are out of turn.
   */
  protected receiveCutShort(): Error {
    return zmqError("EAGAIN", messages.EAGAIN);
  }

  /** The same for a send, given the message that waited. */
  protected sendCutShort(_msg: Msg): Error {
    return zmqError("EAGAIN", messages.EAGAIN);
  }

  /**
   * A pipe became readable: a waiting receive is served from a microtask rather than from
   * inside the writer's call: a writer that goes on sending (an inproc loop, an engine decoding
   * a whole read) then queues its next messages first, and the reader finds them ready instead
   * of blocking again on every one (inproc 16 B benchmark medians: 1.4-1.9M → 2.0-2.8M msgs/s).
   */
  protected serveReceiveSoon(): void {
    if (this.receiveWaiter?.active === true && !this.receiveRetryQueued) {
      this.receiveRetryQueued = true;
      // A reaction on a settled promise, not queueMicrotask: Node's queueMicrotask makes an
      // AsyncResource and a bound function per call (about 0.1 µs, once per message a blocked
      // reader is woken for; measured in REQ/REP round trips).
      void RESOLVED.then(this.queuedReceiveRetry);
    }
  }

  /** At close: the waiting send and receive fail as zeromq's last try would. */
  protected cutShortWaiting(): void {
    if (this.sendWaiter?.active === true) this.sendWaiter.reject(this.sendCutShort(this.waitingFrames!));
    this.receiveWaiter?.reject(this.receiveCutShort());
  }
}
