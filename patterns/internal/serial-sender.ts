/** The part of a socket a SerialSender needs. */
export interface Sendable {
  send(message: Buffer[]): Promise<void>;
}

interface Queued {
  frames: Buffer[];
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * A socket allows one `send` in progress (a second gets EBUSY), but a server's handlers and a
 * client's calls finish concurrently. This hands their messages to the socket one at a time,
 * in order. It holds at most what its callers have in flight (handlers, calls, jobs), each of
 * which is bounded by its owner.
 */
export class SerialSender {
  readonly #socket: Sendable;
  readonly #queue: Queued[] = [];
  #head = 0;
  #busy = false;

  constructor(socket: Sendable) {
    this.#socket = socket;
  }

  send(frames: Buffer[]): Promise<void> {
    if (!this.#busy) {
      this.#busy = true;
      const sent = this.#sendNow(frames);
      sent.then(this.#next, this.#next);
      return sent;
    }
    return new Promise((resolve, reject) => this.#queue.push({ frames, resolve, reject }));
  }

  /** The socket's send, with a refusal at the call (a closed socket) made a rejection like the rest. */
  #sendNow(frames: Buffer[]): Promise<void> {
    try {
      return this.#socket.send(frames);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  readonly #next = (): void => {
    if (this.#head === this.#queue.length) {
      this.#queue.length = this.#head = 0;
      this.#busy = false;
      return;
    }
    const item = this.#queue[this.#head]!;
    this.#queue[this.#head++] = undefined as unknown as Queued;
    // Under steady load the queue never empties: drop the consumed front now and then.
    if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    this.#sendNow(item.frames).then(
      () => {
        item.resolve();
        this.#next();
      },
      (err: unknown) => {
        item.reject(err);
        this.#next();
      },
    );
  };
}
