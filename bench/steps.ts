// A mailbox of named steps: messages that may arrive before or after someone waits for them.

export class StepInbox {
  #arrived = new Map<string, unknown[]>();
  #waiting = new Map<string, Array<{ resolve: (data: unknown) => void; reject: (err: Error) => void }>>();
  #failure: Error | undefined;

  deliver(step: string, data: unknown): void {
    const waiter = this.#waiting.get(step)?.shift();
    if (waiter !== undefined) {
      waiter.resolve(data);
      return;
    }
    const queue = this.#arrived.get(step) ?? [];
    queue.push(data);
    this.#arrived.set(step, queue);
  }

  wait(step: string): Promise<unknown> {
    const queue = this.#arrived.get(step);
    if (queue !== undefined && queue.length > 0) return Promise.resolve(queue.shift());
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const waiters = this.#waiting.get(step) ?? [];
      waiters.push({ resolve, reject });
      this.#waiting.set(step, waiters);
    });
  }

  /** Rejects every pending and future wait for a step that has not already arrived. */
  fail(err: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = err;
    for (const waiters of this.#waiting.values()) for (const w of waiters) w.reject(err);
    this.#waiting.clear();
  }
}
