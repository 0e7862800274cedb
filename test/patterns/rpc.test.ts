/**
 * RPC over DEALER/ROUTER: pairing of many concurrent calls, typed remote errors, undecodable
 * requests, and reliability: failover when a server dies, Lazy Pirate retries when one hangs,
 * and no call outliving its timeout.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Dealer } from "../../lib/index.js";
import { json, RemoteError, rpc, RpcError, RpcServer, type Handlers } from "../../patterns/index.js";
import { callFrame, header, Kind, parseErrorFrame, parseHeader } from "../../patterns/rpc/protocol.js";
import { tracker, waitEvent, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

const calc = rpc.define({
  // Idempotent: these tests are of failover and retries; rpc-retries.test.ts has the others.
  add: { request: json<{ a: number; b: number }>(), reply: json<{ sum: number; server: string }>(), idempotent: true },
  fail: { request: json<{ code: string | null }>(), reply: json<null>() },
});

/** A server whose `add` can be told to hang (never answer) or to kill its own server. */
async function startServer(name: string, address = "tcp://127.0.0.1:*") {
  const control = { mode: "normal" as "normal" | "hang" | "die", added: 0, unanswered: 0 };
  const handlers: Handlers<typeof calc> = {
    add: ({ a, b }) => {
      if (control.mode !== "normal") {
        control.unanswered++;
        if (control.mode === "die") void server.close();
        return new Promise<never>(() => {});
      }
      control.added++;
      return { sum: a + b, server: name };
    },
    fail: ({ code }) => {
      if (code === null) throw new Error("plain failure");
      throw new RpcError(code, `failed with ${code}`);
    },
  };
  const server = track(rpc.server(calc, handlers));
  await server.bind(address);
  return { server, control, endpoint: server.lastEndpoint! };
}

/** Calls until every named server has answered at least once, so all links are up. */
async function warmUp(client: ReturnType<typeof rpc.client<typeof calc>>, names: string[]): Promise<void> {
  const seen = new Set<string>();
  await within(
    (async () => {
      while (names.some((n) => !seen.has(n))) {
        const replies = await Promise.all(Array.from({ length: 8 }, () => client.call("add", { a: 0, b: 0 })));
        for (const r of replies) seen.add(r.server);
      }
    })(),
    5000,
    "every server answering",
  );
}

