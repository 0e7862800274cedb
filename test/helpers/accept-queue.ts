/**
 * How many connections wait in a tcp listener's kernel queue (made, not yet accept()ed): Linux
 * shows it as the rx_queue of the LISTEN socket in /proc/net/tcp. A listener in this process
 * accepts only when the event loop polls, so connects made in one turn show here until then.
 */
import { readFileSync } from "node:fs";

const LISTEN = "0A";

/** The accept queue of the IPv4 listener on `port`, or null when there is none. */
export function acceptQueueLength(port: number): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || f[3] !== LISTEN || !f[1]!.endsWith(`:${hexPort}`)) continue;
    return parseInt(f[4]!.split(":")[1]!, 16);
  }
  return null;
}

/**
 * The accept queue once connects issued this turn have landed: read without yielding to the
 * event loop (the listener must not accept meanwhile), until two readings 5 ms apart agree.
 */
export function settledAcceptQueue(port: number): number | null {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let last = acceptQueueLength(port);
  for (let i = 0; i < 200; i++) {
    Atomics.wait(pause, 0, 0, 5);
    const now = acceptQueueLength(port);
    if (now === last) return now;
    last = now;
  }
  return last;
}
