/**
 * The draft sockets in a chromium page over ws://. RADIO and DISH: a page's DISH joins and
 * leaves groups of a RADIO in Node (wiremq's, and libzmq's: its ws transport carries the group
 * commands), and a page's RADIO publishes to a wiremq DISH in Node, which gets only the groups
 * it joined; udp://, their other transport, is not in the browser build (EPROTONOSUPPORT there).
 * SERVER and CLIENT, SCATTER and GATHER: the page's classes are wiremq/draft's, with its types
 * (the page's code below is type-checked against lib/browser.ts) and its message shapes.
 */
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import * as zmq from "zeromq/draft.js";
import * as wq from "../../lib/draft.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { chromiumMissing, openBrowserPage, type BrowserPage } from "../helpers/browser.js";
import { tracker, waitEvent } from "../helpers/sockets.js";

const FIXTURE = new URL("../fixtures/browser/", import.meta.url).pathname;

type Zmq = typeof import("../../lib/browser.js");
declare const window: { zmq: Zmq; ready?: boolean; dish?: InstanceType<Zmq["Dish"]> };

describeNeeding(chromiumMissing(), "draft sockets in a chromium page over ws://", () => {
  let b: BrowserPage;
  const { track, closeAll } = tracker();

  beforeAll(async () => {
    b = await openBrowserPage("/t/index.html", { "/t/": FIXTURE });
    await b.page.waitForFunction(() => window.ready === true);
  }, 60_000);
  afterEach(async () => {
    await b.page.evaluate(() => window.dish?.close());
    await closeAll();
  });
  afterAll(() => b?.close());

  /**
   * The page's DISH joins a, b and "end", connects, and reads rounds (the groups of what came
   * between two "end"s) until one holds both a and b; then leaves a and reads until three
   * rounds in a row hold b alone. The RADIO sends rounds of a, b, c and "end" until the page is
   * done with each stage (a DISH hears nothing before its JOIN lands). A stage that never ends
   * (a JOIN or LEAVE not honoured) fails the test by its timeout.
   */
  async function pageDish(radio: wq.Radio | zmq.Radio, endpoint: string): Promise<{ joined: string[][]; left: string[][] }> {
    await b.page.evaluate(async (ep) => {
      const dish = new window.zmq.Dish({ linger: 0 });
      window.dish = dish;
      dish.join("a", "b", "end");
      dish.connect(ep);
    }, endpoint);
    const collect = (leave: boolean): Promise<string[][]> =>
      b.page.evaluate(async (leave) => {
        const dish = window.dish!;
        if (leave) dish.leave("a");
        const rounds: string[][] = [];
        let current: string[] = [];
        const done = (): boolean => {
          if (!leave) return current.includes("a") && current.includes("b");
          const last = [...rounds.slice(-2), current];
          return last.length === 3 && last.every((r) => r.length === 1 && r[0] === "b");
        };
        for (;;) {
          const [body, meta] = await dish.receive();
          const group = meta!.group.toString();
          if (body!.toString() !== "end") {
            current.push(group);
            continue;
          }
          const finished = done();
          rounds.push(current);
          current = [];
          if (finished) return rounds;
        }
      }, leave);
    const stage = async (leave: boolean): Promise<string[][]> => {
      const got = collect(leave);
      let done = false;
      void got.then(() => (done = true), () => (done = true));
      for (let round = 0; !done; round++) {
        for (const g of ["a", "b", "c"]) await radio.send(`${g}${round}`, { group: g });
        await radio.send("end", { group: "end" });
        await new Promise((r) => setTimeout(r, 10));
      }
      return got;
    };
    return { joined: await stage(false), left: await stage(true) };
  }

  for (const lib of ["wiremq", "libzmq"] as const) {
    it(`a DISH in the page gets only the groups it joined from a ${lib} RADIO, and none it left`, async () => {
      const radio = track(lib === "wiremq" ? new wq.Radio({ linger: 0 }) : new zmq.Radio({ linger: 0 }));
      await radio.bind("ws://127.0.0.1:*");
      const { joined, left } = await pageDish(radio, radio.lastEndpoint!);
      expect(joined.flat().filter((g) => g !== "a" && g !== "b")).toEqual([]);
      expect(left.flat()).not.toContain("c");
      // Rounds sent before the LEAVE arrived may still hold a; none after the first without it.
      const firstWithout = left.findIndex((r) => !r.includes("a"));
      expect(left.slice(firstWithout).flat()).not.toContain("a");
      expect(b.pageErrors).toEqual([]);
    }, 30_000);
  }

  it("a RADIO in the page publishes to a wiremq DISH, which gets only its groups; udp:// is not in the browser build", async () => {
    const dish = track(new wq.Dish({ linger: 0 }));
    dish.join("news");
    dish.join("end");
    await dish.bind("ws://127.0.0.1:*");
    const handshake = waitEvent(dish, "handshake");
    const got: string[] = [];
    const received = (async () => {
      for (;;) {
        const [body, meta] = await dish.receive();
        if (body!.toString() === "end") return;
        got.push(`${meta!.group.toString()}:${body!.toString()}`);
      }
    })();
    const udp = await b.page.evaluate(async (ep) => {
      const radio = new window.zmq.Radio({ linger: 0 });
      (window as unknown as { radio: typeof radio }).radio = radio;
      radio.connect(ep);
      let udpError = "";
      try {
        radio.connect("udp://127.0.0.1:5555");
      } catch (err) {
        udpError = (err as { code?: string }).code ?? String(err);
      }
      return udpError;
    }, dish.lastEndpoint!);
    expect(udp).toBe("EPROTONOSUPPORT");
    await handshake;
    // The DISH's JOINs reach the page's RADIO after the handshake: send until "end" is heard.
    let done = false;
    void received.then(() => (done = true));
    for (let round = 0; !done; round++) {
      await b.page.evaluate(async (round) => {
        const radio = (window as unknown as { radio: InstanceType<Zmq["Radio"]> }).radio;
        await radio.send(`n${round}`, { group: "news" });
        await radio.send(`s${round}`, { group: "sport" });
        await radio.send("end", { group: "end" });
      }, round);
      await new Promise((r) => setTimeout(r, 20));
    }
    await received;
    await b.page.evaluate(() => (window as unknown as { radio: { close(): void } }).radio.close());
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((l) => /^news:n\d+$/.test(l))).toBe(true);
    expect(b.pageErrors).toEqual([]);
  }, 30_000);
  it("a page's CLIENT is answered by a wiremq SERVER in Node; a page's SERVER answers by routing id over inproc", async () => {
    const server = track(new wq.Server({ linger: 0 }));
    await server.bind("ws://127.0.0.1:*");
    void (async () => {
      for (;;) {
        const [msg, { routingId }] = await server.receive();
        await server.send(`re:${msg.toString()}`, { routingId });
      }
    })().catch(() => {});
    const got = await b.page.evaluate(async (ep) => {
      const { Client, Server } = window.zmq;
      const client = new Client({ linger: 0 });
      client.connect(ep);
      await client.send("hi");
      const [reply] = await client.receive();
      const local = new Server({ linger: 0 });
      await local.bind("inproc://page-draft");
      const peer = new Client({ linger: 0 });
      peer.connect("inproc://page-draft");
      await peer.send("ping");
      const [msg, { routingId }] = await local.receive();
      await local.send(`pong:${msg.toString()}`, { routingId });
      const [pong] = await peer.receive();
      const result = { reply: reply.toString(), pong: pong.toString(), routingId: typeof routingId, isServer: local instanceof Server };
      for (const s of [client, local, peer]) s.close();
      return result;
    }, server.lastEndpoint!);
    expect(got).toEqual({ reply: "re:hi", pong: "pong:ping", routingId: "number", isServer: true });
    expect(b.pageErrors).toEqual([]);
  }, 30_000);

  it("a page's SCATTER feeds a wiremq GATHER in Node", async () => {
    const gather = track(new wq.Gather({ linger: 0 }));
    await gather.bind("ws://127.0.0.1:*");
    await b.page.evaluate(async (ep) => {
      const scatter = new window.zmq.Scatter({ linger: 0 });
      (window as unknown as { scatter: typeof scatter }).scatter = scatter;
      scatter.connect(ep);
      for (let i = 0; i < 5; i++) await scatter.send(`s${i}`);
    }, gather.lastEndpoint!);
    const got: string[] = [];
    for (let i = 0; i < 5; i++) got.push((await gather.receive())[0].toString());
    await b.page.evaluate(() => (window as unknown as { scatter: { close(): void } }).scatter.close());
    expect(got).toEqual(["s0", "s1", "s2", "s3", "s4"]);
    expect(b.pageErrors).toEqual([]);
  }, 30_000);
});
