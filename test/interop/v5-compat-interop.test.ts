/**
 * A wiremq/v5-compat socket talking to libzmq over tcp: with a zeromq v6 socket each way, and
 * with a zeromq/v5-compat socket under CURVE set through the v5 option names.
 */
import { afterEach, describe, expect, it } from "vitest";
import { once } from "node:events";
import * as zmq from "zeromq";
import { tracker } from "../helpers/sockets.js";
import { wiremq5, zeromq5, type Socket5 } from "../helpers/v5-diff.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

function compat(lib: typeof wiremq5, type: Parameters<typeof wiremq5.socket>[0]): Socket5 {
  const s = lib.socket(type);
  s.setsockopt(lib.ZMQ_LINGER, 0);
  return track(s);
}

describe("wiremq/v5-compat with libzmq over tcp", () => {
  it("a v5-compat PUSH (wiremq) feeds a zeromq v6 PULL, multipart and in order", async () => {
    const pull = track(new zmq.Pull({ linger: 0 }));
    await pull.bind("tcp://127.0.0.1:*");
    const push = compat(wiremq5, "push");
    push.connect(pull.lastEndpoint!);
    const called: number[] = [];
    for (const n of [1, 2, 3]) {
      push.send(`part-a${n}`, wiremq5.ZMQ_SNDMORE);
      push.send(`part-b${n}`, 0, (err?: Error) => called.push(err ? -n : n));
    }
    const got: string[][] = [];
    for (let i = 0; i < 3; i++) got.push((await pull.receive()).map(String));
    expect(got).toEqual([1, 2, 3].map((n) => [`part-a${n}`, `part-b${n}`]));
    expect(called).toEqual([1, 2, 3]);
  });

  it("a zeromq v6 PUSH feeds a v5-compat PULL (wiremq) bound with bindSync", async () => {
    const pull = compat(wiremq5, "pull");
    pull.bindSync("tcp://127.0.0.1:*");
    const got: string[][] = [];
    const all = new Promise<void>((resolve) =>
      pull.on("message", (...frames: Buffer[]) => {
        got.push(frames.map(String));
        if (got.length === 3) resolve();
      }),
    );
    const push = track(new zmq.Push({ linger: 0 }));
    push.connect(pull.last_endpoint);
    for (const n of [1, 2, 3]) await push.send([`x${n}`, `y${n}`]);
    await all;
    expect(got).toEqual([1, 2, 3].map((n) => [`x${n}`, `y${n}`]));
  });

  it("CURVE set through v5 option names: a wiremq v5-compat REP serves a zeromq/v5-compat REQ", async () => {
    const server = wiremq5.curveKeypair();
    const client = zeromq5.curveKeypair();
    const rep = compat(wiremq5, "rep");
    rep.curve_server = 1;
    rep.curve_secretkey = server.secret;
    rep.bindSync("tcp://127.0.0.1:*");
    rep.on("message", (m: Buffer) => rep.send(`secured ${m}`));
    const req = compat(zeromq5, "req");
    req.setsockopt(zeromq5.ZMQ_CURVE_SERVERKEY, server.public);
    req.setsockopt(zeromq5.ZMQ_CURVE_PUBLICKEY, client.public);
    req.setsockopt(zeromq5.ZMQ_CURVE_SECRETKEY, client.secret);
    req.connect(rep.last_endpoint);
    const reply = once(req, "message");
    req.send("hello");
    expect(String((await reply)[0])).toBe("secured hello");
    expect(rep.getsockopt(wiremq5.ZMQ_MECHANISM)).toBe(2);
  });

  it("a wiremq v5-compat ROUTER answers a zeromq v6 DEALER by the identity it announces", async () => {
    const router = compat(wiremq5, "router");
    router.bindSync("tcp://127.0.0.1:*");
    router.on("message", (id: Buffer, body: Buffer) => router.send([id, `hi ${id}, re ${body}`]));
    const dealer = track(new zmq.Dealer({ linger: 0, routingId: "libzmq-dealer" }));
    dealer.connect(router.last_endpoint);
    await dealer.send("ping");
    expect((await dealer.receive()).map(String)).toEqual(["hi libzmq-dealer, re ping"]);
  });
});
