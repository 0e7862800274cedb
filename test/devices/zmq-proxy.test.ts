import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Dealer, Proxy, Publisher, Pull, Push, Reply, Request, Router, Subscriber, XPublisher, XSubscriber } from "../../lib/index.js";
import { tmpIpc } from "../helpers/endpoints.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

const str = (msg: Buffer[]): string[] => msg.map((f) => f.toString());

/** PUSH → [PULL | proxy | PUSH] → PULL, the streamer device. */
async function streamer(frontAddr = "tcp://127.0.0.1:*", backAddr = tmpIpc()) {
  const front = track(new Pull());
  const back = track(new Push());
  await front.bind(frontAddr);
  await back.bind(backAddr);
  const producer = track(new Push());
  producer.connect(front.lastEndpoint!);
  const consumer = track(new Pull());
  consumer.connect(back.lastEndpoint!);
  const proxy = new Proxy(front, back);
  return { front, back, producer, consumer, proxy };
}

describe("Proxy as streamer (PULL ↔ PUSH)", () => {
  it("passes 1000 messages in order", async () => {
    const { producer, consumer, proxy } = await streamer();
    const running = proxy.run();
    const sending = (async () => {
      for (let i = 0; i < 1000; i++) await producer.send([`m${i}`, "payload"]);
    })();
    for (let i = 0; i < 1000; i++) expect(str(await consumer.receive())).toEqual([`m${i}`, "payload"]);
    await sending;
    proxy.terminate();
    await running;
  });

  it("pause holds messages back, resume lets them through in order", async () => {
    const { producer, consumer, proxy } = await streamer("inproc://streamer-pause", "inproc://streamer-pause-b");
    const running = proxy.run();
    await producer.send("before");
    expect(str(await consumer.receive())).toEqual(["before"]);
    proxy.pause();
    for (let i = 0; i < 10; i++) await producer.send(`paused ${i}`);
    consumer.receiveTimeout = 100;
    await expect(consumer.receive()).rejects.toMatchObject({ code: "EAGAIN" });
    consumer.receiveTimeout = -1;
    proxy.resume();
    for (let i = 0; i < 10; i++) expect(str(await consumer.receive())).toEqual([`paused ${i}`]);
    await producer.send("after");
    expect(str(await consumer.receive())).toEqual(["after"]);
    proxy.terminate();
    await running;
  });

  it("terminate resolves run() and closes both sockets", async () => {
    const { front, back, proxy } = await streamer();
    expect(proxy.frontEnd).toBe(front);
    expect(proxy.backEnd).toBe(back);
    const running = proxy.run();
    await expect(proxy.run()).rejects.toThrow(/already running/);
    proxy.terminate();
    await running;
    expect(front.closed).toBe(true);
    expect(back.closed).toBe(true);
  });

  it("terminate while paused ends the proxy; before run, terminate throws EBADF as zeromq's", async () => {
    const a = await streamer();
    const running = a.proxy.run();
    a.proxy.pause();
    a.proxy.terminate();
    await running;
    expect(a.front.closed && a.back.closed).toBe(true);

    const b = await streamer();
    expect(() => b.proxy.terminate()).toThrow(expect.objectContaining({ code: "EBADF" }));
    expect(b.front.closed || b.back.closed).toBe(false);
  });

  it("closing one socket from outside ends the proxy", async () => {
    const { front, back, proxy } = await streamer();
    const running = proxy.run();
    await front.close();
    await running;
    expect(back.closed).toBe(true);
  });

  it("pushes back: a stalled consumer stops the producer at the high-water marks", async () => {
    const front = track(new Pull({ receiveHighWaterMark: 5 }));
    const back = track(new Push({ sendHighWaterMark: 5 }));
    await front.bind("inproc://bp-front");
    await back.bind("inproc://bp-back");
    const producer = track(new Push({ sendHighWaterMark: 5, sendTimeout: 0 }));
    producer.connect("inproc://bp-front");
    const consumer = track(new Pull({ receiveHighWaterMark: 5 }));
    consumer.connect("inproc://bp-back");
    const proxy = new Proxy(front, back);
    const running = proxy.run();
    let sent = 0;
    for (;;) {
      try {
        await producer.send(`m${sent}`);
        sent++;
      } catch (err) {
        if ((err as { code?: string }).code !== "EAGAIN") throw err;
        // The proxy may still be moving messages: let it run, then try again once.
        await new Promise((r) => setImmediate(r));
        try {
          await producer.send(`m${sent}`);
          sent++;
          continue;
        } catch {
          break;
        }
      }
      if (sent > 10_000) break;
    }
    // Bounded by the queues on the way (each inproc hop holds sendHWM + receiveHWM = 10),
    // plus the one message the proxy holds in flight.
    expect(sent).toBeGreaterThan(10);
    expect(sent).toBeLessThanOrEqual(21);
    for (let i = 0; i < sent; i++) expect(str(await consumer.receive())).toEqual([`m${i}`]);
    proxy.terminate();
    await running;
  });
});

