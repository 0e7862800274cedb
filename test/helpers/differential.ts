/**
 * Differential tests: one scenario runs against `zeromq` and against wiremq, and what each
 * observed is compared. A scenario gets the library's namespace (typed as zeromq's, since
 * zeromq's API is the spec) and returns plain data: outcomes of calls captured with
 * `settle`, event logs from `recordEvents`, received frames.
 *
 *   const seen = await expectSame(async (zmq, run) => {
 *     const push = run.track(new zmq.Push({ linger: 0 }));
 *     return { send: await settle(() => push.send([{}])) };
 *   });
 */
import { expect } from "vitest";
import * as zeromq from "zeromq";
import * as wiremq from "../../lib/index.js";

export type Zmq = typeof zeromq;
export type LibName = "zeromq" | "wiremq";

/** What a scenario is given besides the namespace. */
export interface Run {
  readonly lib: LibName;
  /** Closes the socket (or proxy end, or anything with close()) after the scenario, even if it throws. */
  track<T extends { close(): unknown }>(closable: T): T;
}

export type Scenario<T, L = Zmq> = (lib: L, run: Run) => T | Promise<T>;

/** An error as compared: the built-in class it is an instance of, and what a caller reads. */
export interface ErrorShape {
  class: string;
  name: string;
  code: unknown;
  message: string;
}

/** How a call ended: thrown at the call, a rejected promise, or a value (awaited if a promise). */
export type Outcome = { threw: ErrorShape } | { rejected: ErrorShape } | { resolved: unknown };

const BUILTIN_ERRORS = [TypeError, RangeError, SyntaxError, ReferenceError, Error];

export function errorShape(err: unknown): ErrorShape {
  if (!(err instanceof Error)) return { class: typeof err, name: "", code: undefined, message: String(err) };
  const builtin = BUILTIN_ERRORS.find((cls) => err instanceof cls)!;
  return { class: builtin.name, name: err.name, code: (err as { code?: unknown }).code, message: err.message };
}

/** Calls `fn` and tells whether it threw at once, rejected later, or resolved (and with what). */
export async function settle(fn: () => unknown): Promise<Outcome> {
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    return { threw: errorShape(err) };
  }
  try {
    return { resolved: plain(await result) };
  } catch (err) {
    return { rejected: errorShape(err) };
  }
}

/** Makes a value comparable across the libraries: errors to their shape, buffers to hex. */
export function plain(value: unknown): unknown {
  if (value instanceof Error) return errorShape(value);
  if (ArrayBuffer.isView(value)) return `hex:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

interface EventSource {
  on(type: string, fn: (event: { type: string; address?: string; error?: unknown }) => void): unknown;
}

/**
 * Logs the given event types of an observer as they arrive: type, and the error's shape where
 * there is one. Addresses are left out (ports differ between runs); a scenario that cares
 * about them checks them itself.
 */
export function recordEvents(events: EventSource, types: readonly string[]): Array<{ type: string; error?: ErrorShape }> {
  const log: Array<{ type: string; error?: ErrorShape }> = [];
  for (const type of types) {
    events.on(type, (e) => log.push(e.error === undefined ? { type: e.type } : { type: e.type, error: errorShape(e.error) }));
  }
  return log;
}

/** Runs a scenario against one library; whatever it tracked is closed afterwards. */
export async function runScenario<T, L>(lib: L, name: LibName, scenario: Scenario<T, L>): Promise<Outcome> {
  const tracked: Array<{ close(): unknown }> = [];
  const run: Run = {
    lib: name,
    track(closable) {
      tracked.push(closable);
      return closable;
    },
  };
  try {
    return await settle(() => scenario(lib, run));
  } finally {
    for (const c of tracked.reverse()) {
      try {
        await c.close();
      } catch {
        // closed by the scenario, or closing is what it tested
      }
    }
  }
}

/** The two namespaces a scenario runs against; draft scenarios pass `zeromq/draft` and wiremq's draft entry. */
export interface Libs<L> {
  zeromq: L;
  wiremq: L;
}

const MAIN: Libs<Zmq> = { zeromq, wiremq: wiremq as unknown as Zmq };

/** Runs the scenario against zeromq, then wiremq; returns both outcomes. */
export async function differential<T, L = Zmq>(scenario: Scenario<T, L>, libs?: Libs<L>): Promise<Libs<Outcome>> {
  const use = libs ?? (MAIN as unknown as Libs<L>);
  const z = await runScenario(use.zeromq, "zeromq", scenario);
  const w = await runScenario(use.wiremq, "wiremq", scenario);
  return { zeromq: z, wiremq: w };
}

/**
 * wiremq's outcome with the codes of its errors dropped where zeromq's error at the same place
 * has none: every wiremq error carries a `code` (lib/errors.ts), while zeromq leaves some
 * without (its TypeErrors, "Invalid argument", ZAP refusals). Any other difference in `code`
 * still fails a comparison, and so does a missing one. An error is any object with a string
 * `name` and `message`, as errorShape and the v5 harness's describeError make them.
 */
export function withoutCodesZeromqLacks(wiremq: unknown, zeromq: unknown): unknown {
  if (Array.isArray(wiremq) && Array.isArray(zeromq)) return wiremq.map((w, i) => withoutCodesZeromqLacks(w, zeromq[i]));
  if (!isRecord(wiremq) || !isRecord(zeromq) || Array.isArray(wiremq) || Array.isArray(zeromq)) return wiremq;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wiremq)) out[key] = withoutCodesZeromqLacks(value, zeromq[key]);
  if (isErrorLike(wiremq) && isErrorLike(zeromq) && zeromq.code === undefined && typeof wiremq.code === "string") {
    if ("code" in zeromq) out.code = undefined;
    else delete out.code;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isErrorLike(value: Record<string, unknown>): boolean {
  return typeof value.name === "string" && typeof value.message === "string";
}

/**
 * Runs the scenario against both and fails the test unless wiremq's outcome equals zeromq's
 * (but for codes zeromq does not give: withoutCodesZeromqLacks).
 * Returns zeromq's outcome, so a test can also pin down what zeromq does (and thus cannot
 * pass by both libraries failing the same way by accident).
 */
export async function expectSame<T, L = Zmq>(scenario: Scenario<T, L>, libs?: Libs<L>): Promise<Outcome> {
  const seen = await differential(scenario, libs);
  expect(withoutCodesZeromqLacks(seen.wiremq, seen.zeromq), "wiremq's outcome differs from zeromq's").toEqual(seen.zeromq);
  return seen.zeromq;
}
