import type { MessageLike } from "../sockets/message.js";
import type { SendOptions } from "../sockets/socket.js";
import { abortReason } from "../errors.js";

/** The send side of a socket. */
export interface Sendable {
  send(message: MessageLike[], options?: SendOptions): Promise<void>;
}

/**
 * Sends on one socket in call order, one at a time: a socket allows one send in progress and
 * rejects another with EBUSY, while a device may have many messages to pass to it at once.
 * A send whose signal is aborted while it waits its turn is not attempted. The message may
 * be given as a function, called when its turn comes, for contents that depend on the time
 * they leave (a time to live).
 */
export class SerialSender {
  readonly #socket: Sendable;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(socket: Sendable) {
    this.#socket = socket;
  }

  send(message: MessageLike[] | (() => MessageLike[]), options?: SendOptions): Promise<void> {
    const next = this.#tail.then(() => {
      const signal = options?.signal;
      if (signal?.aborted) throw abortReason(signal);
      return this.#socket.send(typeof message === "function" ? message() : message, options);
    });
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every send asked for so far has finished, either way. */
  settled(): Promise<void> {
    return this.#tail.then(() => undefined);
  }
}
