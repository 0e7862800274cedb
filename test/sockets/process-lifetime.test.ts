/**
 * What keeps a process alive, against zeromq: each scenario runs as a child program once with
 * zeromq and once with wiremq's build, and what each did (printed, exited, delivered) must be
 * the same. zeromq's outcome is also pinned, so a test cannot pass by both doing the wrong
 * thing. A program proves it was still running by printing from an unref'd timer, which fires
 * only while something else holds the process; zeromq's wait at exit for lingering messages
 * happens after its event loop is gone, so there the test watches for the exit instead.
 */
import { describe, expect, it } from "vitest";
import * as net from "node:net";
import * as zeromq from "zeromq";
import { ChildProgram } from "../helpers/child-program.js";
import type { LibName } from "../helpers/differential.js";

const LIBS: readonly LibName[] = ["zeromq", "wiremq"];

/** Runs the scenario with each library in turn (timings matter here, so not at once). */
async function bothWays<T>(scenario: (lib: LibName) => Promise<T>): Promise<T> {
  const seen: Partial<Record<LibName, T>> = {};
  for (const lib of LIBS) seen[lib] = await scenario(lib);
  expect(seen.wiremq, "wiremq's outcome differs from zeromq's").toEqual(seen.zeromq);
  return seen.zeromq!;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Receives what arrives at `port` (a zeromq PULL bound there) until `ms` pass without a message. */
async function collect(port: number, ms: number): Promise<string[]> {
  const pull = new zeromq.Pull({ linger: 0, receiveTimeout: ms });
  try {
    await pull.bind(`tcp://127.0.0.1:${port}`);
    const got: string[] = [];
    for (;;) {
      try {
        got.push(String((await pull.receive())[0]));
      } catch {
        return got;
      }
    }
  } finally {
    pull.close();
  }
}

/** Sends one message to `endpoint` from a zeromq PUSH. */
async function sendTo(endpoint: string, text: string): Promise<void> {
  const push = new zeromq.Push({ linger: 1000 });
  push.connect(endpoint);
  await push.send(text);
  push.close();
}

const WARNING = "WARNING: Waiting for queued ZeroMQ messages to be delivered.";

describe("idle sockets do not keep the process alive", () => {
  it("a bound socket", async () => {
    const seen = await bothWays(async (lib) => {
      const p = new ChildProgram(lib, `
        const pull = new zmq.Pull();
        await pull.bind("tcp://127.0.0.1:*");
        const dealer = new zmq.Dealer();
        await dealer.bind("inproc://idle-bound");
        console.log("bound");`);
      const exit = await p.exitWithin(10_000);
      await p.kill();
      return { code: exit?.code, lines: p.lines };
    });
    expect(seen).toEqual({ code: 0, lines: ["bound"] });
  });

  it("a socket connecting to an absent peer, retrying", async () => {
    const port = await freePort();
    const seen = await bothWays(async (lib) => {
      const p = new ChildProgram(lib, `
        const sub = new zmq.Subscriber({ reconnectInterval: 20 });
        sub.connect("tcp://127.0.0.1:${port}");
        sub.subscribe();
        console.log("connecting");`);
      const exit = await p.exitWithin(10_000);
      await p.kill();
      return { code: exit?.code, lines: p.lines };
    });
    expect(seen).toEqual({ code: 0, lines: ["connecting"] });
  });

  it("connected sockets after an exchange, with heartbeats on", async () => {
    const seen = await bothWays(async (lib) => {
      const p = new ChildProgram(lib, `
        const rep = new zmq.Reply({ heartbeatInterval: 50 });
        await rep.bind("tcp://127.0.0.1:*");
        const req = new zmq.Request({ heartbeatInterval: 50 });
        req.connect(rep.lastEndpoint);
        await req.send("ping");
        await rep.send(String(await rep.receive()) + "/pong");
        console.log(String(await req.receive()));`);
      const exit = await p.exitWithin(10_000);
      await p.kill();
      return { code: exit?.code, lines: p.lines };
    });
    expect(seen).toEqual({ code: 0, lines: ["ping/pong"] });
  });
});

describe("what the program waits for keeps it alive", () => {
  it("a pending receive, until its message arrives", async () => {
    const seen = await bothWays(async (lib) => {
      const p = new ChildProgram(lib, `
        const pull = new zmq.Pull();
        await pull.bind("tcp://127.0.0.1:*");
        setTimeout(() => console.log("alive"), 300).unref();
        console.log("endpoint " + pull.lastEndpoint);
        console.log("got " + (await pull.receive())[0]);
        pull.close();`);
      const endpoint = (await p.line("endpoint ")).slice("endpoint ".length);
      await p.line("alive");
      await sendTo(endpoint, "job");
      const exit = await p.exitWithin(10_000);
      await p.kill();
      return { code: exit?.code, lines: p.lines.filter((l) => !l.startsWith("endpoint ")) };
    });
    expect(seen).toEqual({ code: 0, lines: ["alive", "got job"] });
  });

  it("a pending send, until a peer takes it", async () => {
    const seen = await bothWays(async (lib) => {
      const p = new ChildProgram(lib, `
        const push = new zmq.Push();
        await push.bind("tcp://127.0.0.1:*");
        setTimeout(() => console.log("alive"), 300).unref();
        console.log("endpoint " + push.lastEndpoint);
        await push.send("job");
        console.log("sent");
        push.close();`);
      const endpoint = (await p.line("endpoint ")).slice("endpoint ".length);
      await p.line("alive");
      const pull = new zeromq.Pull({ linger: 0, receiveTimeout: 10_000 });
      pull.connect(endpoint);
      const got = String((await pull.receive())[0]);
      pull.close();
      const exit = await p.exitWithin(10_000);
      await p.kill();
      return { code: exit?.code, got, lines: p.lines.filter((l) => !l.startsWith("endpoint ")) };
    });
    expect(seen).toEqual({ code: 0, got: "job", lines: ["alive", "sent"] });
  });

  it("listening to events, until the socket closes", async () => {
    const seen = await bothWays(async (lib) => {
      const p = new ChildProgram(lib, `
        const pull = new zmq.Pull();
        pull.events.on("bind", () => console.log("bind event"));
        await pull.bind("tcp://127.0.0.1:*");
        setTimeout(() => {
          console.log("alive");
          pull.close();
        }, 300).unref();`);
      const exit = await p.exitWithin(10_000);
      await p.kill();
      return { code: exit?.code, lines: p.lines };
    });
    expect(seen).toEqual({ code: 0, lines: ["bind event", "alive"] });
  });

  it("a receive with a timeout, until it times out", async () => {
    const seen = await bothWays(async (lib) => {
      const p = new ChildProgram(lib, `
        const pull = new zmq.Pull({ receiveTimeout: 200 });
        await pull.bind("tcp://127.0.0.1:*");
        await pull.receive().catch((err) => console.log(err.code));`);
      const exit = await p.exitWithin(10_000);
      await p.kill();
      return { code: exit?.code, lines: p.lines };
    });
    expect(seen).toEqual({ code: 0, lines: ["EAGAIN"] });
  });
});

describe("close() and exit with undelivered messages", () => {
  /** A PUSH that connects to `port`, sends, closes at once, and prints "closed". */
  const sendAndClose = (port: number, options: string, context = ""): string => `
    ${context}
    const push = new zmq.Push(${options});
    push.connect("tcp://127.0.0.1:${port}");
    await push.send("last words");
    console.log("linger " + push.linger);
    await push.close();
    console.log("closed");`;

  it("the default linger (-1): the process waits for a peer that comes later, which gets the message", async () => {
    const seen = await bothWays(async (lib) => {
      const port = await freePort();
      const p = new ChildProgram(lib, sendAndClose(port, ""));
      await p.line("closed");
      const early = await p.exitWithin(300);
      const got = await collect(port, 1000);
      const exit = await p.exitWithin(10_000);
      await p.kill();
      return { exitedBeforePeer: early !== null, got, code: exit?.code, lines: p.lines };
    });
    expect(seen).toEqual({ exitedBeforePeer: false, got: ["last words"], code: 0, lines: ["linger -1", "closed"] });
  });

  it("the default linger (-1) and no peer ever: close() returns, and the process waits at exit with zeromq's warning", async () => {
    const seen = await bothWays(async (lib) => {
      const p = new ChildProgram(lib, sendAndClose(await freePort(), ""));
      await p.line("closed");
      const exit = await p.exitWithin(1500);
      await p.kill();
      return { exited: exit !== null, lines: p.lines, warned: p.stderr.includes(WARNING) };
    });
    expect(seen).toEqual({ exited: false, lines: ["linger -1", "closed"], warned: true });
  });

  it("a linger of 300 ms and no peer: the process exits once it has passed", async () => {
    const seen = await bothWays(async (lib) => {
      const p = new ChildProgram(lib, sendAndClose(await freePort(), "{ linger: 300 }"));
      await p.line("closed");
      const closedAt = Date.now();
      const exit = await p.exitWithin(10_000);
      const waited = Date.now() - closedAt;
      await p.kill();
      return { code: exit?.code, waitedForLinger: waited >= 250, lines: p.lines };
    });
    expect(seen).toEqual({ code: 0, waitedForLinger: true, lines: ["linger 300", "closed"] });
  });

  it("a context made with blocky false gives linger 0: nothing waits, the process exits", async () => {
    const seen = await bothWays(async (lib) => {
      const p = new ChildProgram(lib, sendAndClose(await freePort(), "{ context }", "const context = new zmq.Context({ blocky: false });"));
      const exit = await p.exitWithin(10_000);
      await p.kill();
      return { code: exit?.code, lines: p.lines, warned: p.stderr.includes(WARNING) };
    });
    expect(seen).toEqual({ code: 0, lines: ["linger 0", "closed"], warned: false });
  });

  it("the shared context set to blocky false gives new sockets linger 0", async () => {
    const seen = await bothWays(async (lib) => {
      const p = new ChildProgram(lib, sendAndClose(await freePort(), "", "zmq.context.blocky = false;"));
      const exit = await p.exitWithin(10_000);
      await p.kill();
      return { code: exit?.code, lines: p.lines };
    });
    expect(seen).toEqual({ code: 0, lines: ["linger 0", "closed"] });
  });

  it("a socket left open with a queued message: at exit the process waits for the peer, which gets it", async () => {
    const seen = await bothWays(async (lib) => {
      const port = await freePort();
      const p = new ChildProgram(lib, `
        const push = new zmq.Push();
        push.connect("tcp://127.0.0.1:${port}");
        await push.send("never closed");
        console.log("sent");`);
      await p.line("sent");
      const early = await p.exitWithin(300);
      const got = await collect(port, 1000);
      const exit = await p.exitWithin(10_000);
      await p.kill();
      return { exitedBeforePeer: early !== null, got, code: exit?.code };
    });
    expect(seen).toEqual({ exitedBeforePeer: false, got: ["never closed"], code: 0 });
  });

  it("process.exit() right after close() ends the process at once, dropping what was queued", async () => {
    const seen = await bothWays(async (lib) => {
      const p = new ChildProgram(lib, `${sendAndClose(await freePort(), "")}\nprocess.exit(0);`);
      const exit = await p.exitWithin(10_000);
      await p.kill();
      return { code: exit?.code, lines: p.lines };
    });
    expect(seen).toEqual({ code: 0, lines: ["linger -1", "closed"] });
  });
});
