import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Dealer, Proxy, Reply, Request, Router } from "../../lib/index.js";
import { tmpIpc } from "../helpers/endpoints.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

const str = (msg: Buffer[]): string[] => msg.map((f) => f.toString());
const EFSM = { code: "EFSM", message: "Operation cannot be accomplished in current state" };

async function reqRep(endpoint = "tcp://127.0.0.1:*"): Promise<[Request, Reply]> {
  const rep = track(new Reply());
  await rep.bind(endpoint);
  const req = track(new Request());
  req.connect(rep.lastEndpoint!);
  return [req, rep];
}

describe("REQ state machine", () => {
  it("a second send before the reply is received waits for it, as zeromq's; non-blocking it fails with EFSM", async () => {
    const [req, rep] = await reqRep();
    await req.send("one");
    req.sendTimeout = 0;
    await expect(req.send("two")).rejects.toMatchObject(EFSM);
    req.sendTimeout = -1;
    expect(req.writable).toBe(false);
    const two = req.send("two");
    expect(str(await rep.receive())).toEqual(["one"]);
    await rep.send("reply");
    expect(str(await req.receive())).toEqual(["reply"]);
    await two;
    expect(str(await rep.receive())).toEqual(["two"]);
  });

  it("receive before any send waits for the reply to the next request, as zeromq's; non-blocking it fails with EFSM", async () => {
    const [req, rep] = await reqRep();
    const early = req.receive();
    await req.send("q");
    expect(str(await rep.receive())).toEqual(["q"]);
    await rep.send("a");
    expect(str(await early)).toEqual(["a"]);
    req.receiveTimeout = 0;
    await expect(req.receive()).rejects.toMatchObject(EFSM);
  });

  it("relaxed allows a new request before the reply", async () => {
    const router = track(new Router());
    await router.bind("tcp://127.0.0.1:*");
    const req = track(new Request({ relaxed: true }));
    expect(req.relaxed).toBe(true);
    req.connect(router.lastEndpoint!);
    await req.send("first");
    await req.send("second");
    const [id1, , b1] = await router.receive();
    const [id2, , b2] = await router.receive();
    expect([b1!.toString(), b2!.toString()]).toEqual(["first", "second"]);
    // Without correlate a late reply cannot be told apart from the current one.
    await router.send([id1!, "", "reply to first"]);
    expect(str(await req.receive())).toEqual(["reply to first"]);
    // The state machine is back to sending: a normal exchange follows.
    await req.send("third");
    const [id3, , b3] = await router.receive();
    expect(id3!.equals(id2!)).toBe(true);
    expect(b3!.toString()).toBe("third");
    await router.send([id3!, "", "reply to third"]);
    expect(str(await req.receive())).toEqual(["reply to third"]);
  });

  it("correlate puts a 4-byte request id before the delimiter and drops stale replies", async () => {
    const router = track(new Router());
    await router.bind("tcp://127.0.0.1:*");
    const req = track(new Request({ relaxed: true, correlate: true }));
    req.connect(router.lastEndpoint!);
    await req.send("first");
    const first = await router.receive();
    expect(first.length).toBe(4);
    const [id, reqId1, delimiter, body] = first;
    expect(reqId1!.length).toBe(4);
    expect(delimiter!.length).toBe(0);
    expect(body!.toString()).toBe("first");

    await req.send("second");
    const [, reqId2, , body2] = await router.receive();
    expect(body2!.toString()).toBe("second");
    expect(reqId2!.equals(reqId1!)).toBe(false);

    // A stale reply (to "first"), then malformed ones, then the right one.
    const pending = req.receive();
    await router.send([id!, reqId1!, "", "stale"]);
    await router.send([id!, Buffer.from("xyz"), "", "bad id size"]);
    await router.send([id!, reqId2!, "no delimiter"]);
    await router.send([id!, reqId2!, "", "fresh"]);
    expect(str(await pending)).toEqual(["fresh"]);
  });

  it("correlate interoperates with a libzmq REP", async () => {
    const rep = track(new zmq.Reply());
    await rep.bind("tcp://127.0.0.1:*");
    const req = track(new Request({ correlate: true }));
    req.connect(rep.lastEndpoint!);
    for (let i = 0; i < 3; i++) {
      await req.send(`q${i}`);
      expect(str(await rep.receive())).toEqual([`q${i}`]);
      await rep.send(`a${i}`);
      expect(str(await req.receive())).toEqual([`a${i}`]);
    }
  });

  it("libzmq REQ with correlate talks to a wiremq REP", async () => {
    const rep = track(new Reply());
    await rep.bind("tcp://127.0.0.1:*");
    const req = track(new zmq.Request({ correlate: true }));
    req.connect(rep.lastEndpoint!);
    for (let i = 0; i < 3; i++) {
      await req.send(`q${i}`);
      expect(str(await rep.receive())).toEqual([`q${i}`]);
      await rep.send(`a${i}`);
      expect(str(await req.receive())).toEqual([`a${i}`]);
    }
  });

  it("takes the reply only from the peer the request went to", async () => {
    const a = track(new Router());
    const b = track(new Router());
    await a.bind("tcp://127.0.0.1:*");
    await b.bind("tcp://127.0.0.1:*");
    const req = track(new Request());
    req.connect(a.lastEndpoint!);
    req.connect(b.lastEndpoint!);
    // Round-robin: the two requests go to the two peers, one each.
    await req.send("r1");
    const fromA = a.receive();
    const fromB = b.receive();
    const first = await Promise.race([fromA.then((m) => ["a", m] as const), fromB.then((m) => ["b", m] as const)]);
    const [firstPeer, secondPeer] = first[0] === "a" ? [a, b] : [b, a];
    const [id1] = first[1];
    await firstPeer.send([id1!, "", "reply 1"]);
    expect(str(await req.receive())).toEqual(["reply 1"]);
    await req.send("r2");
    const [id2, , body2] = await (first[0] === "a" ? fromB : fromA);
    expect(body2!.toString()).toBe("r2");
    // An unsolicited reply from the first peer arrives before the real one: it is discarded.
    await firstPeer.send([id1!, "", "not yours"]);
    await secondPeer.send([id2!, "", "reply 2"]);
    expect(str(await req.receive())).toEqual(["reply 2"]);
  });

  it("a REQ whose REP died can be closed and replaced", async () => {
    const rep = track(new Reply());
    await rep.bind("tcp://127.0.0.1:*");
    const req = track(new Request({ receiveTimeout: 200 }));
    req.connect(rep.lastEndpoint!);
    await req.send("hello");
    expect(str(await rep.receive())).toEqual(["hello"]);
    await rep.close();
    await expect(req.receive()).rejects.toMatchObject({ code: "EAGAIN" });
    await req.close();
    const rep2 = track(new Reply());
    await rep2.bind("tcp://127.0.0.1:*");
    const req2 = track(new Request());
    req2.connect(rep2.lastEndpoint!);
    await req2.send("again");
    expect(str(await rep2.receive())).toEqual(["again"]);
    await rep2.send("ok");
    expect(str(await req2.receive())).toEqual(["ok"]);
  });

  it("options are typed", () => {
    const req = track(new Request());
    expect(req.correlate).toBe(false);
    expect(req.relaxed).toBe(false);
    req.correlate = true;
    expect(req.correlate).toBe(true);
    expect(() => {
      (req as unknown as { relaxed: unknown }).relaxed = 1;
    }).toThrow(TypeError);
    expect(() => new Request({ nope: true } as never)).toThrow(TypeError);
  });
});

