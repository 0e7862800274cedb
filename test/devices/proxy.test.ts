import { afterEach, describe, expect, it } from "vitest";
import {
  Pull,
  Push,
  Reply,
  Request,
  Subscriber,
  XPublisher,
  Dealer,
  Router,
  type EventType,
  type Socket,
} from "../../lib/index.js";
import {
  decodeStatistics,
  forwarderDevice,
  openDevice,
  queueDevice,
  SteerableProxy,
  streamerDevice,
} from "../../lib/devices/index.js";
import { tracker } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

const text = (msg: Buffer[]): string[] => msg.map((f) => f.toString());

/** Resolves after `count` events of `type` on a socket. */
function events(socket: Socket, type: EventType, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const on = (): void => {
      if (++seen === count) {
        socket.events.off(type, on);
        resolve();
      }
    };
    socket.events.on(type, on);
  });
}

async function ask(control: Request, command: string): Promise<Buffer[]> {
  await control.send(command);
  return control.receive();
}

describe("forwarder device (XSUB ↔ XPUB)", () => {
  it("passes subscriptions and cancels upstream, and messages down", async () => {
    const device = forwarderDevice();
    await device.frontEnd.bind("tcp://127.0.0.1:*");
    await device.backEnd.bind("tcp://127.0.0.1:*");
    const running = device.run();
    const upstream = track(new XPublisher());
    upstream.connect(device.frontEnd.lastEndpoint!);
    const sub = track(new Subscriber());
    sub.connect(device.backEnd.lastEndpoint!);
    sub.subscribe("weather.");
    expect(await upstream.receive()).toEqual([Buffer.from("\x01weather.")]);
    await upstream.send(["sport.x", "no"]);
    await upstream.send(["weather.today", "sunny"]);
    expect(text(await sub.receive())).toEqual(["weather.today", "sunny"]);
    sub.unsubscribe("weather.");
    expect(await upstream.receive()).toEqual([Buffer.from("\x00weather.")]);
    device.terminate();
    await running;
    expect(device.statistics().backEnd.messagesIn).toBe(2);
  });
});

describe("queue device (ROUTER ↔ DEALER)", () => {
  it("balances 30 requests from 3 clients over 3 workers, 10 each", async () => {
    const device = queueDevice();
    await device.frontEnd.bind("tcp://127.0.0.1:*");
    await device.backEnd.bind("tcp://127.0.0.1:*");
    const workersUp = events(device.backEnd, "handshake", 3);
    const handled = [0, 0, 0];
    const workers = handled.map((_, w) => {
      const rep = track(new Reply());
      rep.connect(device.backEnd.lastEndpoint!);
      void (async () => {
        for await (const [body] of rep) {
          handled[w]!++;
          await rep.send(`w${w}:${body!.toString()}`);
        }
      })().catch(() => undefined);
      return rep;
    });
    expect(workers).toHaveLength(3);
    await workersUp;
    const running = device.run();
    await Promise.all(
      [0, 1, 2].map(async (c) => {
        const req = track(new Request());
        req.connect(device.frontEnd.lastEndpoint!);
        for (let i = 0; i < 10; i++) {
          await req.send(`c${c}-${i}`);
          expect((await req.receive())[0]!.toString()).toMatch(new RegExp(`^w[012]:c${c}-${i}$`));
        }
      }),
    );
    expect(handled).toEqual([10, 10, 10]);
    const stats = device.statistics();
    expect(stats.frontEnd.messagesIn).toBe(30);
    expect(stats.backEnd.messagesOut).toBe(30);
    expect(stats.backEnd.messagesIn).toBe(30);
    expect(stats.frontEnd.messagesOut).toBe(30);
    device.terminate();
    await running;
  });

  it("copies both directions to the capture socket", async () => {
    const capture = new Push();
    await capture.bind("inproc://queue-capture");
    const captured = track(new Pull());
    captured.connect("inproc://queue-capture");
    const device = queueDevice({ capture });
    await device.frontEnd.bind("inproc://queue-capture-front");
    await device.backEnd.bind("inproc://queue-capture-back");
    const running = device.run();
    const worker = track(new Dealer());
    worker.connect("inproc://queue-capture-back");
    const client = track(new Dealer({ routingId: "client" }));
    client.connect("inproc://queue-capture-front");
    await client.send(["", "ping"]);
    const request = await worker.receive();
    expect(text(request)).toEqual(["client", "", "ping"]);
    await worker.send([...request.slice(0, 2), Buffer.from("pong")]);
    expect(text(await client.receive())).toEqual(["", "pong"]);
    expect(text(await captured.receive())).toEqual(["client", "", "ping"]);
    expect(text(await captured.receive())).toEqual(["client", "", "pong"]);
    device.terminate();
    await running;
    expect(capture.closed).toBe(true);
  });
});

