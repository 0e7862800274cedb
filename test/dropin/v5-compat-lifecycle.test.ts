/**
 * bind/unbind callbacks and events, monitor events, close, and the errors of zeromq 5's
 * callback API, run against zeromq/v5-compat and wiremq/v5-compat and compared.
 */
import { describe, expect, it } from "vitest";
import { describeError, LIBS, outcome, same, wiremq5, zeromq5, type Lab, type Socket5 } from "../helpers/v5-diff.js";

const MONITOR_EVENTS = ["connect", "connect_delay", "connect_retry", "listen", "bind_error", "accept", "accept_error", "close", "close_error", "disconnect"];

/** Records a socket's monitor events as [name, typeof value, whether the address is the one expected]. */
function recordMonitor(sock: Socket5, log: unknown[][], address: () => string | undefined): void {
  for (const name of MONITOR_EVENTS) {
    sock.on(name, (value: unknown, at: unknown, error?: Error & { code?: string }) => {
      log.push([name, typeof value, at === address(), error?.code]);
    });
  }
}

describe("v5-compat bind and unbind, zeromq and wiremq side by side", () => {
  same("bind(address, cb): the bind event, then the callback; unbind likewise", async ({ socket }: Lab) => {
    const sock = socket("pull");
    const log: unknown[][] = [];
    sock.on("bind", (address: unknown) => log.push(["bind event", address]));
    sock.on("unbind", (address: unknown) => log.push(["unbind event", address]));
    await new Promise<void>((resolve) =>
      sock.bind("tcp://127.0.0.1:*", (err?: Error) => {
        log.push(["bind cb", err]);
        resolve();
      }),
    );
    const endpoint = sock.last_endpoint as string;
    await new Promise<void>((resolve) =>
      sock.unbind(endpoint, (err?: Error) => {
        log.push(["unbind cb", err]);
        resolve();
      }),
    );
    return log.map((entry) => (entry[1] === endpoint ? [entry[0], "the endpoint"] : entry));
  });

  same("a failed bind goes to the callback, or without one to an error event", async ({ socket, bound, next }: Lab) => {
    const taken = bound("pull").last_endpoint as string;
    const sock = socket("pull");
    const viaCallback = await new Promise<unknown>((resolve) => sock.bind(taken, (err?: Error) => resolve(err && { ...describeError(err), address: (err as { address?: string }).address === taken })));
    sock.bind(taken);
    const [err] = await next(sock, "error");
    return { viaCallback, viaEvent: describeError(err) };
  });

  same("unbind of an endpoint not bound fails with ENOENT to the callback", async ({ socket }: Lab) => {
    const sock = socket("pull");
    return new Promise((resolve) => sock.unbind("tcp://127.0.0.1:1", (err?: Error) => resolve(err && describeError(err))));
  });

  // (Binding the same endpoint again right after is not compared: libzmq frees it in its I/O
  // thread, so under zeromq that bind sometimes fails with EADDRINUSE; wiremq's is free at once.)
  same("bindSync then unbind(cb) by last_endpoint", async ({ socket }: Lab) => {
    const sock = socket("pull");
    sock.bindSync("tcp://127.0.0.1:*");
    const endpoint = sock.last_endpoint as string;
    return new Promise((resolve) => sock.unbind(endpoint, (err?: Error) => resolve(err ?? "ok")));
  });
});

