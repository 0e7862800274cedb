/**
 * v5-style programs (callbacks and `message` events) run against zeromq/v5-compat and
 * wiremq/v5-compat: the messages, callbacks and their order must be the same.
 */
import { describe } from "vitest";
import { describeError, same, text, type Lab } from "../helpers/v5-diff.js";

describe("v5-compat messaging, zeromq and wiremq side by side", () => {
  same("push/pull: messages in order, each send callback once, after its send is queued", async ({ socket, bound }: Lab) => {
    const pull = bound("pull");
    const push = socket("push");
    push.connect(pull.last_endpoint);
    const log: string[] = [];
    const got: string[][] = [];
    const done = new Promise<void>((resolve) => {
      pull.on("message", (...frames: unknown[]) => {
        got.push(text(frames));
        if (got.length === 3) resolve();
      });
    });
    for (const n of [1, 2, 3]) push.send(`m${n}`, 0, (err?: Error) => log.push(`cb${n}:${err ? err.message : "ok"}`));
    log.push("sent");
    await done;
    return { log, got };
  });

  same("send with ZMQ_SNDMORE builds one message; only the last call's callback runs", async ({ zmq, socket, bound }: Lab) => {
    const pull = bound("pull");
    const push = socket("push");
    push.connect(pull.last_endpoint);
    const log: string[] = [];
    const message = new Promise<string[]>((resolve) => pull.once("message", (...f: unknown[]) => resolve(text(f))));
    push.send("a", zmq.ZMQ_SNDMORE, () => log.push("first"));
    push.send(["b", Buffer.from("c")], zmq.ZMQ_SNDMORE);
    push.send("d", null, () => log.push("last"));
    const frames = await message;
    return { frames, log };
  });

  same("pub/sub: only subscribed topics arrive; unsubscribe stops a topic", async ({ socket, bound, until }: Lab) => {
    const pub = bound("pub");
    const sub = socket("sub");
    const got: string[] = [];
    sub.on("message", (topic: unknown) => got.push(String(topic)));
    sub.subscribe("a");
    sub.subscribe("sync1");
    sub.connect(pub.last_endpoint);
    // Subscriptions reach the publisher some time after connecting: publish a marker until
    // one arrives, then what follows is filtered by the subscriptions in place.
    await pollMarker(pub, got, "sync1", until);
    for (const t of ["a1", "b1", "a2"]) pub.send(t);
    // A SUB also filters what it receives, so unsubscribing only after a2 is in.
    await until(() => got.includes("a2"));
    sub.unsubscribe("a");
    sub.subscribe("sync2");
    await pollMarker(pub, got, "sync2", until);
    for (const t of ["a3", "b2"]) pub.send(t);
    pub.send("sync2-end");
    await until(() => got.includes("sync2-end"));
    return got.filter((t) => !t.startsWith("sync"));
  });

  same("req/rep: each request gets its reply, in turn", async ({ socket, bound }: Lab) => {
    const rep = bound("rep");
    rep.on("message", (body: unknown) => rep.send(`re:${body}`));
    const req = socket("req");
    req.connect(rep.last_endpoint);
    const replies: string[] = [];
    await new Promise<void>((resolve) => {
      req.on("message", (reply: unknown) => {
        replies.push(String(reply));
        if (replies.length === 3) resolve();
        else req.send(`q${replies.length + 1}`);
      });
      req.send("q1");
    });
    return replies;
  });

  same("router/dealer: the identity set on the dealer is the routing id the router sees", async ({ zmq, socket, bound }: Lab) => {
    const router = bound("router");
    router.on("message", (id: unknown, body: unknown) => router.send([id as Buffer, `to ${id}: ${body}`]));
    const dealer = socket("dealer");
    dealer.identity = "dealer-1";
    const identity = String(dealer.getsockopt(zmq.ZMQ_IDENTITY));
    dealer.connect(router.last_endpoint);
    const reply = new Promise<string[]>((resolve) => dealer.once("message", (...f: unknown[]) => resolve(text(f))));
    dealer.send("hello");
    return { identity, reply: await reply };
  });

  same("a paused receiver emits nothing; resume releases what arrived, in order", async ({ socket, bound, until }: Lab) => {
    const pub = bound("pub");
    const paused = socket("sub");
    const witness = socket("sub");
    const got: string[] = [];
    const seen: string[] = [];
    paused.on("message", (m: unknown) => got.push(String(m)));
    witness.on("message", (m: unknown) => seen.push(String(m)));
    for (const sub of [paused, witness]) {
      sub.subscribe("");
      sub.connect(pub.last_endpoint);
    }
    await pollMarker(pub, got, "sync", until, () => seen.includes("sync"));
    paused.pause();
    const before = got.length;
    for (const m of ["m1", "m2", "m3"]) pub.send(m);
    // The witness gets the same messages over the same kind of connection: once it has all
    // three, they have reached the paused socket too (which must not emit them yet).
    await until(() => seen.includes("m3"));
    await new Promise((r) => setImmediate(r));
    const whilePaused = got.slice(before);
    paused.resume();
    await until(() => got.includes("m3"));
    // A marker still in flight when the markers stopped may come first; it is not under test.
    return { whilePaused, after: got.slice(before).filter((m) => m !== "sync") };
  });

  same("a paused sender holds its messages and callbacks until resume", async ({ socket, bound, until }: Lab) => {
    const pull = bound("pull");
    const push = socket("push");
    push.connect(pull.last_endpoint);
    const got: string[] = [];
    const log: string[] = [];
    pull.on("message", (m: unknown) => got.push(String(m)));
    push.pause();
    push.send("m1", 0, () => log.push("cb1"));
    push.send("m2", 0, () => log.push("cb2"));
    await new Promise((r) => setImmediate(r));
    log.push(`called back while paused: ${log.length}`);
    push.resume();
    push.send("m3", 0, () => log.push("cb3"));
    await until(() => got.length === 3);
    return { got, log };
  });

  same("proxy relays router/dealer requests and replies; the capture gets replies without their envelope", async ({ zmq, socket, bound }: Lab) => {
    const front = bound("router");
    const back = bound("dealer");
    const sink = bound("pull");
    const capture = socket("push");
    capture.connect(sink.last_endpoint);
    const worker = socket("rep");
    worker.on("message", (m: unknown) => worker.send(`done ${m}`));
    worker.connect(back.last_endpoint);
    zmq.proxy(front, back, capture);
    const captured = new Promise<string[]>((resolve) => sink.once("message", (...f: unknown[]) => resolve(text(f))));
    const client = socket("req");
    client.connect(front.last_endpoint);
    const reply = new Promise<string>((resolve) => client.once("message", (m: unknown) => resolve(String(m))));
    client.send("job");
    return { reply: await reply, captured: await captured };
  });

  same("proxy relays push/pull (a streamer)", async ({ zmq, socket, bound }: Lab) => {
    const front = bound("pull");
    const back = bound("push");
    zmq.proxy(front, back);
    const producer = socket("push");
    producer.connect(front.last_endpoint);
    const consumer = socket("pull");
    consumer.connect(back.last_endpoint);
    const got = new Promise<string[]>((resolve) => consumer.once("message", (...f: unknown[]) => resolve(text(f))));
    producer.send(["x", "y"]);
    return got;
  });
});

