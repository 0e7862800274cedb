/**
 * CURVE and PLAIN from a real chromium page. A page's WebSocket takes only HTTP tokens as
 * subprotocols, so it offers wiremq's "ZWS2.0+CURVE" / "ZWS2.0+PLAIN" (lib/wire/zws.ts), which
 * a wiremq ws endpoint accepts beside RFC 45's "/" names; libzmq does not know them, so the
 * libzmq case goes through a wiremq proxy (page → wiremq ws CURVE → proxy → libzmq tcp).
 */
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wq from "../../lib/index.js";
import { createAuthenticator, setZapHandler } from "../../lib/security.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { chromiumMissing, openBrowserPage, type BrowserPage } from "../helpers/browser.js";
import { recordEvents, tracker, waitEvent } from "../helpers/sockets.js";

const FIXTURE = new URL("../fixtures/browser/", import.meta.url).pathname;

type Zmq = typeof import("../../lib/browser.js");
declare const window: { zmq: Zmq; ready?: boolean };

/** What the page reports of one exchange: the reply (or null) and the events it saw, in order. */
interface PageRun {
  reply: string | null;
  events: string[];
}

describeNeeding(chromiumMissing(), "CURVE and PLAIN from a chromium page over ws://", () => {
  let b: BrowserPage;
  const { track, closeAll } = tracker();

  beforeAll(async () => {
    b = await openBrowserPage("/t/index.html", { "/t/": FIXTURE });
    await b.page.waitForFunction(() => window.ready === true);
    // One helper in the page: a socket of `kind` with `options` connects, sends `text`, and
    // resolves with the reply, or with null at the first handshake failure it reports.
    await b.page.evaluate(() => {
      (window as unknown as { exchange: unknown }).exchange = async (kind: "Dealer" | "Request", options: Record<string, unknown>, ep: string, text: string) => {
        const z = window.zmq;
        if (options.curveServerKey !== undefined) {
          await z.curveReady();
          const me = z.curveKeyPair();
          options = { ...options, curvePublicKey: me.publicKey, curveSecretKey: me.secretKey };
        }
        const s = new z[kind]({ linger: 0, ...options });
        const events: string[] = [];
        let failed: (() => void) | null = null;
        const failure = new Promise<null>((resolve) => (failed = () => resolve(null)));
        for (const t of ["connect", "handshake", "handshake:error:protocol", "handshake:error:auth", "handshake:error:other", "disconnect", "close"] as const) {
          s.events.on(t, (e) => {
            const code = "error" in e ? (e.error as { code?: string } | undefined)?.code : undefined;
            events.push(code === undefined ? t : `${t} ${code}`);
            if (t.startsWith("handshake:error")) failed!();
          });
        }
        s.connect(ep);
        const reply = await Promise.race([
          (async () => {
            await s.send(text);
            const [r] = await s.receive();
            return r!.toString();
          })(),
          failure,
        ]);
        s.close();
        return { reply, events };
      };
    });
  }, 60_000);

  afterEach(async () => {
    setZapHandler(null);
    await closeAll();
  });
  afterAll(() => b?.close());

  function exchange(kind: "Dealer" | "Request", options: Record<string, unknown>, ep: string, text: string): Promise<PageRun> {
    return b.page.evaluate(
      (k, o, e, t) => (window as unknown as { exchange: (...a: unknown[]) => Promise<PageRun> }).exchange(k, o, e, t),
      kind,
      options,
      ep,
      text,
    );
  }

  function echo(s: wq.Router | wq.Reply | zmq.Reply): void {
    void (async () => {
      if (s instanceof wq.Router) for await (const [id, body] of s) await s.send([id!, `echo:${body!.toString()}`]);
      else for await (const [body] of s) await s.send(`echo:${body!.toString()}`);
    })().catch(() => {});
  }

  it("a DEALER in the page talks CURVE to a wiremq ROUTER", async () => {
    const server = wq.curveKeyPair();
    const router = track(new wq.Router({ linger: 0, curveServer: true, curveSecretKey: server.secretKey }));
    await router.bind("ws://127.0.0.1:*");
    echo(router);
    const handshake = waitEvent(router, "handshake");
    const run = await exchange("Dealer", { curveServerKey: server.publicKey }, router.lastEndpoint!, "boxed");
    await handshake;
    expect(run).toEqual({ reply: "echo:boxed", events: ["connect", "handshake"] });
    expect(b.pageErrors).toEqual([]);
  });

  it("a DEALER in the page with a wrong server key sees the handshake fail, and nothing is delivered", async () => {
    const router = track(new wq.Router({ linger: 0, curveServer: true, curveSecretKey: wq.curveKeyPair().secretKey }));
    await router.bind("ws://127.0.0.1:*");
    const seen = recordEvents(router, ["handshake"]);
    const refused = waitEvent(router, "handshake:error:protocol");
    const run = await exchange("Dealer", { curveServerKey: wq.curveKeyPair().publicKey }, router.lastEndpoint!, "secret");
    expect((await refused).error?.code).toBe("ERR_ZMTP_CRYPTOGRAPHIC");
    expect(run.reply).toBeNull();
    expect(run.events.slice(0, 2)).toEqual(["connect", expect.stringMatching(/^handshake:error:/)]);
    expect(run.events).not.toContain("handshake");
    expect(seen.events).toEqual([]);
    router.receiveTimeout = 0;
    await expect(router.receive()).rejects.toMatchObject({ code: "EAGAIN" });
    expect(b.pageErrors).toEqual([]);
  });

  it("a REQ in the page talks PLAIN to a wiremq REP, and a wrong password is refused by ZAP", async () => {
    setZapHandler(createAuthenticator({ passwords: { page: "right" } }));
    const rep = track(new wq.Reply({ linger: 0, plainServer: true }));
    await rep.bind("ws://127.0.0.1:*");
    echo(rep);
    const good = await exchange("Request", { plainUsername: "page", plainPassword: "right" }, rep.lastEndpoint!, "let me in");
    expect(good).toEqual({ reply: "echo:let me in", events: ["connect", "handshake"] });

    const refused = waitEvent(rep, "handshake:error:auth");
    const bad = await exchange("Request", { plainUsername: "page", plainPassword: "wrong" }, rep.lastEndpoint!, "let me in");
    expect((await refused).error).toMatchObject({ status: 400 });
    expect(bad.reply).toBeNull();
    expect(bad.events.slice(0, 2)).toEqual(["connect", expect.stringMatching(/^handshake:error:auth/)]);
    expect(b.pageErrors).toEqual([]);
  });

  it("the page reaches a libzmq REP with CURVE through a wiremq proxy (ws CURVE in front, tcp to libzmq)", async () => {
    const server = wq.curveKeyPair();
    const rep = track(new zmq.Reply({ linger: 0 }));
    await rep.bind("tcp://127.0.0.1:*");
    echo(rep);
    const frontend = new wq.Router({ linger: 0, curveServer: true, curveSecretKey: server.secretKey });
    const backend = new wq.Dealer({ linger: 0 });
    await frontend.bind("ws://127.0.0.1:*");
    backend.connect(rep.lastEndpoint!);
    const proxy = new wq.Proxy(frontend, backend);
    const running = proxy.run();
    track({ close: () => proxy.terminate() });
    const run = await exchange("Request", { curveServerKey: server.publicKey }, frontend.lastEndpoint!, "via proxy");
    expect(run).toEqual({ reply: "echo:via proxy", events: ["connect", "handshake"] });
    proxy.terminate();
    await running;
    expect(b.pageErrors).toEqual([]);
  });
});
