/**
 * Differences from zeromq that docs/migrating-from-zeromq.md lists and no other test showed,
 * each run on both libraries so the page's "zeromq does X, wiremq does Y" stays true of both.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Dealer, Pull, Push, Router } from "../../lib/index.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

function outcome(fn: () => unknown): { ok: true } | { code: unknown; name: string } {
  try {
    fn();
    return { ok: true };
  } catch (err) {
    return { code: (err as { code?: unknown }).code, name: (err as Error).name };
  }
}

describe("the migration guide's differences, both libraries side by side", () => {
  it("close() returns a promise that resolves once the socket is closed; zeromq's returns undefined", async () => {
    const theirs = track(new zmq.Push({ linger: 0 }));
    expect(theirs.close()).toBeUndefined();
    const ours = track(new Push({ linger: 0 }));
    const closing = ours.close();
    expect(closing).toBeInstanceOf(Promise);
    await closing;
    expect(ours.closed).toBe(true);
  });

  it("a socket is AsyncDisposable: disposing closes it", async () => {
    const ours = track(new Push({ linger: 0 }));
    await ours[Symbol.asyncDispose]();
    expect(ours.closed).toBe(true);
    expect(Symbol.asyncDispose in track(new zmq.Push({ linger: 0 }))).toBe(false);
  });

  it("send takes { signal } and rejects with an AbortError; zeromq refuses a second argument", async () => {
    const ours = track(new Push({ linger: 0 }));
    // No peer: the send would wait, so the aborted signal decides it.
    await expect(ours.send("x", { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    const theirs = track(new zmq.Push({ linger: 0 }));
    expect(outcome(() => (theirs.send as (m: string, o: unknown) => unknown)("x", { signal: AbortSignal.abort() }))).toMatchObject({ name: "TypeError" });
  });

  it.each(["tcp://:5555", "tcp://127.0.0.1:65536"])("connect(%s) throws EINVAL at once; zeromq accepts it", (address) => {
    expect(outcome(() => track(new zmq.Dealer({ linger: 0 })).connect(address))).toEqual({ ok: true });
    expect(outcome(() => track(new Dealer({ linger: 0 })).connect(address))).toMatchObject({ code: "EINVAL" });
  });

  it("write-only options read back their value; zeromq throws EINVAL", () => {
    const theirs = track(new zmq.Router({ linger: 0 }));
    const ours = track(new Router({ linger: 0, mandatory: true }));
    for (const option of ["mandatory", "curveSecretKey"] as const) {
      expect(outcome(() => theirs[option]), option).toMatchObject({ code: "EINVAL" });
    }
    expect(ours.mandatory).toBe(true);
    expect(ours.curveSecretKey).toBeNull();
  });

  it("connect(tipc://...) throws EPROTONOSUPPORT: wiremq has no TIPC transport", () => {
    expect(outcome(() => track(new Dealer({ linger: 0 })).connect("tipc://{5560,0,0}"))).toMatchObject({ code: "EPROTONOSUPPORT" });
  });

  it("bindSync does not serve ws:// (EPROTONOSUPPORT); bind does", async () => {
    const pull = track(new Pull({ linger: 0 }));
    expect(outcome(() => pull.bindSync("ws://127.0.0.1:0"))).toMatchObject({ code: "EPROTONOSUPPORT" });
    await pull.bind("ws://127.0.0.1:0");
    expect(pull.lastEndpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+/);
  });
});
