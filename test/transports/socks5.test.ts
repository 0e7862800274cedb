/**
 * tcp connects through a SOCKS5 proxy (`socksProxy`, libzmq's ZMQ_SOCKS_PROXY): the bytes of
 * the handshake, the replies and their failures, and the same proxy used by zeromq and by wiremq
 * (each side's greeting and request recorded and compared), both directions of traffic through it.
 */
import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import * as zeromq from "zeromq";
import * as wiremq from "../../lib/index.js";
import { parseConnectReply, parseMethodChoice, parseProxyAddress, socksConnectRequest, socksGreeting } from "../../lib/transports/socks5.js";
import { startSocksServer, type SocksServer } from "../helpers/socks5-server.js";
import type { Zmq } from "../helpers/differential.js";

const hex = (b: Buffer): string => b.toString("hex");

describe("SOCKS5 bytes", () => {
  it("greets offering no authentication only", () => {
    expect(hex(socksGreeting())).toBe("050100");
  });

  it("asks CONNECT for an IPv4 address, an IPv6 address and a name (sent unresolved)", () => {
    expect(hex(socksConnectRequest("127.0.0.1", 5555))).toBe("05010001" + "7f000001" + "15b3");
    expect(hex(socksConnectRequest("::1", 80))).toBe("05010004" + "00".repeat(15) + "01" + "0050");
    expect(hex(socksConnectRequest("fe80::1:2", 1))).toBe("05010004" + "fe80" + "0000".repeat(5) + "00010002" + "0001");
    expect(hex(socksConnectRequest("::ffff:10.0.0.1", 1))).toBe("05010004" + "0000".repeat(5) + "ffff" + "0a000001" + "0001");
    expect(hex(socksConnectRequest("localhost", 5555))).toBe("0501000309" + Buffer.from("localhost").toString("hex") + "15b3");
    expect(() => socksConnectRequest("x".repeat(256), 1)).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("reads the method choice and the CONNECT reply in any split, and refuses what is wrong", () => {
    expect(parseMethodChoice(Buffer.from([5]))).toEqual({ complete: false });
    expect(parseMethodChoice(Buffer.from([5, 0]))).toEqual({ complete: true, consumed: 2 });
    expect(() => parseMethodChoice(Buffer.from([5, 0xff]))).toThrow(/requires authentication/);
    expect(() => parseMethodChoice(Buffer.from([4, 0]))).toThrow(expect.objectContaining({ code: "EPROTO" }));
    const v4 = Buffer.from([5, 0, 0, 1, 1, 2, 3, 4, 0, 80]);
    for (let i = 0; i < v4.length; i++) expect(parseConnectReply(v4.subarray(0, i))).toEqual({ complete: false });
    expect(parseConnectReply(Buffer.concat([v4, Buffer.from("more")]))).toEqual({ complete: true, consumed: 10 });
    expect(parseConnectReply(Buffer.from([5, 0, 0, 3, 3, 97, 98, 99, 0, 80]))).toEqual({ complete: true, consumed: 10 });
    expect(parseConnectReply(Buffer.concat([Buffer.from([5, 0, 0, 4]), Buffer.alloc(18)]))).toEqual({ complete: true, consumed: 22 });
    expect(() => parseConnectReply(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]))).toThrow(/connection refused/);
    expect(() => parseConnectReply(Buffer.from([5, 0, 0, 9, 0, 0]))).toThrow(expect.objectContaining({ code: "EPROTO" }));
  });

  it("takes the proxy as host:port or [v6]:port", () => {
    expect(parseProxyAddress("127.0.0.1:1080")).toEqual({ host: "127.0.0.1", port: 1080 });
    expect(parseProxyAddress("[::1]:1080")).toEqual({ host: "::1", port: 1080 });
    expect(parseProxyAddress("proxy.example:9")).toEqual({ host: "proxy.example", port: 9 });
    for (const bad of ["foo", ":1080", "h:0", "h:70000", "h:x"]) expect(() => parseProxyAddress(bad)).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });
});