describe("steerable control socket", () => {
  async function streamerWithControl() {
    // A linger lets the answer to TERMINATE out before the device closes the socket.
    const control = new Reply({ linger: 1000 });
    await control.bind("tcp://127.0.0.1:*");
    const device = streamerDevice({ control });
    await device.frontEnd.bind("tcp://127.0.0.1:*");
    await device.backEnd.bind("tcp://127.0.0.1:*");
    const producer = track(new Push());
    producer.connect(device.frontEnd.lastEndpoint!);
    const consumer = track(new Pull());
    consumer.connect(device.backEnd.lastEndpoint!);
    const client = track(new Request());
    client.connect(control.lastEndpoint!);
    return { device, control, producer, consumer, client, running: device.run() };
  }

  it("STATISTICS matches the traffic: messages and bytes each way", async () => {
    const { producer, consumer, client, device, running } = await streamerWithControl();
    let bytes = 0;
    for (let i = 0; i < 50; i++) {
      const parts = [`job-${i}`, "x".repeat(i)];
      bytes += parts.join("").length;
      await producer.send(parts);
    }
    for (let i = 0; i < 50; i++) await consumer.receive();
    const stats = decodeStatistics(await ask(client, "STATISTICS"));
    expect(stats).toEqual({
      frontEnd: { messagesIn: 50, bytesIn: bytes, messagesOut: 0, bytesOut: 0 },
      backEnd: { messagesIn: 0, bytesIn: 0, messagesOut: 50, bytesOut: bytes },
    });
    expect(stats).toEqual(device.statistics());
    device.terminate();
    await running;
  });

  it("PAUSE holds messages, RESUME lets them through, TERMINATE ends the device", async () => {
    const { producer, consumer, client, device, control, running } = await streamerWithControl();
    await producer.send("before");
    expect(text(await consumer.receive())).toEqual(["before"]);
    expect(text(await ask(client, "PAUSE"))).toEqual(["PAUSE"]);
    await producer.send("during");
    consumer.receiveTimeout = 200;
    await expect(consumer.receive()).rejects.toMatchObject({ code: "EAGAIN" });
    consumer.receiveTimeout = -1;
    expect(text(await ask(client, "RESUME"))).toEqual(["RESUME"]);
    expect(text(await consumer.receive())).toEqual(["during"]);
    expect(text(await ask(client, "TERMINATE"))).toEqual(["TERMINATE"]);
    await running;
    expect([device.frontEnd.closed, device.backEnd.closed, control.closed]).toEqual([true, true, true]);
  });

  it("answers a bad command with ERROR EINVAL and keeps going", async () => {
    const { producer, consumer, client, device, running } = await streamerWithControl();
    expect(text(await ask(client, "pause")).slice(0, 2)).toEqual(["ERROR", "EINVAL"]);
    await client.send(["PAUSE", "extra"]);
    expect(text(await client.receive()).slice(0, 2)).toEqual(["ERROR", "EINVAL"]);
    await producer.send("still flowing");
    expect(text(await consumer.receive())).toEqual(["still flowing"]);
    expect(device.rejectedCommands).toBe(2);
    device.terminate();
    await running;
  });

  it("refuses a control socket type it cannot serve, and a second run", async () => {
    const push = track(new Push());
    expect(() => streamerDevice({ control: push as never })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    const device = new SteerableProxy(track(new Pull()), track(new Push()));
    const running = device.run();
    await expect(device.run()).rejects.toMatchObject({ code: "EBUSY" });
    device.terminate();
    await running;
  });
});

describe("openDevice", () => {
  it("attaches endpoints in @bind / >connect notation and reports what it bound", async () => {
    const upstream = track(new Router());
    await upstream.bind("tcp://127.0.0.1:*");
    const device = await openDevice("streamer", { frontEnd: "@tcp://127.0.0.1:*", backEnd: "tcp://127.0.0.1:*,@inproc://open-device-b" });
    expect(device.bound.frontEnd[0]).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(device.bound.backEnd).toHaveLength(2);
    const running = device.run();
    const producer = track(new Push());
    producer.connect(device.bound.frontEnd[0]!);
    const consumer = track(new Pull());
    consumer.connect("inproc://open-device-b");
    await producer.send("via open device");
    expect(text(await consumer.receive())).toEqual(["via open device"]);
    device.terminate();
    await running;
  });

  it("refuses a bad kind or endpoint with a code, closing what it made", async () => {
    await expect(openDevice("hub" as never, { frontEnd: "tcp://127.0.0.1:*", backEnd: "tcp://127.0.0.1:*" })).rejects.toMatchObject({ code: "EINVAL" });
    await expect(openDevice("queue", { frontEnd: "tcp://127.0.0.1:*", backEnd: "bogus" })).rejects.toMatchObject({ code: "EINVAL" });
    await expect(openDevice("queue", { frontEnd: "tcp://127.0.0.1:*", backEnd: "foo://x:1" })).rejects.toMatchObject({ code: "EPROTONOSUPPORT" });
    await expect(openDevice("queue", { frontEnd: "tcp://127.0.0.1:*", backEnd: "udp://x:1" })).rejects.toMatchObject({ code: "ENOCOMPATPROTO" });
    await expect(openDevice("queue", { frontEnd: "", backEnd: "tcp://127.0.0.1:*" })).rejects.toMatchObject({ code: "EINVAL" });
    await expect(openDevice("buffer", { frontEnd: "tcp://127.0.0.1:*", backEnd: "tcp://127.0.0.1:*", capture: "inproc://c" })).rejects.toMatchObject({ code: "EINVAL" });
    // The inproc name bound by the failed attempt is free again.
    const again = await openDevice("streamer", { frontEnd: "inproc://reused-front", backEnd: "bogus" }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: "EINVAL" });
    const ok = await openDevice("streamer", { frontEnd: "inproc://reused-front", backEnd: "inproc://reused-back" });
    ok.terminate();
    await ok.run();
  });
});