describe("v5-compat monitor, zeromq and wiremq side by side", () => {
  same("server and client see listen, accept / connect_delay, connect, and disconnect and close", async ({ socket, next }: Lab) => {
    const server = socket("rep");
    const serverLog: unknown[][] = [];
    let endpoint: string | undefined;
    recordMonitor(server, serverLog, () => endpoint);
    server.monitor();
    server.bindSync("tcp://127.0.0.1:*");
    endpoint = server.last_endpoint as string;
    await next(server, "listen");
    const client = socket("req");
    const clientLog: unknown[][] = [];
    recordMonitor(client, clientLog, () => endpoint);
    client.monitor();
    const connected = Promise.all([next(client, "connect"), next(server, "accept")]);
    client.connect(endpoint);
    await connected;
    server.on("message", (m: unknown) => server.send(m as Buffer));
    const echoed = next(client, "message");
    client.send("ping");
    await echoed;
    const gone = next(server, "disconnect");
    client.close();
    await gone;
    const closed = next(server, "close");
    server.close();
    await closed;
    return { serverLog, clientLog };
  });

  same("connecting to a port nobody listens on: connect_delay, close and connect_retry with the interval as value", async ({ socket, next }: Lab) => {
    const sock = socket("dealer");
    const log: unknown[][] = [];
    const address = "tcp://127.0.0.1:1";
    recordMonitor(sock, log, () => address);
    sock.monitor();
    const retried = (async () => {
      await next(sock, "connect_retry");
      await next(sock, "connect_retry");
    })();
    sock.connect(address);
    await retried;
    return log.slice(0, 6);
  });

  same("monitor(interval) warns once that its arguments are ignored", async ({ socket }: Lab) => {
    const warned = new Promise<string>((resolve) => process.once("warning", (w) => resolve(w.message)));
    socket("pull").monitor(10, 0);
    return warned;
  });

  same("monitor() on a closed socket throws ENOTSOCK at once", async ({ socket }: Lab) => {
    const sock = socket("pull");
    sock.close();
    return outcome(() => sock.monitor());
  });
});

describe("v5-compat close, zeromq and wiremq side by side", () => {
  same("close(): returns the socket, closed turns true, and a second close is harmless", async ({ socket }: Lab) => {
    const sock = socket("dealer");
    const before = sock.closed;
    const returned = sock.close() === sock;
    return { before, returned, after: sock.closed, again: outcome(() => sock.close() === sock) };
  });

  same("after close: connect, disconnect, bindSync and unbindSync throw EBADF at once", async ({ socket }: Lab) => {
    const sock = socket("dealer");
    sock.close();
    return [
      outcome(() => sock.connect("tcp://127.0.0.1:5")),
      outcome(() => sock.disconnect("tcp://127.0.0.1:5")),
      outcome(() => sock.bindSync("tcp://127.0.0.1:*")),
      outcome(() => sock.unbindSync("tcp://127.0.0.1:5")),
    ];
  });

  same("after close: bind and unbind throw EBADF at once, before any callback", async ({ socket }: Lab) => {
    const sock = socket("pull");
    sock.close();
    const called: unknown[] = [];
    const result = [
      outcome(() => sock.bind("tcp://127.0.0.1:*", (err?: Error) => called.push(err))),
      outcome(() => sock.unbind("tcp://127.0.0.1:5", (err?: Error) => called.push(err))),
    ];
    await new Promise((r) => setTimeout(r, 10));
    return { result, called };
  });

  same("a bind while another is in progress throws EBUSY at once; the first completes", async ({ socket }: Lab) => {
    const sock = socket("pull");
    const first = new Promise((resolve) => sock.bind("tcp://127.0.0.1:*", (err?: Error) => resolve(err ?? "bound")));
    const second = outcome(() => sock.bind("tcp://127.0.0.1:*"));
    const sync = outcome(() => sock.bindSync("tcp://127.0.0.1:*"));
    return { second, sync, first: await first };
  });

  same("a send after close never calls back and raises nothing", async ({ socket }: Lab) => {
    const sock = socket("push");
    const log: unknown[] = [];
    sock.on("error", (e: unknown) => log.push(["error", e]));
    sock.close();
    sock.send("late", 0, (err?: Error) => log.push(["cb", err]));
    await new Promise((r) => setTimeout(r, 20));
    return log;
  });

  same("closing a receiver stops its message events without an error", async ({ socket, bound, next }: Lab) => {
    const pull = bound("pull");
    const push = socket("push");
    push.connect(pull.last_endpoint);
    const log: string[] = [];
    pull.on("error", (e: Error) => log.push(`error ${e.message}`));
    pull.on("message", (m: unknown) => log.push(String(m)));
    push.send("one");
    await next(pull, "message");
    pull.close();
    push.send("two");
    await new Promise((r) => setTimeout(r, 20));
    return log;
  });
});

