import type { Pipe } from "./pipe.js";

/**
 * The order in which this thread's messages to other threads leave it. libzmq writes an inproc
 * message into the peer's queue at once, so what a thread sends over two sockets arrives in
 * the order sent: a SUB that subscribes and then says "ready" over a PUSH is subscribed by the
 * time the PUB's thread hears "ready". Each link here posts on a channel of its own, so every
 * write to a pipe bound for another thread is logged (runs of writes to one pipe), and the log
 * is posted in order, one run after another.
 *
 * A pipe whose link is still being set up holds back the runs after its own while a binding
 * of its name is known in another thread (an answer is coming); while none is, its runs wait
 * and later ones go first, as with zeromq's connect before bind.
 */

/** What posts a pipe's queued messages (a ThreadLink). */
export interface RunSender {
  /** Posts up to `run.n` queued messages, lowering `run.n`; false when it must wait for room. */
  send(run: Run): boolean;
  /** The thread at the other end (any value equal for two links to one thread). */
  readonly peerThread: unknown;
}

/** `n` consecutive writes to one pipe. */
export interface Run {
  pipe: Pipe;
  n: number;
}

const senders = new Map<Pipe, RunSender>();
/** Pipes whose link is being set up, with whether an answer is known to be coming. */
const pending = new Map<Pipe, () => boolean>();
let runs: Run[] = [];
let scheduled = false;

/** Pipe.onWrite of every pipe bound for another thread. */
export function noteWrite(pipe: Pipe): void {
  const last = runs[runs.length - 1];
  if (last !== undefined && last.pipe === pipe) last.n++;
  else runs.push({ pipe, n: 1 });
  scheduleOutbox();
}

/** A connect waiting for a binding in another thread; `answered` says whether one is known. */
export function awaitLink(pipe: Pipe, backlog: number, answered: () => boolean): void {
  pending.set(pipe, answered);
  pipe.onWrite = noteWrite;
  // What was written before this (subscriptions sent at attach) goes first.
  if (backlog > 0) runs.push({ pipe, n: backlog });
}

/** The pipe's link is up: its runs go through `sender`; `unlogged` messages it holds were written before the log knew it. */
export function linkUp(pipe: Pipe, sender: RunSender, unlogged: number): void {
  pending.delete(pipe);
  senders.set(pipe, sender);
  pipe.onWrite = noteWrite;
  if (unlogged > 0) runs.push({ pipe, n: unlogged });
  scheduleOutbox();
}

/** The pipe no longer goes to another thread (closed, refused, or taken in this thread). */
export function forget(pipe: Pipe): void {
  if (pipe.onWrite === noteWrite) pipe.onWrite = null;
  const had = pending.delete(pipe) || senders.delete(pipe);
  // Its runs would be skipped at the next flush anyway; held until then they keep the closed
  // socket (and its context) reachable for a turn.
  if (runs.some((run) => run.pipe === pipe)) runs = runs.filter((run) => run.pipe !== pipe);
  if (had) scheduleOutbox();
}

export function scheduleOutbox(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(tick);
}

function tick(): void {
  scheduled = false;
  flushOutbox();
}

/**
 * Joins each run to the last earlier run of its pipe when no run in between went to the same
 * thread through another pipe, nor to a pipe still being linked. A PUSH balancing over pipes to
 * four threads writes runs of one message each; posted one by one, a post per message was the
 * whole cost (main thread → 4 workers at 0.3–1.1× zeromq). What each receiving thread sees
 * stays in the order sent, pipe by pipe and across its pipes.
 */
function mergeRuns(): void {
  if (runs.length < 3) return;
  const merged: Run[] = [];
  const openRun = new Map<Pipe, Run>();
  const lastPipeTo = new Map<unknown, Pipe>();
  for (const run of runs) {
    const sender = senders.get(run.pipe);
    if (sender === undefined) {
      // A run held back (or waiting) keeps its place: nothing after it moves ahead of it.
      openRun.clear();
      lastPipeTo.clear();
      merged.push(run);
      continue;
    }
    const open = openRun.get(run.pipe);
    if (open !== undefined && lastPipeTo.get(sender.peerThread) === run.pipe) {
      open.n += run.n;
      continue;
    }
    merged.push(run);
    openRun.set(run.pipe, run);
    lastPipeTo.set(sender.peerThread, run.pipe);
  }
  runs = merged;
}

/**
 * Posts the log in order. A link that must wait for room holds back the later runs to its
 * thread, not those to other threads: each thread sees what it was sent in order, as libzmq's
 * queues do, and one busy thread does not stall the others. Their channels are separate, so no
 * order between threads is promised (docs/migrating-from-zeromq.md): a message to a third
 * thread, and what it passes on, can overtake what waits here. A link still being set up holds
 * back everything after.
 */
export function flushOutbox(): void {
  mergeRuns();
  const kept: Run[] = [];
  let waiting = null as Set<unknown> | null;
  let i = 0;
  for (; i < runs.length; i++) {
    const run = runs[i]!;
    const sender = senders.get(run.pipe);
    if (sender !== undefined) {
      if (waiting?.has(sender.peerThread) === true || !sender.send(run)) {
        (waiting ??= new Set()).add(sender.peerThread);
        kept.push(run);
      }
      continue;
    }
    const answered = pending.get(run.pipe);
    if (answered === undefined) continue;
    if (answered()) break;
    kept.push(run);
  }
  runs = i === runs.length ? kept : kept.concat(runs.slice(i));
}
