import type { Msg, Pipe } from "../../engine/pipe.js";

/**
 * Fair-queueing over pipes that hold messages (libzmq's fq): one message from each in turn.
 * Only pipes with data are in the rotation, so idle peers cost nothing per message.
 */
export class FairQueue {
  private readonly active: Pipe[] = [];
  private current = 0;
  /** The pipe the last message came from (for ROUTER/REP envelopes). */
  lastPipe: Pipe | null = null;

  /** A pipe got data after being empty. */
  activate(pipe: Pipe): void {
    if (!this.active.includes(pipe)) this.active.push(pipe);
  }

  /** A pipe is gone; it stays in rotation until its queued messages are read. */
  remove(pipe: Pipe): void {
    if (pipe.in.length > 0) return;
    this.drop(pipe);
  }

  private drop(pipe: Pipe): void {
    const i = this.active.indexOf(pipe);
    if (i < 0) return;
    removeAt(this.active, i);
    if (this.current > i) this.current--;
    if (this.current >= this.active.length) this.current = 0;
  }

  recv(): Msg | undefined {
    const active = this.active;
    while (active.length > 0) {
      if (this.current >= active.length) this.current = 0;
      const i = this.current;
      const pipe = active[i]!;
      const msg = pipe.read();
      if (msg === undefined) {
        removeAt(active, i);
        continue;
      }
      if (pipe.in.length === 0) removeAt(active, i);
      else this.current = i + 1;
      this.lastPipe = pipe;
      return msg;
    }
    return undefined;
  }

  get hasMessages(): boolean {
    for (const p of this.active) if (p.in.length > 0) return true;
    return false;
  }
}

/**
 * Removes one element in place. Array#splice allocates the array of removed elements, and a
 * reader that keeps up with one peer removes its pipe after every message.
 */
function removeAt(list: Pipe[], i: number): void {
  const last = list.length - 1;
  for (let j = i; j < last; j++) list[j] = list[j + 1]!;
  list.pop();
}