describe("REP", () => {
  it("send before receive waits, and so does a second receive, as zeromq's (non-blocking: EFSM)", async () => {
    const [req, rep] = await reqRep();
    rep.sendTimeout = 0;
    await expect(rep.send("x")).rejects.toMatchObject(EFSM);
    rep.sendTimeout = -1;
    await req.send("q");
    expect(str(await rep.receive())).toEqual(["q"]);
    rep.receiveTimeout = 0;
    await expect(rep.receive()).rejects.toMatchObject(EFSM);
    rep.receiveTimeout = -1;
    const next = rep.receive();
    await rep.send("a");
    expect(str(await req.receive())).toEqual(["a"]);
    await req.send("q2");
    expect(str(await next)).toEqual(["q2"]);
  });

  it("a receive waiting while a reply is owed takes the request already queued once the reply is sent", async () => {
    const rep = track(new Reply());
    const endpoint = `inproc://rep-queued-${process.pid}`;
    await rep.bind(endpoint);
    const dealer = track(new Dealer());
    dealer.connect(endpoint);
    await dealer.send(["", "q1"]);
    await dealer.send(["", "q2"]);
    expect(str(await rep.receive())).toEqual(["q1"]);
    // q2 is queued already: no new message will arrive to wake this receive (which, missed,
    // fails with EAGAIN instead of hanging the test).
    rep.receiveTimeout = 5000;
    const next = rep.receive();
    await rep.send("a1");
    expect(str(await next)).toEqual(["q2"]);
    await rep.send("a2");
    expect(str(await dealer.receive())).toEqual(["", "a1"]);
    expect(str(await dealer.receive())).toEqual(["", "a2"]);
  });

  it("answers three REQ clients, each with its own reply", async () => {
    const rep = track(new Reply());
    await rep.bind("tcp://127.0.0.1:*");
    const clients = [0, 1, 2].map(() => {
      const req = track(new Request());
      req.connect(rep.lastEndpoint!);
      return req;
    });
    const served = (async () => {
      for (let i = 0; i < 3 * 5; i++) {
        const [body] = await rep.receive();
        await rep.send(`echo ${body!.toString()}`);
      }
    })();
    await Promise.all(
      clients.map(async (req, c) => {
        for (let round = 0; round < 5; round++) {
          await req.send(`c${c} r${round}`);
          expect(str(await req.receive())).toEqual([`echo c${c} r${round}`]);
        }
      }),
    );
    await served;
  });

  it("serves clients fairly: one request from each in turn", async () => {
    const rep = track(new Reply());
    await rep.bind("inproc://rep-fair");
    const dealers = [0, 1, 2].map(() => {
      const d = track(new Dealer());
      d.connect("inproc://rep-fair");
      return d;
    });
    for (const [c, d] of dealers.entries()) for (let i = 0; i < 3; i++) await d.send(["", `c${c}`, `${i}`]);
    const order: string[] = [];
    for (let i = 0; i < 9; i++) {
      const [client] = await rep.receive();
      order.push(client!.toString());
      await rep.send("ok");
    }
    expect(order.slice(0, 3).sort()).toEqual(["c0", "c1", "c2"]);
    expect(order.slice(3, 6).sort()).toEqual(["c0", "c1", "c2"]);
  });

  it("keeps an envelope of any depth and drops requests without a delimiter", async () => {
    const rep = track(new Reply());
    await rep.bind("tcp://127.0.0.1:*");
    const dealer = track(new Dealer());
    dealer.connect(rep.lastEndpoint!);
    await dealer.send(["no", "delimiter"]);
    await dealer.send(["id", ""]); // a delimiter with no body after it
    await dealer.send(["hop1", "hop2", "hop3", "", "body", "more"]);
    expect(str(await rep.receive())).toEqual(["body", "more"]);
    await rep.send(["reply", "parts"]);
    expect(str(await dealer.receive())).toEqual(["hop1", "hop2", "hop3", "", "reply", "parts"]);
  });

  it("drops the reply when the requester is gone", async () => {
    const rep = track(new Reply());
    await rep.bind("inproc://rep-gone");
    const req = track(new Request());
    req.connect("inproc://rep-gone");
    await req.send("q");
    expect(str(await rep.receive())).toEqual(["q"]);
    await req.close();
    await rep.send("nobody listens"); // resolves: dropped
    const req2 = track(new Request());
    req2.connect("inproc://rep-gone");
    await req2.send("q2");
    expect(str(await rep.receive())).toEqual(["q2"]);
  });
});

