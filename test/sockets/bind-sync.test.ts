/**
 * Socket.bindSync / unbindSync (what zeromq/v5-compat's bindSync calls): bound, or thrown,
 * before returning, compared with zeromq's.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pull, Push } from "../../lib/index.js";
import { tmpIpc } from "../helpers/endpoints.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

interface Binder {
  bindSync(address: string): void;
  unbindSync(address: string): void;
  readonly lastEndpoint: string | null;
  close(): unknown;
}

function syncOutcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { threw: { code: e.code, message: e.message } };
  }
}

const makers: Array<[string, () => Binder]> = [
  ["zeromq", () => track(new zmq.Pull({ linger: 0 })) as unknown as Binder],
  ["wiremq", () => track(new Pull({ linger: 0 }))],
];

describe("bindSync, zeromq and wiremq side by side", () => {
  async function both<T>(scenario: (make: () => Binder) => T | Promise<T>): Promise<void> {
    const [z, w] = [await scenario(makers[0]![1]), await scenario(makers[1]![1])];
    expect(w).toEqual(z);
  }

  it("tcp with a wildcard port: lastEndpoint is known when it returns", () =>
    both((make) => {
      const s = make();
      const result = syncOutcome(() => s.bindSync("tcp://127.0.0.1:*"));
      return { result, endpoint: /^tcp:\/\/127\.0\.0\.1:\d+$/.test(s.lastEndpoint ?? "") };
    }));

  it("an address in use throws EADDRINUSE at once", () =>
    both((make) => {
      const first = make();
      first.bindSync("tcp://127.0.0.1:*");
      return syncOutcome(() => make().bindSync(first.lastEndpoint!));
    }));

  it("an unknown protocol and a malformed address throw at once", () =>
    both((make) => {
      const s = make();
      return [syncOutcome(() => s.bindSync("foo://x")), syncOutcome(() => s.bindSync("tcp://127.0.0.1"))];
    }));

  it("ipc and inproc bind at once too", () =>
    both((make) => {
      const s = make();
      const ipc = tmpIpc();
      const name = `inproc://bind-sync-${Math.random()}`;
      return [syncOutcome(() => s.bindSync(ipc)), s.lastEndpoint === ipc, syncOutcome(() => s.bindSync(name)), s.lastEndpoint === name];
    }));

  it("after close it throws EBADF", () =>
    both(async (make) => {
      const s = make();
      await s.close();
      return syncOutcome(() => s.bindSync("tcp://127.0.0.1:*"));
    }));
});

describe("bindSync and unbindSync in use (wiremq)", () => {
  it("a peer reaches the endpoint bound synchronously", async () => {
    const pull = track(new Pull({ linger: 0 }));
    pull.bindSync("tcp://127.0.0.1:*");
    const push = track(new Push({ linger: 0 }));
    push.connect(pull.lastEndpoint!);
    await push.send("over bindSync");
    expect((await pull.receive()).map(String)).toEqual(["over bindSync"]);
  });

  it("unbindSync frees the address before returning; zeromq 6.8.0's unbindSync binds instead (its native method is bindSync under both names)", async () => {
    const pull = track(new Pull({ linger: 0 }));
    pull.bindSync("tcp://127.0.0.1:*");
    const endpoint = pull.lastEndpoint!;
    pull.unbindSync(endpoint);
    const next = track(new Pull({ linger: 0 }));
    expect(syncOutcome(() => next.bindSync(endpoint))).toEqual({ value: undefined });
    expect(() => pull.unbindSync(endpoint)).toThrow(expect.objectContaining({ code: "ENOENT" }));

    const z = track(new zmq.Pull({ linger: 0 })) as unknown as Binder;
    z.bindSync("tcp://127.0.0.1:*");
    expect(syncOutcome(() => z.unbindSync(z.lastEndpoint!))).toEqual({ threw: { code: "EADDRINUSE", message: "Address already in use" } });
  });

  it("a tcp host name other than localhost is refused with ENOTSUP (Node resolves names only asynchronously)", () => {
    const pull = track(new Pull({ linger: 0 }));
    expect(() => pull.bindSync("tcp://example.invalid:*")).toThrow(expect.objectContaining({ code: "ENOTSUP" }));
    pull.bindSync("tcp://localhost:*");
    expect(pull.lastEndpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
  });
});
