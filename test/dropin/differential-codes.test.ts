/**
 * Error codes as zeromq gives them: ROUTER `mandatory` toward an unknown peer, and endpoints
 * that are malformed, of an unknown protocol or of one the socket type may not use, for
 * bind, unbind, connect and disconnect alike.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectSame, settle } from "../helpers/differential.js";

describe("error codes (differential)", () => {
  it("a mandatory ROUTER fails a send to an unknown peer with EHOSTUNREACH, and routes to a known one", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const router = run.track(new zmq.Router({ linger: 0, mandatory: true }));
      const dealer = run.track(new zmq.Dealer({ linger: 0, routingId: "known" }));
      await router.bind("tcp://127.0.0.1:*");
      dealer.connect(router.lastEndpoint!);
      await dealer.send("hello");
      await router.receive();
      return {
        unknown: await settle(() => router.send(["nobody", "x"])),
        known: await settle(() => router.send(["known", "x"])),
      };
    });
    expect(seen).toMatchObject({ resolved: { unknown: { rejected: { code: "EHOSTUNREACH" } }, known: { resolved: undefined } } });
  });

  it("a mandatory ROUTER with no peer at all and sendTimeout 0 fails at once with EHOSTUNREACH", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const router = run.track(new zmq.Router({ linger: 0, mandatory: true, sendTimeout: 0 }));
      await router.bind("tcp://127.0.0.1:*");
      return settle(() => router.send(["fooId", "foo"]));
    });
    expect(seen).toMatchObject({ resolved: { rejected: { code: "EHOSTUNREACH", message: "Host unreachable" } } });
  });

  it("a ROUTER without mandatory drops a message to an unknown peer", async () => {
    await expectSame(async (zmq, run) => {
      const router = run.track(new zmq.Router({ linger: 0 }));
      return settle(() => router.send(["nobody", "x"]));
    });
  });

  const ENDPOINTS = [
    "", "tcp://", "tcp//x", "tcp:/x", "://x", "foo://bar", "TCP://127.0.0.1:5", "Inproc://x", "udp://127.0.0.1:5555",
    "epgm://eth0;239.1.1.1:5555", "pgm://eth0;239.1.1.1:5555", "norm://x", "vmci://1:2", "ipc://", "inproc://",
    "tcp://127.0.0.1", "ipc://@", "ws://127.0.0.1", "ws://127.0.0.1:x/",
    // Not "wss://": zeromq's build has no TLS (EPROTONOSUPPORT) where wiremq serves it.
    // One byte over sockaddr_un's room, as a path and as an abstract name.
    `ipc:///tmp/${"x".repeat(103)}`, `ipc://@${"y".repeat(107)}`,
  ];
  for (const address of ENDPOINTS) {
    it(`bind, unbind, connect and disconnect of ${JSON.stringify(address)} fail as zeromq's`, async () => {
      await expectSame(async (zmq, run) => {
        const dealer = run.track(new zmq.Dealer({ linger: 0 }));
        return {
          disconnect: await settle(() => dealer.disconnect(address)),
          unbind: await settle(() => dealer.unbind(address)),
          connect: await settle(() => dealer.connect(address)),
          bind: await settle(() => dealer.bind(address)),
        };
      });
    });
  }

  it("disconnect and unbind of an endpoint never used fail with ENOENT", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const dealer = run.track(new zmq.Dealer({ linger: 0 }));
      return {
        disconnect: await settle(() => dealer.disconnect("tcp://127.0.0.1:1")),
        unbind: await settle(() => dealer.unbind(`inproc://never-${run.lib}`)),
      };
    });
    expect(seen).toMatchObject({ resolved: { disconnect: { threw: { code: "ENOENT" } }, unbind: { rejected: { code: "ENOENT" } } } });
  });

  it("a non-string address is a TypeError at the call", async () => {
    await expectSame(async (zmq, run) => {
      const dealer = run.track(new zmq.Dealer({ linger: 0 }));
      return {
        bind: await settle(() => dealer.bind(1 as never)),
        unbind: await settle(() => dealer.unbind(undefined as never)),
        connect: await settle(() => dealer.connect(null as never)),
        disconnect: await settle(() => dealer.disconnect({} as never)),
      };
    });
  });

  it("an ipc path of 107 bytes, the most sockaddr_un holds, binds and carries a message", async () => {
    const path = join(tmpdir(), "wiremq-");
    const seen = await expectSame(async (zmq, run) => {
      const full = `${path}${randomBytes(4).toString("hex")}`.padEnd(107, "z");
      const pull = run.track(new zmq.Pull({ linger: 0 }));
      const push = run.track(new zmq.Push({ linger: 0 }));
      const bound = await settle(() => pull.bind(`ipc://${full}`));
      push.connect(`ipc://${full}`);
      await push.send("through");
      const [msg] = await pull.receive();
      rmSync(full, { force: true });
      return { bound, got: msg!.toString(), length: Buffer.byteLength(full) };
    });
    expect(seen).toEqual({ resolved: { bound: { resolved: undefined }, got: "through", length: 107 } });
  });
});
