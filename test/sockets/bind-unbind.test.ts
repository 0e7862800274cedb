/**
 * bind() and unbind() as libzmq does them: an interface or host name binds its address and
 * lastEndpoint shows that address; unbind takes lastEndpoint, or the address given to bind when it had no
 * wildcard; an unknown host is ENODEV. Each case runs against both libraries.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as net from "node:net";
import { once } from "node:events";
import * as zmq from "zeromq";
import * as wmq from "../../lib/index.js";
import { portOf, tracker, within } from "../helpers/sockets.js";

zmq.context.blocky = false;
const open = tracker();
afterEach(() => open.closeAll());

const LIBS = [
  ["wiremq", wmq.Pull],
  ["zeromq", zmq.Pull],
] as const;

/** A port free on `host` now: a plain server's, closed and awaited. */
async function freePort(host: string): Promise<number> {
  const probe = net.createServer().listen(0, host);
  await once(probe, "listening");
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe.each(LIBS)("%s", (_name, Pull) => {
  it("a host name binds its IPv4 address, shown in lastEndpoint", async () => {
    const pull = open.track(new Pull());
    await pull.bind("tcp://localhost:*");
    expect(pull.lastEndpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
  });

  it("an interface name binds its address: IPv4, or IPv6 with ipv6", async () => {
    const v4 = open.track(new Pull());
    await v4.bind("tcp://lo:*");
    expect(v4.lastEndpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const v6 = open.track(new Pull({ ipv6: true }));
    await v6.bind("tcp://lo:*");
    expect(v6.lastEndpoint).toMatch(/^tcp:\/\/\[::1\]:\d+$/);
  });

  it("unbind takes lastEndpoint, not a wildcard", async () => {
    const pull = open.track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    await expect(pull.unbind("tcp://127.0.0.1:*")).rejects.toMatchObject({ code: "ENOENT" });
    await pull.unbind(pull.lastEndpoint!);
  });

  it("unbind takes the host name given to bind when the port was explicit", async () => {
    // libzmq lets go of an unbound port later, so take a free one from a plain server.
    const port = await freePort("127.0.0.1");
    const pull = open.track(new Pull());
    await pull.bind(`tcp://localhost:${port}`);
    await pull.unbind(`tcp://localhost:${port}`);
    await expect(pull.unbind(`tcp://localhost:${port}`)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("an unknown host name is ENODEV", async () => {
    const pull = open.track(new Pull());
    await expect(pull.bind("tcp://no-such-host.invalid:*")).rejects.toMatchObject({ code: "ENODEV" });
  });
});

describe("wiremq", () => {
  it("the port is free again once unbind resolves (libzmq lets go of it later, on its I/O thread)", async () => {
    const pull = open.track(new wmq.Pull());
    await pull.bind("tcp://127.0.0.1:*");
    const endpoint = pull.lastEndpoint!;
    await pull.unbind(endpoint);
    const again = open.track(new wmq.Pull());
    await again.bind(endpoint);
    expect(portOf(again.lastEndpoint!)).toBe(portOf(endpoint));
  });
});

describe("connect with a source (tcp://source;host:port)", () => {
  /** A plain TCP listener that reports where each connection came from. */
  async function origin(host: string): Promise<{ port: number; from: Promise<[string, number]> }> {
    const server = net.createServer();
    open.track({ close: () => new Promise<void>((r) => server.close(() => r())) });
    const from = new Promise<[string, number]>((resolve) =>
      server.once("connection", (sock) => {
        resolve([sock.remoteAddress!, sock.remotePort!]);
        sock.destroy();
      }),
    );
    server.listen(0, host);
    await once(server, "listening");
    return { port: (server.address() as net.AddressInfo).port, from };
  }

  it.each(LIBS)("%s: leaves from the source address and port given", async (_name, Pull) => {
    const target = await origin("127.0.0.1");
    const port = await freePort("127.0.0.2");
    const pull = open.track(new Pull());
    pull.connect(`tcp://127.0.0.2:${port};127.0.0.1:${target.port}`);
    expect(await within(target.from, 5000, "the connection")).toEqual(["127.0.0.2", port]);
  });

  it("wiremq: a source may also be an interface name, or an IPv6 address in brackets", async () => {
    const Pull = wmq.Pull;
    const v4 = await origin("127.0.0.1");
    const a = open.track(new Pull());
    a.connect(`tcp://lo;127.0.0.1:${v4.port}`);
    expect((await within(v4.from, 5000, "the IPv4 connection"))[0]).toBe("127.0.0.1");
    const v6 = await origin("::1");
    const b = open.track(new Pull({ ipv6: true }));
    b.connect(`tcp://[::1];[::1]:${v6.port}`);
    expect((await within(v6.from, 5000, "the IPv6 connection"))[0]).toBe("::1");
  });
});
