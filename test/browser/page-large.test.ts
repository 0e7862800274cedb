/**
 * Large messages from a chromium page. Chromium may send a message whose payload is over 64 KiB
 * as several WebSocket frames (measured: a first such message on a connection often goes whole,
 * later ones not); libzmq 4.3.5 then holds the message until more bytes arrive (before this
 * change, the second test got "4+65536" as the reply to "after", and no event), so a lone or
 * last large message stalled without a word. A page now sends a peer that chose bare
 * "ZWS2.0" (not wiremq) message parts of at most 65,535 bytes, and ends the connection with the
 * reason on a larger one; a wiremq peer ("ZWS2.0+NULL") reassembles any size.
 */
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wq from "../../lib/index.js";
import { ZWS_PAGE_UNFRAGMENTED_PAYLOAD } from "../../lib/wire/zws.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { chromiumMissing, openBrowserPage, type BrowserPage } from "../helpers/browser.js";
import { tracker } from "../helpers/sockets.js";

const FIXTURE = new URL("../fixtures/browser/", import.meta.url).pathname;
const LARGEST = ZWS_PAGE_UNFRAGMENTED_PAYLOAD - 1;

type Zmq = typeof import("../../lib/browser.js");
declare const window: { zmq: Zmq; ready?: boolean };

describeNeeding(chromiumMissing(), "large messages from a chromium page", () => {
  let b: BrowserPage;
  const { track, closeAll } = tracker();

  beforeAll(async () => {
    b = await openBrowserPage("/t/index.html", { "/t/": FIXTURE });
    await b.page.waitForFunction(() => window.ready === true);
  }, 60_000);
  afterEach(closeAll);
  afterAll(() => b?.close());

  /** A ROUTER that answers each message with the lengths of its parts. */
  async function lengths<R extends zmq.Router | wq.Router>(router: R): Promise<string> {
    await router.bind("ws://127.0.0.1:*");
    void (async () => {
      for await (const [id, ...parts] of router) await router.send([id!, parts.map((p) => p.length).join("+")]);
    })().catch(() => {});
    return router.lastEndpoint!;
  }

  /** The page's DEALER sends each message of `sizes` (awaiting each reply when `oneByOne`). */
  function exchange(ep: string, sizes: number[][], oneByOne: boolean): Promise<string[]> {
    return b.page.evaluate(
      async (ep, sizes, oneByOne) => {
        const d = new window.zmq.Dealer({ linger: 0 });
        d.connect(ep);
        const out: string[] = [];
        const next = async (): Promise<void> => {
          const [r] = await d.receive();
          out.push(r!.toString());
        };
        for (const parts of sizes) {
          await d.send(parts.map((n) => new Uint8Array(n).fill(n & 0xff)));
          if (oneByOne) await next();
        }
        if (!oneByOne) for (let i = 0; i < sizes.length; i++) await next();
        d.close();
        return out;
      },
      ep,
      sizes,
      oneByOne,
    );
  }

  it("parts of up to 65,535 bytes reach libzmq whole, one at a time and back to back", async () => {
    const ep = await lengths(track(new zmq.Router({ linger: 0 })));
    const sizes = [[LARGEST], [LARGEST], [1], [LARGEST, LARGEST], [LARGEST], [60_000], [LARGEST]];
    const expected = sizes.map((parts) => parts.join("+"));
    expect(await exchange(ep, sizes, true)).toEqual(expected);
    expect(await exchange(ep, sizes, false)).toEqual(expected);
    expect(b.pageErrors).toEqual([]);
  });

  it("a larger part to libzmq is not sent: the page's connection ends with ZMTP_MESSAGE_TOO_LARGE, then serves the next message", async () => {
    const ep = await lengths(track(new zmq.Router({ linger: 0 })));
    const result = await b.page.evaluate(
      async (ep, size) => {
        const d = new window.zmq.Dealer({ linger: 0, reconnectInterval: 20 });
        const disconnected = new Promise<string>((resolve) => {
          d.events.on("disconnect", (e) => resolve(`${(e as { error?: { code?: string } }).error?.code}`));
          setTimeout(resolve, 5000, "no disconnect within 5 s");
        });
        d.connect(ep);
        await d.send("before");
        const [before] = await d.receive();
        await d.send(["head", new Uint8Array(size)]);
        const why = await disconnected;
        await d.send("after");
        const [after] = await d.receive();
        d.close();
        return { before: before!.toString(), why, after: after!.toString() };
      },
      ep,
      LARGEST + 1,
    );
    // libzmq got neither part of the large message: its next message is "after", whole.
    expect(result).toEqual({ before: "6", why: "ZMTP_MESSAGE_TOO_LARGE", after: "5" });
    expect(b.pageErrors).toEqual([]);
  });

  it("a wiremq peer takes parts of any size from the page, however chromium frames them", async () => {
    const ep = await lengths(track(new wq.Router({ linger: 0 })));
    const sizes = [[200_000], [200_000], [LARGEST + 1, 150_000], [300_000]];
    expect(await exchange(ep, sizes, true)).toEqual(sizes.map((parts) => parts.join("+")));
    expect(b.pageErrors).toEqual([]);
  });
});
