/**
 * RPC calls a team can trust with side effects: the call context (id, attempt, deadline,
 * signal), retries only where they cannot run a handler twice, de-duplication by call id,
 * draining servers, and error text that does not leak.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Dealer } from "../../lib/index.js";
import { json, rpc, RpcError, type CallContext, type Handlers, type RpcServerOptions } from "../../patterns/index.js";
import { callFrame, header, Kind, parseErrorFrame, parseHeader } from "../../patterns/rpc/protocol.js";
import { tracker, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

const bank = rpc.define({
  /** Not idempotent: each execution is a side effect. */
  charge: { request: json<{ key: string; ms: number }>(), reply: json<{ server: string; attempt: number }>() },
  balance: { request: json<{ key: string; ms: number }>(), reply: json<{ server: string; attempt: number }>(), idempotent: true },
  /** Never answers; resolves `aborted` with its signal's reason when that fires. */
  hang: { request: json<null>(), reply: json<null>(), idempotent: true },
  context: { request: json<null>(), reply: json<{ callId: string; attempt: number; leftMs: number; method: string }>() },
  fail: { request: json<{ kind: "plain" | "coded" | "rpc" }>(), reply: json<null>() },
});

interface Control {
  /** Executions per key, over every server started by the test. */
  runs: Map<string, number>;
  started: Array<{ server: string; context: CallContext }>;
  aborted: Array<{ server: string; reason: unknown; at: number }>;
  onStart: (() => void) | null;
}

function newControl(): Control {
  return { runs: new Map(), started: [], aborted: [], onStart: null };
}

/** Waits until the handler has been started `n` times in all. */
function started(control: Control, n: number): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (control.started.length >= n) resolve();
        else control.onStart = check;
      };
      check();
    }),
    5000,
    `${n} handler starts`,
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function startServer(name: string, control: Control, options: RpcServerOptions = {}) {
  const note = (context: CallContext): void => {
    control.started.push({ server: name, context });
    context.signal.addEventListener("abort", () => control.aborted.push({ server: name, reason: context.signal.reason, at: performance.now() }));
    control.onStart?.();
  };
  const run = async ({ key, ms }: { key: string; ms: number }, context: CallContext) => {
    note(context);
    control.runs.set(key, (control.runs.get(key) ?? 0) + 1);
    await sleep(ms);
    return { server: name, attempt: context.attempt };
  };
  const handlers: Handlers<typeof bank> = {
    charge: run,
    balance: run,
    hang: (_, context) => {
      note(context);
      return new Promise<never>(() => {});
    },
    context: (_, context) => {
      note(context);
      return { callId: context.callId, attempt: context.attempt, leftMs: context.deadline - Date.now(), method: context.method };
    },
    fail: ({ kind }) => {
      if (kind === "rpc") throw new RpcError("EFUNDS", "insufficient funds");
      const err = new Error("connect postgres://app:hunter2@db failed");
      if (kind === "coded") Object.assign(err, { code: "ECONNREFUSED" });
      throw err;
    },
  };
  const server = track(rpc.server(bank, handlers, options));
  await server.bind("tcp://127.0.0.1:*");
  return { server, endpoint: server.lastEndpoint! };
}

const total = (control: Control): number => [...control.runs.values()].reduce((a, b) => a + b, 0);

