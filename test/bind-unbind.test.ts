/**
 * bind() and unbind() as libzmq does them: an interface or host name binds its address and
 * lastEndpoint shows that address; unbind takes lastEndpoint, or the address given to bind when it had no
 * wildcard; an unknown host is ENODEV. Each case runs against both libraries.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wmq from "../lib/index.js";
import { portOf, tracker } from "./helpers/sockets.js";

zmq.context.blocky = false;
const open = tracker();
afterEach(() => open.closeAll());

const LIBS = [
  ["wiremq", wmq.Pull],
  ["zeromq", zmq.Pull],
] as const;

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

  it("unbind takes lastEndpoint, not a wildcard; the port is free again after", async () => {
    const pull = open.track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    await expect(pull.unbind("tcp://127.0.0.1:*")).rejects.toMatchObject({ code: "ENOENT" });
    const endpoint = pull.lastEndpoint!;
    await pull.unbind(endpoint);
    const again = open.track(new Pull());
    await again.bind(endpoint);
    expect(portOf(again.lastEndpoint!)).toBe(portOf(endpoint));
  });

  it("unbind takes the host name given to bind when the port was explicit", async () => {
    const probe = open.track(new Pull());
    await probe.bind("tcp://127.0.0.1:*");
    const port = portOf(probe.lastEndpoint!);
    await probe.unbind(probe.lastEndpoint!);
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