describe("rpc", () => {
  it("pairs 1,000 concurrent calls on one client with their replies, across two servers", async () => {
    const [a, b] = await Promise.all([startServer("A"), startServer("B")]);
    const client = track(rpc.client(calc, { servers: [a.endpoint, b.endpoint], timeout: 20_000 }));
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => client.call("add", { a: i, b: i * 1000 })));
    results.forEach((r, i) => expect(r.sum).toBe(i * 1001));
    expect(a.control.added + b.control.added).toBe(1000);
    // Load balanced: neither server took everything.
    expect(Math.min(a.control.added, b.control.added)).toBeGreaterThan(100);
    expect(client.stats).toMatchObject({ calls: 1000, timeouts: 0, inFlight: 0 });
  });

  it("brings a handler's error back as a RemoteError with its code", async () => {
    const { endpoint } = await startServer("A");
    const client = track(rpc.client(calc, { servers: endpoint }));
    const coded = await client.call("fail", { code: "EINSUFFICIENT_FUNDS" }).catch((e: unknown) => e);
    expect(coded).toBeInstanceOf(RemoteError);
    expect(coded).toMatchObject({ code: "EINSUFFICIENT_FUNDS", remote: true, method: "fail", message: "failed with EINSUFFICIENT_FUNDS" });
    await expect(client.call("fail", { code: null })).rejects.toMatchObject({ code: "EHANDLER", remote: true });
  });

  it("answers a method the server does not have with ENOMETHOD", async () => {
    const { endpoint } = await startServer("A");
    const wider = rpc.define({ ...calc, multiply: { request: json<[number, number]>(), reply: json<number>() } });
    const client = track(rpc.client(wider, { servers: endpoint }));
    await expect(client.call("multiply", [2, 3])).rejects.toMatchObject({ code: "ENOMETHOD", remote: true });
  });

  it("answers an undecodable request with a typed EDECODE error, not silence", async () => {
    const { server, endpoint } = await startServer("A");
    const peer = track(new Dealer());
    peer.connect(endpoint);
    await peer.send([header(Kind.Request, 7), callFrame(Buffer.from("c7"), 1, 5000), "add", "{not json"]);
    await peer.send([header(Kind.Request, 8), callFrame(Buffer.from("c8"), 1, 5000), "add"]);
    const replies = [await within(peer.receive(), 5000, "EDECODE reply"), await within(peer.receive(), 5000, "EPROTO reply")];
    expect(replies.map((r) => parseHeader(r[0]))).toEqual([
      { kind: Kind.Error, id: 7 },
      { kind: Kind.Error, id: 8 },
    ]);
    expect(parseErrorFrame(replies[0]![1]).code).toBe("EDECODE");
    expect(parseErrorFrame(replies[1]![1]).code).toBe("EPROTO");
    expect(server.stats.decodeErrors).toBe(1);
  });

  it("moves calls to the other server at once when theirs dies mid-call", async () => {
    const [a, b] = await Promise.all([startServer("A"), startServer("B")]);
    const client = track(rpc.client(calc, { servers: [a.endpoint, b.endpoint], timeout: 9000, retries: 2 }));
    await warmUp(client, ["A", "B"]);
    a.control.mode = "die";
    const started = performance.now();
    const replies = await Promise.all(Array.from({ length: 4 }, (_, i) => client.call("add", { a: i, b: 1 })));
    const elapsed = performance.now() - started;
    expect(replies.map((r) => r.server)).toEqual(["B", "B", "B", "B"]);
    expect(replies.map((r) => r.sum)).toEqual([1, 2, 3, 4]);
    expect(a.control.unanswered).toBeGreaterThan(0);
    // Moved on the disconnect, long before an attempt (3 s) could time out.
    expect(client.stats.failovers).toBeGreaterThan(0);
    expect(client.stats.timeouts).toBe(0);
    expect(elapsed).toBeLessThan(3000);
  });

  it("retries on another server after a timeout, with a fresh socket to the stuck one (Lazy Pirate)", async () => {
    const [a, b] = await Promise.all([startServer("A"), startServer("B")]);
    const client = track(rpc.client(calc, { servers: [a.endpoint, b.endpoint], timeout: 5000, attemptTimeout: 300 }));
    await warmUp(client, ["A", "B"]);
    a.control.mode = "hang";
    const reconnected = waitEvent(a.server.socket, "accept");
    const started = performance.now();
    const replies = await Promise.all(Array.from({ length: 4 }, (_, i) => client.call("add", { a: i, b: 10 })));
    const elapsed = performance.now() - started;
    expect(replies.map((r) => r.server)).toEqual(["B", "B", "B", "B"]);
    expect(a.control.unanswered).toBeGreaterThan(0);
    expect(client.stats.timeouts).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
    // The stuck server sees a new connection: the client replaced its socket.
    await reconnected;
  });

  it("fails with ETIMEDOUT at its deadline when no server answers", async () => {
    const { endpoint, control } = await startServer("A");
    control.mode = "hang";
    // Two attempts of 500 ms each within the 1 s budget.
    const client = track(rpc.client(calc, { servers: endpoint, timeout: 1000, retries: 1 }));
    const started = performance.now();
    const err = await client.call("add", { a: 1, b: 2 }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(err).toMatchObject({ code: "ETIMEDOUT" });
    expect(client.stats).toMatchObject({ timeouts: 2, retries: 1, inFlight: 0 });
    // The retry carried the same call id: the server joined it to the running call.
    expect(control.unanswered).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(2500);
  });

  it("fails with ETIMEDOUT when the only server is unreachable", async () => {
    const { server, endpoint } = await startServer("gone");
    await server.close();
    const client = track(rpc.client(calc, { servers: endpoint, timeout: 300 }));
    await expect(client.call("add", { a: 1, b: 2 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
  });

  it("recovers when a lone server comes back at the same endpoint", async () => {
    const first = await startServer("first");
    const client = track(rpc.client(calc, { servers: first.endpoint, timeout: 8000, attemptTimeout: 400 }));
    await warmUp(client, ["first"]);
    await first.server.close();
    const call = client.call("add", { a: 20, b: 22 });
    const second = await startServer("second", first.endpoint);
    expect(await call).toEqual({ sum: 42, server: "second" });
    expect(second.control.added).toBe(1);
  });

  it("rejects with the abort reason when the signal fires", async () => {
    const { endpoint, control } = await startServer("A");
    control.mode = "hang";
    const client = track(rpc.client(calc, { servers: endpoint }));
    const abort = new AbortController();
    const call = client.call("add", { a: 1, b: 1 }, { signal: abort.signal });
    abort.abort(new Error("user gave up"));
    await expect(call).rejects.toThrow("user gave up");
    expect(client.stats.inFlight).toBe(0);
    await expect(client.call("add", { a: 1, b: 1 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("refuses calls past maxInFlight with EAGAIN, and fails calls in flight with EBADF on close", async () => {
    const { endpoint, control } = await startServer("A");
    control.mode = "hang";
    const client = rpc.client(calc, { servers: endpoint, maxInFlight: 2 });
    const pending = [client.call("add", { a: 1, b: 1 }), client.call("add", { a: 2, b: 2 })];
    await expect(client.call("add", { a: 3, b: 3 })).rejects.toMatchObject({ code: "EAGAIN" });
    await client.close();
    for (const p of pending) await expect(p).rejects.toMatchObject({ code: "EBADF" });
    await expect(client.call("add", { a: 1, b: 1 })).rejects.toMatchObject({ code: "EBADF" });
  });

  it("runs at most `concurrency` handlers at once on a server", async () => {
    let running = 0;
    let most = 0;
    const gates: Array<() => void> = [];
    const server = track(
      new RpcServer(
        calc,
        {
          add: async ({ a, b }) => {
            most = Math.max(most, ++running);
            await new Promise<void>((resolve) => gates.push(resolve));
            running--;
            return { sum: a + b, server: "S" };
          },
          fail: () => null,
        },
        { concurrency: 2 },
      ),
    );
    await server.bind("tcp://127.0.0.1:*");
    const client = track(rpc.client(calc, { servers: server.lastEndpoint!, timeout: 10_000, retries: 0 }));
    const calls = Array.from({ length: 6 }, (_, i) => client.call("add", { a: i, b: 0 }));
    let answered = 0;
    calls.forEach((c) => void c.then(() => answered++));
    await within(
      (async () => {
        while (answered < 6) {
          if (gates.length > 0) gates.shift()!();
          else await new Promise((resolve) => setImmediate(resolve));
        }
      })(),
      5000,
      "all calls answered",
    );
    expect(most).toBe(2);
    expect((await Promise.all(calls)).map((r) => r.sum)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("refuses a handler map that misses a method", () => {
    expect(() => rpc.server(calc, { add: () => ({ sum: 0, server: "" }) } as unknown as Handlers<typeof calc>)).toThrow(
      expect.objectContaining({ code: "EINVAL" }),
    );
  });
});