describe("rpc call context", () => {
  it("gives a handler the call id, attempt, deadline and method", async () => {
    const control = newControl();
    const { endpoint } = await startServer("A", control);
    const client = track(rpc.client(bank, { servers: endpoint, timeout: 3000 }));
    const first = await client.call("context", null);
    const second = await client.call("context", null);
    expect(first).toMatchObject({ attempt: 1, method: "context" });
    expect(typeof first.callId).toBe("string");
    expect(first.callId.length).toBeGreaterThan(0);
    expect(second.callId).not.toBe(first.callId);
    expect(first.leftMs).toBeGreaterThan(2000);
    expect(first.leftMs).toBeLessThanOrEqual(3000);
  });

  it("fires the handler's signal with ECANCELED when the caller aborts", async () => {
    const control = newControl();
    const { endpoint } = await startServer("A", control);
    const client = track(rpc.client(bank, { servers: endpoint, timeout: 5000 }));
    const abort = new AbortController();
    const call = client.call("hang", null, { signal: abort.signal });
    await started(control, 1);
    abort.abort(new Error("user left"));
    await expect(call).rejects.toThrow("user left");
    await within(
      (async () => {
        while (control.aborted.length === 0) await sleep(5);
      })(),
      3000,
      "the handler's signal",
    );
    expect(control.aborted[0]!.reason).toMatchObject({ code: "ECANCELED" });
  });

  it("fires the handler's signal with ETIMEDOUT at the caller's deadline", async () => {
    const control = newControl();
    const { endpoint } = await startServer("A", control);
    const client = track(rpc.client(bank, { servers: endpoint, timeout: 400, retries: 0 }));
    const sent = performance.now();
    await expect(client.call("hang", null)).rejects.toMatchObject({ code: "ETIMEDOUT" });
    await within(
      (async () => {
        while (control.aborted.length === 0) await sleep(5);
      })(),
      3000,
      "the handler's signal",
    );
    expect(control.aborted[0]!.reason).toMatchObject({ code: "ETIMEDOUT" });
    expect(control.aborted[0]!.at - sent).toBeGreaterThanOrEqual(350);
  });
});

describe("rpc retries", () => {
  it("runs a non-idempotent handler slower than the attempt timeout once; the caller gets ETIMEDOUT once", async () => {
    const control = newControl();
    const [a, b] = [await startServer("A", control), await startServer("B", control)];
    const client = track(rpc.client(bank, { servers: [a.endpoint, b.endpoint], timeout: 900, retries: 2 }));
    const err = await client.call("charge", { key: "slow", ms: 1500 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ETIMEDOUT" });
    expect(control.runs.get("slow")).toBe(1);
    expect(client.stats).toMatchObject({ retries: 0, inFlight: 0 });
  });

  it("lets a non-idempotent call slower than its attempt timeout answer within its deadline, run once", async () => {
    const control = newControl();
    const [a, b] = [await startServer("A", control), await startServer("B", control)];
    const client = track(rpc.client(bank, { servers: [a.endpoint, b.endpoint], timeout: 3000, attemptTimeout: 150 }));
    const reply = await client.call("charge", { key: "k", ms: 500 });
    expect(reply.attempt).toBe(1);
    expect(control.runs.get("k")).toBe(1);
  });

  it("never re-sends a healthy call because another call on its connection timed out", async () => {
    const control = newControl();
    const { endpoint } = await startServer("A", control);
    const client = track(rpc.client(bank, { servers: endpoint, timeout: 3000, attemptTimeout: 150 }));
    await client.call("context", null); // connected
    const stuck = client.call("hang", null, { timeout: 1000 }).catch((e: unknown) => e);
    const healthy = client.call("charge", { key: "healthy", ms: 600 });
    expect(await healthy).toMatchObject({ server: "A", attempt: 1 });
    expect(control.runs.get("healthy")).toBe(1);
    expect(await stuck).toMatchObject({ code: "ETIMEDOUT" });
  });

  it("retries an idempotent call after its attempt timeout, and the server runs it once", async () => {
    const control = newControl();
    const { server, endpoint } = await startServer("A", control);
    const client = track(rpc.client(bank, { servers: endpoint, timeout: 3000, attemptTimeout: 150 }));
    const reply = await client.call("balance", { key: "b", ms: 500 });
    expect(client.stats.retries).toBeGreaterThan(0);
    expect(control.runs.get("b")).toBe(1);
    expect(reply.attempt).toBe(1);
    expect(server.stats.duplicates).toBeGreaterThan(0);
  });

  it("fails a non-idempotent call with ECONNRESET, not a second run, when its server dies mid-call", async () => {
    const control = newControl();
    const a = await startServer("A", control);
    const b = await startServer("B", control);
    const client = track(rpc.client(bank, { servers: [a.endpoint, b.endpoint], timeout: 5000 }));
    // Both connected: call until each has answered.
    const seen = new Set<string>();
    while (seen.size < 2) seen.add((await client.call("balance", { key: "warm", ms: 0 })).server);
    control.runs.clear();
    control.onStart = () => {
      const last = control.started.at(-1)!;
      if (last.context.method === "charge" && last.server === "A") void a.server.close();
    };
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => client.call("charge", { key: `c${i}`, ms: 200 })));
    const reset = results.filter((r) => r.status === "rejected");
    expect(reset.length).toBeGreaterThan(0);
    for (const r of reset) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "ECONNRESET" });
    expect([...control.runs.values()].every((runs) => runs === 1)).toBe(true);
    // Answered calls ran once; a reset one ran at most once (on A, or not at all if A closed first).
    results.forEach((r, i) => {
      if (r.status === "fulfilled") expect(control.runs.get(`c${i}`)).toBe(1);
    });
    expect(client.stats.resets).toBe(reset.length);
  });

  it("sends a call elsewhere when it provably never left: its server never connected", async () => {
    const control = newControl();
    const gone = await startServer("gone", control);
    const deadEndpoint = gone.endpoint;
    await gone.server.close();
    const b = await startServer("B", control);
    const client = track(rpc.client(bank, { servers: [deadEndpoint, b.endpoint], timeout: 5000, attemptTimeout: 300 }));
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => client.call("charge", { key: `u${i}`, ms: 0 })));
    expect(replies.every((r) => r.server === "B")).toBe(true);
    expect(total(control)).toBe(6);
  });
});