describe("REQ/REP through ROUTER↔DEALER proxies (queue devices)", () => {
  it("one hop, three clients, two workers", async () => {
    const front = track(new Router());
    const back = track(new Dealer());
    await front.bind("tcp://127.0.0.1:*");
    await back.bind(tmpIpc());
    const proxy = new Proxy(front, back);
    const running = proxy.run();
    const workers = [0, 1].map((w) => {
      const rep = track(new Reply());
      rep.connect(back.lastEndpoint!);
      void (async () => {
        try {
          for await (const [body] of rep) await rep.send([`w${w}`, `re: ${body!.toString()}`]);
        } catch {
          // closed
        }
      })();
      return rep;
    });
    expect(workers.length).toBe(2);
    const clients = [0, 1, 2].map(() => {
      const req = track(new Request());
      req.connect(front.lastEndpoint!);
      return req;
    });
    await Promise.all(
      clients.map(async (req, c) => {
        for (let i = 0; i < 10; i++) {
          await req.send(`c${c} #${i}`);
          const [worker, reply] = str(await req.receive());
          expect(worker).toMatch(/^w[01]$/);
          expect(reply).toBe(`re: c${c} #${i}`);
        }
      }),
    );
    proxy.terminate();
    await running;
    expect(front.closed && back.closed).toBe(true);
  });

  it("two hops keep the envelope (libzmq clients and worker at the ends)", async () => {
    const f1 = track(new Router());
    const b1 = track(new Dealer());
    const f2 = track(new Router());
    const b2 = track(new Dealer());
    await f1.bind("tcp://127.0.0.1:*");
    await b1.bind("inproc://hop1");
    f2.connect("inproc://hop1");
    await b2.bind("tcp://127.0.0.1:*");
    const p1 = new Proxy(f1, b1);
    const p2 = new Proxy(f2, b2);
    const runs = [p1.run(), p2.run()];
    const rep = track(new zmq.Reply());
    rep.connect(b2.lastEndpoint!);
    const worker = (async () => {
      for (let i = 0; i < 6; i++) {
        const [body] = await rep.receive();
        await rep.send(`re: ${body!.toString()}`);
      }
    })();
    await Promise.all(
      [0, 1].map(async (c) => {
        const req = track(new zmq.Request());
        req.connect(f1.lastEndpoint!);
        for (let i = 0; i < 3; i++) {
          await req.send(`c${c} #${i}`);
          expect(str(await req.receive())).toEqual([`re: c${c} #${i}`]);
        }
      }),
    );
    await worker;
    p1.terminate();
    p2.terminate();
    await Promise.all(runs);
  });

  it("a DEALER client sees the two-hop envelope unchanged", async () => {
    const f1 = track(new Router());
    const b1 = track(new Dealer());
    const f2 = track(new Router());
    const b2 = track(new Dealer());
    await f1.bind("inproc://env-f1");
    await b1.bind("inproc://env-b1");
    f2.connect("inproc://env-b1");
    await b2.bind("inproc://env-b2");
    const p1 = new Proxy(f1, b1);
    const p2 = new Proxy(f2, b2);
    const runs = [p1.run(), p2.run()];
    const worker = track(new Router());
    worker.connect("inproc://env-b2");
    const client = track(new Dealer({ routingId: "client-7" }));
    client.connect("inproc://env-f1");
    await client.send(["", "request"]);
    const msg = await worker.receive();
    // worker's id for hop 2, hop 2's id for hop 1, hop 1's id for the client, delimiter, body.
    expect(msg.length).toBe(5);
    expect(msg[2]!.toString()).toBe("client-7");
    expect(str(msg.slice(3))).toEqual(["", "request"]);
    await worker.send([...msg.slice(0, 4), "reply"]);
    expect(str(await client.receive())).toEqual(["", "reply"]);
    p1.terminate();
    p2.terminate();
    await Promise.all(runs);
  });
});
