/**
 * wiremq's browser bundle in a real chromium page, against peers this test runs in Node:
 * libzmq (the zeromq package, whose ws:// transport is libzmq's own) for REQ/REP, PUB/SUB with
 * a prefix filter and a 1 MiB message; wiremq's own ws transport for DEALER/ROUTER with 1 MiB
 * from the page and a server restart; and libsodium's lazy load for CURVE.
 * The page does the wiremq side; its results come back through page.evaluate and are compared
 * here. CURVE and PLAIN from a page are in page-security.test.ts.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wq from "../../lib/index.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { chromiumMissing, openBrowserPage, type BrowserPage } from "../helpers/browser.js";

const FIXTURE = new URL("../fixtures/browser/", import.meta.url).pathname;

// The page's view of the bundle.
type Zmq = typeof import("../../lib/browser.js");
declare const window: { zmq: Zmq; ready?: boolean };

describeNeeding(chromiumMissing(), "wiremq in chromium over ws://", () => {
  let b: BrowserPage;
  const peers: { close(): void }[] = [];

  beforeAll(async () => {
    b = await openBrowserPage("/t/index.html", { "/t/": FIXTURE });
    await b.page.waitForFunction(() => window.ready === true);
  }, 60_000);

  afterAll(async () => {
    for (const s of peers) s.close();
    await b?.close();
  });

  function track<S extends { close(): void }>(s: S): S {
    peers.push(s);
    return s;
  }

  async function bindWs<S extends zmq.Socket>(socket: S, address = "ws://127.0.0.1:*"): Promise<string> {
    await socket.bind(address);
    return socket.lastEndpoint!;
  }

  it("REQ in the page gets its replies from a libzmq REP", async () => {
    const rep = track(new zmq.Reply({ linger: 0 }));
    const endpoint = await bindWs(rep);
    void (async () => {
      for await (const [msg] of rep) await rep.send(`re:${msg!.toString()}`);
    })().catch(() => {});
    const replies = await b.page.evaluate(async (ep) => {
      const req = new window.zmq.Request({ linger: 0 });
      req.connect(ep);
      const out: string[] = [];
      for (const word of ["one", "two", "three"]) {
        await req.send(word);
        const [reply] = await req.receive();
        out.push(reply!.toString());
      }
      req.close();
      return out;
    }, endpoint);
    expect(replies).toEqual(["re:one", "re:two", "re:three"]);
    expect(b.pageErrors).toEqual([]);
  });

  it("SUB in the page gets only the topics of its prefix from a libzmq PUB", async () => {
    const pub = track(new zmq.Publisher({ linger: 0 }));
    const endpoint = await bindWs(pub);
    const received = b.page.evaluate(async (ep) => {
      const sub = new window.zmq.Subscriber({ linger: 0 });
      sub.subscribe("price.");
      sub.connect(ep);
      const out: string[] = [];
      for await (const [topic, body] of sub) {
        out.push(`${topic!.toString()}=${body!.toString()}`);
        if (topic!.toString() === "price.end") break;
      }
      sub.close();
      return out;
    }, endpoint);
    // Publish until the page's subscription has arrived (PUB drops what nobody subscribed to).
    const published: string[] = [];
    for (let i = 0; published.length === 0 || !published.includes("end"); i++) {
      const done = await Promise.race([received.then(() => true), new Promise((r) => setTimeout(r, 20, false))]);
      if (done) break;
      await pub.send(["weather.x", `w${i}`]);
      await pub.send(["price.x", `p${i}`]);
      if (i >= 10) {
        await pub.send(["price.end", "e"]);
        published.push("end");
      }
    }
    const got = await received;
    expect(got.at(-1)).toBe("price.end=e");
    expect(got.every((line) => line.startsWith("price."))).toBe(true);
    expect(got.length).toBeGreaterThan(1);
    expect(b.pageErrors).toEqual([]);
  });

  it("libsodium is fetched on the first CURVE use, not with the page, and makes the keys Node's X25519 makes", async () => {
    const before = b.requests.filter((path) => path.includes("libsodium"));
    const pair = await b.page.evaluate(async () => {
      await window.zmq.curveReady();
      return window.zmq.curveKeyPair();
    });
    expect(before).toEqual([]);
    expect(b.requests.filter((path) => path.includes("libsodium")).length).toBe(1);
    const { curvePublicKey } = await import("../../lib/security.js");
    expect(curvePublicKey(pair.secretKey)).toBe(pair.publicKey);
    expect(b.pageErrors).toEqual([]);
  });

  it("a 1 MiB message from libzmq reaches the page whole", async () => {
    const body = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 10)) & 0xff;
    const rep = track(new zmq.Reply({ linger: 0 }));
    const endpoint = await bindWs(rep);
    void (async () => {
      for await (const [msg] of rep) await rep.send([msg!, body]);
    })().catch(() => {});
    const result = await b.page.evaluate(async (ep) => {
      const digest = async (u: Uint8Array): Promise<string> =>
        [...new Uint8Array(await crypto.subtle.digest("SHA-256", u))].map((x) => x.toString(16).padStart(2, "0")).join("");
      const req = new window.zmq.Request({ linger: 0 });
      req.connect(ep);
      await req.send("big please");
      const [echo, big] = await req.receive();
      req.close();
      return { echo: echo!.toString(), length: big!.length, digest: await digest(big!) };
    }, endpoint);
    expect(result).toEqual({ echo: "big please", length: body.length, digest: createHash("sha256").update(body).digest("hex") });
    expect(b.pageErrors).toEqual([]);
  });

  it("a DEALER in the page sends 1 MiB to a wiremq ROUTER over ws and gets it back whole", async () => {
    const router = track(new wq.Router({ linger: 0 }));
    await router.bind("ws://127.0.0.1:*");
    void (async () => {
      for await (const [id, body] of router) await router.send([id!, body!]);
    })().catch(() => {});
    const result = await b.page.evaluate(async (ep) => {
      const body = new Uint8Array(1024 * 1024);
      for (let i = 0; i < body.length; i++) body[i] = (i * 13 + (i >> 12)) & 0xff;
      const digest = async (u: Uint8Array): Promise<string> =>
        [...new Uint8Array(await crypto.subtle.digest("SHA-256", u))].map((x) => x.toString(16).padStart(2, "0")).join("");
      const dealer = new window.zmq.Dealer({ linger: 0 });
      dealer.connect(ep);
      await dealer.send(body);
      const [back] = await dealer.receive();
      dealer.close();
      return { sent: await digest(body), back: await digest(back!), length: back!.length };
    }, router.lastEndpoint!);
    expect(result.length).toBe(1024 * 1024);
    expect(result.back).toBe(result.sent);
    expect(b.pageErrors).toEqual([]);
  });

  it("after a wiremq ROUTER restarts on the same port, the page reconnects and its DEALER is served again", async () => {
    const echo = (r: InstanceType<typeof wq.Router>): void => {
      void (async () => {
        for await (const [id, body] of r) await r.send([id!, `echo:${body!.toString()}`]);
      })().catch(() => {});
    };
    let router = new wq.Router({ linger: 0 });
    await router.bind("ws://127.0.0.1:*");
    const endpoint = router.lastEndpoint!;
    echo(router);
    await b.page.evaluate(async (ep) => {
      const dealer = new window.zmq.Dealer({ linger: 0, reconnectInterval: 50 });
      (window as unknown as { dealer: typeof dealer }).dealer = dealer;
      dealer.connect(ep);
      await dealer.send("before");
      const [reply] = await dealer.receive();
      if (reply!.toString() !== "echo:before") throw new Error(`got ${reply!.toString()}`);
    }, endpoint);
    // wiremq frees the port at close(), so the new server takes the same address at once.
    router.close();
    router = track(new wq.Router({ linger: 0 }));
    await router.bind(endpoint);
    echo(router);
    const after = await b.page.evaluate(async () => {
      const dealer = (window as unknown as { dealer: InstanceType<Zmq["Dealer"]> }).dealer;
      await dealer.send("after");
      const [reply] = await dealer.receive();
      dealer.close();
      return reply!.toString();
    });
    expect(after).toBe("echo:after");
    expect(b.pageErrors).toEqual([]);
  });
});