describe("rpc de-duplication", () => {
  /** Sends REQUESTs by hand, so the test picks call ids and attempts. */
  async function rawCaller(endpoint: string) {
    const peer = track(new Dealer());
    peer.connect(endpoint);
    let id = 0;
    return async (callId: string, attempt: number, key: string) => {
      await peer.send([header(Kind.Request, ++id), callFrame(Buffer.from(callId), attempt, 5000), "charge", JSON.stringify({ key, ms: 100 })]);
      const reply = await within(peer.receive(), 5000, "reply");
      expect(parseHeader(reply[0])).toEqual({ kind: Kind.Reply, id });
      return JSON.parse(reply[1]!.toString()) as { attempt: number };
    };
  }

  it("answers a retry of a finished call id with the first result, without running it again", async () => {
    const control = newControl();
    const { server, endpoint } = await startServer("A", control);
    const call = await rawCaller(endpoint);
    expect(await call("same", 1, "d")).toEqual({ server: "A", attempt: 1 });
    expect(await call("same", 2, "d")).toEqual({ server: "A", attempt: 1 });
    expect(control.runs.get("d")).toBe(1);
    expect(server.stats.duplicates).toBe(1);
  });

  it("runs a call id again once its window has passed", async () => {
    const control = newControl();
    const { endpoint } = await startServer("A", control, { dedupWindow: 50 });
    const call = await rawCaller(endpoint);
    await call("again", 1, "w");
    await sleep(80);
    expect(await call("again", 2, "w")).toEqual({ server: "A", attempt: 2 });
    expect(control.runs.get("w")).toBe(2);
  });

  it("keeps at most dedupCapacity answers, the oldest going first", async () => {
    const control = newControl();
    const { endpoint } = await startServer("A", control, { dedupCapacity: 1 });
    const call = await rawCaller(endpoint);
    await call("first", 1, "f");
    await call("second", 1, "s");
    expect(await call("second", 2, "s")).toEqual({ server: "A", attempt: 1 });
    expect(await call("first", 2, "f")).toEqual({ server: "A", attempt: 2 });
    expect(control.runs.get("f")).toBe(2);
    expect(control.runs.get("s")).toBe(1);
  });

  it("refuses negative dedup options with EINVAL", () => {
    expect(() => rpc.server(bank, {} as Handlers<typeof bank>, { dedupWindow: -1 })).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("answers a version 1 request with EPROTO", async () => {
    const { endpoint } = await startServer("A", newControl());
    const peer = track(new Dealer());
    peer.connect(endpoint);
    await peer.send([Buffer.from([0x57, 1, 0, 0, 0, 9]), "charge", "{}"]);
    const reply = await within(peer.receive(), 5000, "reply");
    expect(parseHeader(reply[0])).toEqual({ kind: Kind.Error, id: 9 });
    expect(parseErrorFrame(reply[1]).code).toBe("EPROTO");
  });
});

describe("rpc drain", () => {
  it("finishes and answers running calls on close({ drain: true }); none runs twice", async () => {
    const control = newControl();
    const a = await startServer("A", control);
    const b = await startServer("B", control);
    const client = track(rpc.client(bank, { servers: [a.endpoint, b.endpoint], timeout: 8000 }));
    const seen = new Set<string>();
    while (seen.size < 2) seen.add((await client.call("balance", { key: "warm", ms: 0 })).server);
    control.runs.clear();
    const calls = Array.from({ length: 10 }, (_, i) => client.call("charge", { key: `o${i}`, ms: 300 }));
    await started(control, control.started.length + 10);
    const drained = a.server.close({ drain: true });
    // Made while A drains: it goes to B, or to A which refuses it unrun.
    const late = client.call("charge", { key: "late", ms: 0 });
    const replies = await Promise.all(calls);
    await drained;
    expect(replies.filter((r) => r.server === "A").length).toBeGreaterThan(0);
    expect(await late).toMatchObject({ server: "B" });
    expect(total(control)).toBe(11);
    for (const [, runs] of control.runs) expect(runs).toBe(1);
    expect(client.stats.resets).toBe(0);
  });

  it("refuses calls with ESHUTDOWN while draining when the client has no other server", async () => {
    const control = newControl();
    const { server, endpoint } = await startServer("A", control);
    const client = track(rpc.client(bank, { servers: endpoint, timeout: 5000 }));
    const running = client.call("charge", { key: "r", ms: 300 });
    await started(control, 1);
    const drained = server.close({ drain: true });
    await expect(client.call("charge", { key: "refused", ms: 0 })).rejects.toMatchObject({ code: "ESHUTDOWN", remote: true });
    expect(await running).toMatchObject({ server: "A" });
    await drained;
    expect(control.runs.has("refused")).toBe(false);
  });
});

describe("rpc drain limits", () => {
  it("fires running handlers' signals with ESHUTDOWN when a drain's timeout passes, and closes", async () => {
    const control = newControl();
    const { server, endpoint } = await startServer("A", control);
    const client = track(rpc.client(bank, { servers: endpoint, timeout: 5000 }));
    const stuck = client.call("hang", null).catch((e: unknown) => e);
    await started(control, 1);
    const began = performance.now();
    // As every drain in wiremq/patterns: closed anyway, and close() says the drain ran out.
    await expect(server.close({ drain: true, timeout: 150 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
    expect(performance.now() - began).toBeGreaterThanOrEqual(140);
    expect(server.socket.closed).toBe(true);
    expect(control.aborted[0]!.reason).toMatchObject({ code: "ESHUTDOWN" });
    await client.close();
    expect(await stuck).toMatchObject({ code: "EBADF" });
  });

  it("refuses a negative drain timeout with EINVAL and still closes afterwards", async () => {
    const { server } = await startServer("A", newControl());
    await expect(server.close({ drain: true, timeout: -1 })).rejects.toMatchObject({ code: "EINVAL" });
    await server.close();
    expect(server.socket.closed).toBe(true);
  });
});

describe("rpc errors", () => {
  it("keeps a handler's raw error text (a secret) on the server unless it opts in", async () => {
    const seen: unknown[] = [];
    const { endpoint } = await startServer("A", newControl(), { onHandlerError: (err) => seen.push(err) });
    const client = track(rpc.client(bank, { servers: endpoint }));
    const plain = await client.call("fail", { kind: "plain" }).catch((e: unknown) => e);
    expect(plain).toMatchObject({ code: "EHANDLER", remote: true });
    expect((plain as Error).message).not.toContain("hunter2");
    const coded = await client.call("fail", { kind: "coded" }).catch((e: unknown) => e);
    expect(coded).toMatchObject({ code: "ECONNREFUSED" });
    expect((coded as Error).message).not.toContain("hunter2");
    await expect(client.call("fail", { kind: "rpc" })).rejects.toMatchObject({ code: "EFUNDS", message: "insufficient funds" });
    // The server's own hook still sees the whole error.
    expect(String((seen[0] as Error).message)).toContain("hunter2");
  });

  it("sends a handler's raw error text when the server sets exposeErrors", async () => {
    const { endpoint } = await startServer("A", newControl(), { exposeErrors: true });
    const client = track(rpc.client(bank, { servers: endpoint }));
    await expect(client.call("fail", { kind: "plain" })).rejects.toMatchObject({ code: "EHANDLER", message: expect.stringContaining("hunter2") });
  });
});
