import { context } from "../context.js";

/**
 * What keeps the process alive on wiremq's account, as with zeromq (measured against it in
 * test/sockets/process-lifetime.test.ts). zeromq polls a socket only while a send or receive is
 * pending, so an idle socket, bound or connecting, never holds the event loop; and at exit its
 * context termination waits for messages still queued on sockets whose linger has not run
 * out. Here listeners, connections and timers are unref'd; one process-wide timer is ref'd
 * while anything holds it, and a `beforeExit` hook holds it for undelivered messages.
 */

let holds = 0;
let keeper: NodeJS.Timeout | null = null;
let unrefQueued = false;

/** Something the program waits for is pending: the process must not exit. */
export function holdProcess(): void {
  // ref() of a timer already ref'd is a no-op in JS; see releaseProcess.
  if (holds++ === 0) {
    if (keeper === null) keeper = setInterval(noop, 0x7fffffff);
    // A browser's timer is a number, with nothing to ref: there, nothing holds a page open.
    else keeper.ref?.();
  }
}

/**
 * The hold is let go once the microtasks queued so far have run, not at once: a reader that
 * keeps up with its peer blocks and is woken on every message, and toggling the timer's ref
 * each time calls into Node's C++ (measured 40-120 ns per blocked call, against about 1.3 µs
 * CPU per inproc ping-pong round trip; deferred, hold and release cost about 8 ns and the
 * round trips per CPU-second match those with no hold at all, medians of 8 runs 0.745M vs
 * 0.746M). A release comes from a settled wait, whose awaiting code typically waits again
 * before the microtask queue empties. Node runs a tick after that queue has drained (when
 * the release itself ran in a microtask) where a setImmediate would make an Immediate and
 * two calls into C++ per blocked call: a REQ/REP round trip blocks once on each side.
 */
export function releaseProcess(): void {
  if (--holds === 0 && !unrefQueued) {
    unrefQueued = true;
    deferUnref(unrefIfIdle);
  }
}

/** process.nextTick where there is one; a page (the browser build) has setImmediate's stand-in. */
const deferUnref: (fn: () => void) => void =
  typeof process === "object" && typeof process?.nextTick === "function" ? process.nextTick : (fn) => setImmediate(fn);

function unrefIfIdle(): void {
  unrefQueued = false;
  if (holds === 0) keeper!.unref?.();
}

function noop(): void {}

/** A socket seen at exit: whether it still has messages to deliver within its linger. */
export interface ExitLinger {
  /** Starts waiting for its queued messages (at most its linger); null when it has none. */
  lingerAtExit(): Promise<void> | null;
}

const openSockets = new Set<ExitLinger>();
const lingering = new Set<Promise<void>>();
let hooked = false;

/** An open socket with endpoints: at exit, what it queued is delivered within its linger. */
export function trackOpen(socket: ExitLinger): void {
  openSockets.add(socket);
  hook();
}

export function untrackOpen(socket: ExitLinger): void {
  openSockets.delete(socket);
}

/** A closed socket delivering what it queued: the process waits for it at exit. */
export function lingerInBackground(done: Promise<void>): void {
  lingering.add(done);
  void done.finally(() => lingering.delete(done));
  hook();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  // A page has no exit to wait at (the browser build).
  if (typeof process !== "undefined") process.on("beforeExit", waitAtExit);
}

/**
 * The event loop has nothing left to do: as zeromq's context termination, wait for queued
 * messages (warning after 500 ms, with zeromq's text), then let the loop empty again.
 */
function waitAtExit(): void {
  for (const socket of openSockets) {
    const done = socket.lingerAtExit();
    if (done !== null) lingerInBackground(done);
  }
  if (lingering.size === 0) return;
  holdProcess();
  const warning = setTimeout(() => {
    const hint = context.blocky ? " Set 'context.blocky = false' to change this behaviour." : "";
    process.stderr.write(`(node:${process.pid}) WARNING: Waiting for queued ZeroMQ messages to be delivered.${hint}\n`);
  }, 500);
  void Promise.all(lingering).then(() => {
    clearTimeout(warning);
    releaseProcess();
  });
}