describe("Proxy as queue (ROUTER ↔ DEALER)", () => {
  it("libzmq REQ clients and REP workers through a wiremq queue", async () => {
    const front = track(new Router());
    const back = track(new Dealer());
    await front.bind("tcp://127.0.0.1:*");
    await back.bind("tcp://127.0.0.1:*");
    const proxy = new Proxy(front, back);
    const running = proxy.run();
    const workers = [0, 1].map(() => {
      const rep = track(new zmq.Reply());
      rep.connect(back.lastEndpoint!);
      void (async () => {
        try {
          for await (const [body] of rep) await rep.send(`re: ${body!.toString()}`);
        } catch {
          // closed
        }
      })();
      return rep;
    });
    expect(workers).toHaveLength(2);
    await Promise.all(
      [0, 1, 2].map(async (c) => {
        const req = track(new zmq.Request());
        req.connect(front.lastEndpoint!);
        for (let i = 0; i < 5; i++) {
          await req.send(`c${c}:${i}`);
          expect(str(await req.receive())).toEqual([`re: c${c}:${i}`]);
        }
      }),
    );
    proxy.terminate();
    await running;
  });

  it("wiremq REQ and REP over a queue on inproc", async () => {
    const front = track(new Router());
    const back = track(new Dealer());
    await front.bind("inproc://queue-front");
    await back.bind("inproc://queue-back");
    const proxy = new Proxy(front, back);
    const running = proxy.run();
    const rep = track(new Reply());
    rep.connect("inproc://queue-back");
    const req = track(new Request());
    req.connect("inproc://queue-front");
    await req.send("ping");
    expect(str(await rep.receive())).toEqual(["ping"]);
    await rep.send("pong");
    expect(str(await req.receive())).toEqual(["pong"]);
    proxy.terminate();
    await running;
  });
});

describe("Proxy as forwarder (XSUB ↔ XPUB)", () => {
  it("forwards subscriptions upstream and messages downstream", async () => {
    const front = track(new XSubscriber());
    const back = track(new XPublisher());
    await front.bind("tcp://127.0.0.1:*");
    await back.bind("tcp://127.0.0.1:*");
    const proxy = new Proxy(front, back);
    const running = proxy.run();
    const pub = track(new Publisher());
    pub.connect(front.lastEndpoint!);
    const sub = track(new Subscriber());
    sub.subscribe("weather.");
    sub.connect(back.lastEndpoint!);
    // The subscription travels sub → XPUB → proxy → XSUB → pub asynchronously: publish until
    // the first message arrives.
    let got: string[] | null = null;
    const first = sub.receive().then((m) => (got = str(m)));
    for (let i = 0; i < 1000 && got === null; i++) {
      await pub.send(["weather.probe", `${i}`]);
      await new Promise((r) => setTimeout(r, 2));
    }
    await first;
    expect(got![0]).toBe("weather.probe");
    sub.unsubscribe("weather.");
    sub.subscribe("news.");
    let seen: string | null = null;
    const next = (async () => {
      for (;;) {
        const [topic] = await sub.receive();
        if (topic!.toString() !== "weather.probe") return (seen = topic!.toString());
      }
    })();
    for (let i = 0; i < 1000 && seen === null; i++) {
      await pub.send(["sport.rugby", "x"]);
      await pub.send(["news.today", "y"]);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(await next).toBe("news.today");
    proxy.terminate();
    await running;
  });

  it("works with libzmq publisher and subscriber at the ends", async () => {
    const front = track(new XSubscriber());
    const back = track(new XPublisher());
    await front.bind(tmpIpc());
    await back.bind(tmpIpc());
    const proxy = new Proxy(front, back);
    const running = proxy.run();
    const pub = track(new zmq.Publisher());
    pub.connect(front.lastEndpoint!);
    const sub = track(new zmq.Subscriber());
    sub.subscribe("t");
    sub.connect(back.lastEndpoint!);
    let got: string[] | null = null;
    const first = sub.receive().then((m) => (got = str(m)));
    for (let i = 0; i < 1000 && got === null; i++) {
      await pub.send(["t", `${i}`]);
      await new Promise((r) => setTimeout(r, 2));
    }
    await first;
    expect(got![0]).toBe("t");
    proxy.terminate();
    await running;
  });
});