describe("connecting through a SOCKS5 proxy, beside zeromq", () => {
  let proxy: SocksServer | null = null;
  const open: Array<{ close(): void }> = [];
  afterEach(async () => {
    for (const s of open.splice(0)) s.close();
    await proxy?.close();
    proxy = null;
  });

  const libs = [
    ["zeromq", zeromq as unknown as Zmq],
    ["wiremq", wiremq as unknown as Zmq],
  ] as const;

  for (const [dialName, dialing] of libs) {
    for (const [bindName, bound] of libs) {
      it(`a ${dialName} DEALER through the proxy to a ${bindName} ROUTER, both ways, by name`, async () => {
        proxy = await startSocksServer();
        const router = new bound.Router({ linger: 0 });
        open.push(router);
        await router.bind("tcp://127.0.0.1:*");
        const port = Number(router.lastEndpoint!.split(":").pop());
        const dealer = new dialing.Dealer({ linger: 0, socksProxy: proxy.address } as never);
        open.push(dealer);
        expect((dealer as unknown as { socksProxy: string }).socksProxy).toBe(proxy.address);
        const asked = proxy.nextRequest();
        dealer.connect(`tcp://localhost:${port}`);
        const request = await asked;
        expect(hex(request.greeting)).toBe("050100");
        expect(hex(request.request)).toBe(hex(socksConnectRequest("localhost", port)));
        await dealer.send("through");
        const [from, body] = await router.receive();
        expect(String(body)).toBe("through");
        await router.send([from!, "back"]);
        const [reply] = await dealer.receive();
        expect(String(reply)).toBe("back");
      });
    }
  }

  // wiremq only: libzmq 4.3.5 aborts the whole process here ("Bad file descriptor",
  // epoll.cpp:86) once a proxy has refused and the socket closes.
  it("a refusing proxy: the attempt fails with a close event and is retried", async () => {
    proxy = await startSocksServer({ refuseWith: 5 });
    const dealer = new wiremq.Dealer({ linger: 0, socksProxy: proxy.address, reconnectInterval: 20 });
    open.push(dealer);
    const closes: string[] = [];
    dealer.events.on("close", (e) => void closes.push(e.address));
    dealer.connect("tcp://127.0.0.1:9");
    await proxy.nextRequest();
    await proxy.nextRequest();
    expect(proxy.requests.map((r) => r.port)).toEqual([9, 9]);
    expect(closes[0]).toBe("tcp://127.0.0.1:9");
  });

  it("a proxy that hangs up mid-negotiation without an error: the attempt fails and is retried", async () => {
    // A plain server standing in for a proxy that reads the greeting, then closes cleanly.
    const greetings: Buffer[] = [];
    const secondArrived = new Promise<void>((resolve) => {
      const hangUp = createServer((client) => {
        client.once("data", (greeting: Buffer) => {
          greetings.push(greeting);
          client.end();
          if (greetings.length === 2) resolve();
        });
      });
      open.push(hangUp);
      hangUp.listen(0, "127.0.0.1", () => {
        const { port } = hangUp.address() as AddressInfo;
        const dealer = new wiremq.Dealer({ linger: 0, socksProxy: `127.0.0.1:${port}`, reconnectInterval: 20 });
        open.push(dealer);
        dealer.connect("tcp://127.0.0.1:9");
      });
    });
    await secondArrived;
    expect(greetings.map(hex)).toEqual(["050100", "050100"]);
  });

  it("closing the socket while the proxy has not answered ends the connection to the proxy", async () => {
    proxy = await startSocksServer({ silent: true });
    const dealer = new wiremq.Dealer({ linger: 0, socksProxy: proxy.address });
    const arrived = proxy.nextClient();
    dealer.connect("tcp://127.0.0.1:9");
    const client = await arrived;
    const ended = once(client, "close");
    // The greeting came, so our side is connected to the proxy and waits for its answer.
    await once(client, "data");
    dealer.close();
    await ended;
  });

  it("socksProxy unset (null or empty) connects directly", () => {
    const dealer = new wiremq.Dealer({ linger: 0 });
    open.push(dealer);
    expect(dealer.socksProxy).toBeNull();
    dealer.socksProxy = "127.0.0.1:1080";
    dealer.socksProxy = "";
    expect(dealer.socksProxy).toBeNull();
    dealer.socksProxy = Buffer.from("h:1") as never;
    expect(dealer.socksProxy).toBe("h:1");
    dealer.socksProxy = null;
    expect(dealer.socksProxy).toBeNull();
  });
});