describe("v5-compat errors, zeromq and wiremq side by side", () => {
  same("socket(type) of an unknown type throws", async ({ zmq }: Lab) => [outcome(() => zmq.socket("nope" as never)), outcome(() => new zmq.Socket("toString" as never))]);

  same("read() was removed", async ({ socket }: Lab) => outcome(() => socket("pull").read()));

  same("subscribe and unsubscribe need a SUB socket", async ({ socket }: Lab) => {
    const sock = socket("xsub");
    return [outcome(() => sock.subscribe("a")), outcome(() => sock.unsubscribe("a"))];
  });

  same("subscribe and unsubscribe return the socket", async ({ socket }: Lab) => {
    const sock = socket("sub");
    return [sock.subscribe("a") === sock, sock.unsubscribe("a") === sock];
  });

  same("Context cannot be made; its statics set and read the process-wide context", async ({ zmq }: Lab) => {
    const [threads, sockets] = [zmq.Context.getMaxThreads(), zmq.Context.getMaxSockets()];
    try {
      zmq.Context.setMaxThreads(2);
      zmq.Context.setMaxSockets(512);
      return { made: outcome(() => new zmq.Context()), threads: zmq.Context.getMaxThreads(), sockets: zmq.Context.getMaxSockets() };
    } finally {
      zmq.Context.setMaxThreads(threads);
      zmq.Context.setMaxSockets(sockets);
    }
  });

  same("proxy refuses socket type orders it does not relay", async ({ zmq, socket }: Lab) => [
    outcome(() => zmq.proxy(socket("dealer"), socket("router"))),
    outcome(() => zmq.proxy(socket("pub"), socket("sub"))),
  ]);

  same("connect to a malformed address throws at once", async ({ socket }: Lab) => {
    const sock = socket("dealer");
    return [outcome(() => sock.connect("tcp://nohost")), outcome(() => sock.connect("bogus://x"))];
  });
});

describe("v5-compat unmonitor", () => {
  it("unmonitor() while events are read raises an error event, as zeromq's does", async () => {
    for (const [, zmq] of LIBS) {
      const sock = zmq.socket("dealer");
      sock.setsockopt(zmq.ZMQ_LINGER, 0);
      try {
        sock.monitor();
        await new Promise((r) => setImmediate(r));
        const error = new Promise<Error>((resolve) => sock.once("error", resolve));
        expect(sock.unmonitor()).toBe(sock);
        expect(describeError(await error)).toEqual({ name: "Error", code: "ENOTSOCK", message: "Socket operation on non-socket" });
      } finally {
        sock.close();
      }
    }
  });
});

describe("v5-compat send on a socket that cannot send", () => {
  it("PULL and SUB: an unhandled rejection 'Cannot send on this socket type.', as zeromq's compat layer gives", async () => {
    // The rejection is the behaviour under test, so the runner's own handler steps aside
    // while it is caught here.
    const runners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const seen: unknown[] = [];
    process.on("unhandledRejection", (reason) => seen.push(describeError(reason)));
    try {
      for (const [name, zmq] of LIBS) {
        for (const type of ["pull", "sub"] as const) {
          const sock = zmq.socket(type);
          sock.setsockopt(zmq.ZMQ_LINGER, 0);
          let called = false;
          sock.send("x", 0, () => {
            called = true;
          });
          await new Promise((r) => setTimeout(r, 20));
          sock.close();
          seen.push(`${name} ${type} called back: ${called}`);
        }
      }
    } finally {
      process.removeAllListeners("unhandledRejection");
      for (const fn of runners) process.on("unhandledRejection", fn);
    }
    // wiremq's error has a code (ENOTSUP) besides zeromq's name and message.
    const rejection = (lib: string) => ({ name: "Error", message: "Cannot send on this socket type.", ...(lib === "wiremq" ? { code: "ENOTSUP" } : {}) });
    expect(seen).toEqual(
      LIBS.flatMap(([name]) => ["pull", "sub"].flatMap((type) => [rejection(name), `${name} ${type} called back: false`])),
    );
  });
});

describe("v5-compat message parts", () => {
  same("numbers, booleans, null, undefined and typed arrays are sent as zeromq sends them", async ({ socket, bound }: Lab) => {
    const pull = bound("pull");
    const push = socket("push");
    push.connect(pull.last_endpoint);
    const got = new Promise<string[]>((resolve) => pull.once("message", (...f: Buffer[]) => resolve(f.map((b) => b.toString("hex")))));
    push.send([1, null, "x", Buffer.from("y"), undefined, 2.5, true, new Uint8Array([1])] as never);
    return got;
  });
});
