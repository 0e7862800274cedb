import type { Msg, Pipe } from "../../engine/pipe.js";

/** Round-robin over pipes that have room (libzmq's lb): one message to one peer. */
export class LoadBalancer {
  private readonly pipes: Pipe[] = [];
  private current = 0;
  /** The pipe the last successful send went to (REQ waits for its reply from it). */
  lastPipe: Pipe | null = null;

  add(pipe: Pipe): void {
    this.pipes.push(pipe);
  }

  remove(pipe: Pipe): void {
    if (this.lastPipe === pipe) this.lastPipe = null;
    const i = this.pipes.indexOf(pipe);
    if (i < 0) return;
    this.pipes.splice(i, 1);
    if (this.current > i) this.current--;
    if (this.current >= this.pipes.length) this.current = 0;
  }

  /** Writes to the next pipe with room; false (and wake-ups requested) when all are full. */
  send(msg: Msg): boolean {
    const pipes = this.pipes;
    const n = pipes.length;
    for (let tried = 0; tried < n; tried++) {
      const i = this.current;
      this.current = i + 1 === n ? 0 : i + 1;
      const pipe = pipes[i]!;
      if (pipe.hasRoom) {
        this.lastPipe = pipe;
        pipe.write(msg);
        return true;
      }
      pipe.wantWritable = true;
    }
    return false;
  }

  get hasRoom(): boolean {
    for (const p of this.pipes) if (p.hasRoom) return true;
    return false;
  }
}
