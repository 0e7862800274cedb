/**
 * Differential harness for zeromq 5's callback API: one v5-style scenario runs against
 * `zeromq/v5-compat` (libzmq) and against `wiremq/v5-compat`, and what each observed is
 * compared. A scenario gets a `Lab` that makes sockets and closes them all afterwards.
 * `V5_SHOW=1` prints both outcomes of every comparison.
 */
import { createRequire } from "node:module";
import { once } from "node:events";
import { expect, it } from "vitest";
import * as wiremq from "../../lib/v5-compat.js";
import { withoutCodesZeromqLacks } from "./differential.js";

/** The compat module's shape (zeromq's is loaded as this type: the tests compare them). */
export type Zmq5 = typeof wiremq;
export type Socket5 = InstanceType<Zmq5["Socket"]>;
export type SocketType5 = Parameters<Zmq5["socket"]>[0];

const require = createRequire(import.meta.url);
export const zeromq5 = require("zeromq/v5-compat") as Zmq5;
export const wiremq5: Zmq5 = wiremq;

export const LIBS: ReadonlyArray<readonly [string, Zmq5]> = [["zeromq", zeromq5], ["wiremq", wiremq5]];

export interface Lab {
  zmq: Zmq5;
  /** A socket with linger 0, closed when the scenario ends. */
  socket(type: SocketType5): Socket5;
  /** A socket bound at once to a fresh loopback port; its endpoint is `last_endpoint`. */
  bound(type: SocketType5): Socket5;
  /** The next `event` of a socket (its arguments). */
  next(sock: Socket5, event: string): Promise<unknown[]>;
  /** Waits until `check` holds, looking on each timer turn: for states no event reports. */
  until(check: () => boolean): Promise<void>;
}

/** How a call came out: its value, or the error it threw (synchronously). */
export type Outcome = { value: unknown } | { threw: { name: string; code?: string; message: string } };

export function outcome(fn: () => unknown): Outcome {
  try {
    return { value: fn() };
  } catch (err) {
    return { threw: describeError(err) };
  }
}

export function describeError(err: unknown): { name: string; code?: string; message: string } {
  const e = err as Error & { code?: string };
  const out: { name: string; code?: string; message: string } = { name: e.name, message: e.message };
  if (e.code !== undefined) out.code = e.code;
  return out;
}

/** Runs a scenario in a fresh lab, closing every socket it made at the end. */
export async function runIn<T>(zmq: Zmq5, scenario: (lab: Lab) => Promise<T>): Promise<T> {
  const made: Socket5[] = [];
  const lab: Lab = {
    zmq,
    socket(type) {
      const s = zmq.socket(type);
      s.setsockopt(zmq.ZMQ_LINGER, 0);
      made.push(s);
      return s;
    },
    bound(type) {
      const s = lab.socket(type);
      s.bindSync("tcp://127.0.0.1:*");
      return s;
    },
    next: (sock, event) => withDeadline(once(sock, event), `${event} event`),
    until: (check) =>
      withDeadline(
        new Promise<void>((resolve) => {
          const look = (): void => {
            if (check()) resolve();
            else setTimeout(look, 2);
          };
          look();
        }),
        "condition",
      ),
  };
  try {
    return await scenario(lab);
  } finally {
    for (const s of made) if (!s.closed) s.close();
  }
}

/** A test that runs the scenario with zeromq, then with wiremq, and compares what each saw. */
export function same<T>(name: string, scenario: (lab: Lab) => Promise<T>): void {
  it(name, async () => {
    const want = await runIn(zeromq5, scenario);
    const got = await runIn(wiremq5, scenario);
    if (process.env.V5_SHOW) console.log(name, JSON.stringify(want), JSON.stringify(got));
    expect(withoutCodesZeromqLacks(got, want)).toEqual(want);
  });
}

/** Only turns a missing event into a clear failure; never what a test measures. */
function withDeadline<T>(p: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Frames as strings, for comparing messages. */
export function text(frames: unknown[]): string[] {
  return frames.map((f) => String(f));
}
