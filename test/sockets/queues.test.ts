import { describe, expect, it } from "vitest";
import { Pipe } from "../../lib/engine/pipe.js";
import { FairQueue } from "../../lib/sockets/routing/fair-queue.js";
import { Queue } from "../../lib/util/queue.js";

/** A small deterministic generator, so a failing sequence can be replayed. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe("Queue", () => {
  it("matches an array under a long random mix of push, shift and unshift, across wraps and growth", () => {
    const random = lcg(7);
    const queue = new Queue<number>();
    const model: number[] = [];
    let next = 0;
    for (let step = 0; step < 20_000; step++) {
      const r = random();
      // Phases that favour pushing, then shifting, so the ring wraps at many sizes.
      const pushBias = Math.floor(step / 2000) % 2 === 0 ? 0.6 : 0.35;
      if (r < pushBias) {
        queue.push(next);
        model.push(next++);
      } else if (r < pushBias + 0.05) {
        queue.unshift(next);
        model.unshift(next++);
      } else {
        expect(queue.shift()).toBe(model.shift());
      }
      expect(queue.length).toBe(model.length);
      expect(queue.peek()).toBe(model[0]);
    }
    while (model.length > 0) expect(queue.shift()).toBe(model.shift());
    expect(queue.shift()).toBeUndefined();
  });

  it("unshift at position 0 wraps to the end of the ring, and clear starts over", () => {
    const queue = new Queue<string>();
    queue.unshift("b");
    queue.unshift("a");
    queue.push("c");
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()]).toEqual(["a", "b", "c", undefined]);
    for (let i = 0; i < 40; i++) queue.push(String(i));
    queue.clear();
    expect(queue.length).toBe(0);
    queue.push("x");
    expect(queue.shift()).toBe("x");
  });
});

describe("FairQueue", () => {
  function pipeWith(...payloads: string[]): Pipe {
    const pipe = new Pipe(0, 0);
    for (const p of payloads) pipe.in.push([Buffer.from(p)]);
    return pipe;
  }

  function drain(fq: FairQueue): string[] {
    const out: string[] = [];
    for (let msg = fq.recv(); msg !== undefined; msg = fq.recv()) out.push(msg[0]!.toString());
    return out;
  }

  it("takes one message from each pipe in turn, dropping a pipe from the rotation once empty", () => {
    const fq = new FairQueue();
    const a = pipeWith("a1", "a2", "a3");
    const b = pipeWith("b1");
    const c = pipeWith("c1", "c2");
    for (const p of [a, b, c]) fq.activate(p);
    expect(drain(fq)).toEqual(["a1", "b1", "c1", "a2", "c2", "a3"]);
    expect(fq.hasMessages).toBe(false);
  });

  it("keeps the turn order when a pipe in the middle leaves, and takes it back when it has data again", () => {
    const fq = new FairQueue();
    const d = pipeWith("d1", "d2");
    const e = pipeWith();
    const f = pipeWith("f1", "f2");
    for (const p of [d, e, f]) fq.activate(p);
    fq.remove(e); // gone with nothing queued: out of the rotation at once
    expect(fq.recv()![0]!.toString()).toBe("d1");
    e.in.push([Buffer.from("e1")]);
    fq.activate(e); // joins at the end of the rotation, after f
    expect(drain(fq)).toEqual(["f1", "e1", "d2", "f2"]);
  });
});