/** Publishes a marker until it arrives (and `also` holds): subscriptions are then in place. */
describe("v5-compat other socket types and send failures, zeromq and wiremq side by side", () => {
  same("pair: both ways", async ({ socket, bound }: Lab) => {
    const a = bound("pair");
    const b = socket("pair");
    b.connect(a.last_endpoint);
    const atA = new Promise<string>((resolve) => a.once("message", (m: unknown) => resolve(String(m))));
    b.send("from b");
    const first = await atA;
    const atB = new Promise<string>((resolve) => b.once("message", (m: unknown) => resolve(String(m))));
    a.send("from a");
    return [first, await atB];
  });

  same("stream: a raw TCP peer's connect (empty frame) and data arrive by routing id, and the reply goes back", async ({ socket }: Lab) => {
    const stream = socket("stream");
    stream.bindSync("tcp://127.0.0.1:*");
    const seen: string[] = [];
    stream.on("message", (id: Buffer, data: Buffer) => {
      seen.push(String(data));
      if (data.length > 0) stream.send([id, `echo:${data}`]);
    });
    const { connect } = await import("node:net");
    const peer = connect(Number(String(stream.last_endpoint).split(":").pop()), "127.0.0.1");
    try {
      await new Promise((resolve) => peer.once("connect", resolve));
      peer.write("hi");
      const reply = await new Promise<string>((resolve) => peer.once("data", (d: Buffer) => resolve(String(d))));
      return { seen: [...seen], reply };
    } finally {
      peer.destroy();
    }
  });

  same("proxy relays xpub/xsub: subscriptions upstream, messages down", async ({ zmq, socket, bound, until }: Lab) => {
    const front = bound("xpub");
    const back = bound("xsub");
    zmq.proxy(front, back);
    const pub = socket("pub");
    pub.connect(back.last_endpoint);
    const sub = socket("sub");
    const got: string[] = [];
    sub.on("message", (m: unknown) => got.push(String(m)));
    sub.subscribe("t");
    sub.connect(front.last_endpoint);
    await pollMarker(pub, got, "t-marker", until);
    pub.send("x-not-subscribed");
    pub.send("t-last");
    await until(() => got.includes("t-last"));
    return got.filter((m) => m !== "t-marker");
  });

  // (A REP sending before it received is not compared: under zeromq that send fails with EFSM
  // or waits for ever, depending on whether libzmq's descriptor has signalled yet.)
  same("a send failure goes to the callback: EAGAIN after ZMQ_SNDTIMEO without a peer", async ({ zmq, socket }: Lab) => {
    const dealer = socket("dealer");
    dealer.setsockopt(zmq.ZMQ_SNDTIMEO, 10);
    return new Promise((resolve) => dealer.send("x", 0, (err?: Error) => resolve(err && describeError(err))));
  });

  same("a send failure without a callback is an error event", async ({ zmq, socket, next }: Lab) => {
    const dealer = socket("dealer");
    dealer.setsockopt(zmq.ZMQ_SNDTIMEO, 10);
    dealer.send("x");
    const [err] = await next(dealer, "error");
    return describeError(err);
  });

  same("a send waiting for a peer is called back with EAGAIN when the socket closes", async ({ socket }: Lab) => {
    const dealer = socket("dealer");
    const failed = new Promise((resolve) => dealer.send("x", 0, (err?: Error) => resolve(err && describeError(err))));
    await new Promise((r) => setImmediate(r));
    dealer.close();
    return failed;
  });
});

async function pollMarker(pub: { send(m: string): unknown }, got: string[], marker: string, until: Lab["until"], also = () => true): Promise<void> {
  const timer = setInterval(() => pub.send(marker), 5);
  try {
    await until(() => got.includes(marker) && also());
  } finally {
    clearInterval(timer);
  }
}
